/**
 * What fault injection costs the hot path: getOrder req/s on one server (the
 * compiled dist/ in a child process) with no rules, with one rule that never
 * matches getOrder's calls, and with ten — interleaved rounds, rules switched
 * through the admin API between rounds, medians and ratios to "no rules".
 * Besides req/s it reports the server's CPU time per request (utime + stime
 * from /proc/<pid>/stat over the round), which a busy shared machine disturbs
 * far less than throughput.
 *
 *   node --import tsx bench/faults.ts      (builds dist/ first unless BENCH_NO_BUILD=1)
 *
 * Knobs: BENCH_ROUNDS (5), BENCH_SECONDS (3), BENCH_CONNECTIONS (50).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchToken, int, median, startBenchServer } from './extra-server.ts';
import { loadGetOrder } from './load.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('BENCH_ROUNDS', 5);
const SECONDS = env('BENCH_SECONDS', 3);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

if (!process.env.BENCH_NO_BUILD)
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });

const server = await startBenchServer('fault-bench-', 200);
try {
  const token = await fetchToken(server.url);
  const admin = (method: string, body?: unknown) =>
    fetch(`${server.url}/_wxl/api/faults`, {
      method,
      headers: { 'x-wxl-admin-key': server.adminKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then((r) => {
      if (!r.ok) throw new Error(`admin ${method}: HTTP ${r.status}`);
    });
  // Rules that look at every getOrder call and never fire: the cost of being consulted.
  const unmatched = (n: number) => Array.from({ length: n }, (_, i) => ({ api: 'getOrder', order_id: `never-${i}`, errcode: -1 }));
  const variants = [
    { name: 'no rules', rules: [] as Record<string, unknown>[] },
    { name: '1 rule (not matching)', rules: unmatched(1) },
    { name: '10 rules (not matching)', rules: unmatched(10) },
  ];
  const ids = [...server.waybills.keys()];
  const rps = new Map(variants.map((v) => [v.name, [] as number[]]));
  const cpuUs = new Map(variants.map((v) => [v.name, [] as number[]]));
  // Warm-up: every order's answer rendered and cached once (as in a long-running server), then a short load.
  for (const order_id of ids) {
    await fetch(`${server.url}/cgi-bin/express/business/order/get?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
    }).then((r) => r.text());
  }
  await loadGetOrder(server.url, token, ids, { connections: CONNECTIONS, seconds: 4 }); // JIT warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      await admin('DELETE');
      for (const rule of v.rules) await admin('POST', rule);
      const cpuBefore = cpuSeconds(server.child.pid);
      const r = await loadGetOrder(server.url, token, ids, { connections: CONNECTIONS, seconds: SECONDS });
      const us = ((cpuSeconds(server.child.pid) - cpuBefore) * 1e6) / (r.rps * SECONDS);
      if (r.failures > 0) throw new Error(`${v.name}: ${r.failures} failed requests`);
      rps.get(v.name)!.push(r.rps);
      cpuUs.get(v.name)!.push(us);
      console.error(`round ${round + 1} ${v.name}: ${int(r.rps)} req/s, ${us.toFixed(1)} µs server CPU per request`);
    }
  }
  const base = median(rps.get('no rules')!);
  const baseUs = median(cpuUs.get('no rules')!);
  console.log(
    `| getOrder, ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections | median req/s | / no rules | server CPU µs/request | / no rules |`,
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const v of variants) {
    const m = median(rps.get(v.name)!);
    const us = median(cpuUs.get(v.name)!);
    console.log(`| ${v.name} | ${int(m)} | ${(m / base).toFixed(2)} | ${us.toFixed(1)} | ${(us / baseUs).toFixed(2)} |`);
  }
} finally {
  await server.stop();
}
