/**
 * What a microsecond of work per request costs in the getOrder benchmark: the bare node:http
 * baseline (bench/bare-server.ts, the same 10 KB answer) made to spin N µs before each answer,
 * driven by the same wrk load as `npm run bench` (1 thread, 50 connections, same machine).
 *
 *   node --import tsx bench/busy-baseline.ts            # BUSY_US="0 5 10 20 40 60", BENCH_SECONDS (4), BENCH_ROUNDS (3)
 *
 * A last row is a minimal fastify route answering the same bytes (bench/fastify-floor-server.ts):
 * what fastify alone leaves of bare's rate, before any of our hooks.
 *
 * The server's CPU per request grows by more than N: the slower the server, the more often wrk
 * sleeps between answers, and each answer's write then pays for waking it (the kernel's
 * `tcp_sendmsg` → wake-up; in a VM an inter-processor interrupt). Read against `npm run bench`:
 * a server that does N µs more than bare per request answers about what this baseline answers at N.
 * Needs wrk and the answer file run.ts writes (.bench-cache/getorder-answer.json).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.ts';
import { haveWrk, listGetOrderScript, wrk } from './wrk.ts';

const answer = fileURLToPath(new URL('../.bench-cache/getorder-answer.json', import.meta.url));
if (!existsSync(answer)) throw new Error(`${answer} is missing: run npm run bench once first`);
if (!haveWrk) throw new Error('wrk is not installed (apt-get install wrk)');
const levels = (process.env.BUSY_US ?? '0 5 10 20 40 60').split(/\s+/).filter(Boolean).map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const servers = [];
for (const us of levels) {
  process.env.BARE_BUSY_US = String(us);
  servers.push({ us, child: await startChild('./bare-server.ts', [answer]) });
}
delete process.env.BARE_BUSY_US;
// -1 stands for a minimal fastify route (no hooks, its own JSON parser): fastify's own share.
levels.push(-1);
servers.push({ us: -1, child: await startChild('./fastify-floor-server.ts', [answer]) });
const lua = listGetOrderScript('unused', ['1']);
const runs = new Map(levels.map((us) => [us, [] as { rps: number; cpuUs: number; p99: number }[]]));
for (const s of servers) await wrk(s.child.url, lua, { connections: 50, seconds: 1, server: s.child }); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of servers) runs.get(s.us)!.push(await wrk(s.child.url, lua, { connections: 50, seconds, server: s.child }));
}
for (const s of servers) await s.child.stop();

const base = runs.get(levels[0]!)!;
const baseRps = median(base.map((x) => x.rps));
const baseCpu = median(base.map((x) => x.cpuUs));
console.log('| busy µs per request | req/s | × bare | server CPU µs/req | CPU added per busy µs | p99 ms |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const us of levels) {
  const xs = runs.get(us)!;
  const rps = median(xs.map((x) => x.rps));
  const cpu = median(xs.map((x) => x.cpuUs));
  const per = us <= 0 ? '' : ((cpu - baseCpu) / us).toFixed(2);
  console.log(
    `| ${us < 0 ? 'minimal fastify route, 0' : us} | ${Math.round(rps).toLocaleString('en')} | ${(rps / baseRps).toFixed(2)} | ${cpu.toFixed(0)} | ${per} | ${median(xs.map((x) => x.p99))} |`,
  );
}
