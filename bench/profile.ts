/**
 * Where one workload's server time goes: runs the compiled server under
 * `node --cpu-prof` on the bench store, drives it with wrk, and prints the
 * functions with the most self time (and the .cpuprofile's path, for DevTools).
 *
 *   node --import tsx bench/profile.ts cold|hot|add [seconds]
 *   node --import tsx bench/profile.ts show <file.cpuprofile>   # e.g. one BENCH_CPU_PROF=1 wrote
 *
 * Needs the store run.ts builds (BENCH_ORDERS, default 100,000) and dist/.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPID, ensureStore, SECRET } from './build-store.ts';
import { startChild } from './child.ts';
import { storedOrderId } from './order-body.ts';
import { addOrderScript, coldGetOrderScript, listGetOrderScript, wrk } from './wrk.ts';

const kind = process.argv[2] ?? 'hot';
if (kind === 'show') {
  showProfile(process.argv[3]!);
  process.exit(0);
}
const seconds = Number(process.argv[3] ?? 10);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
const profDir = join(cacheDir, 'prof', `${kind}-${Date.now()}`);
mkdirSync(profDir, { recursive: true });

const store = await ensureStore(cacheDir, ORDERS);
const server = await startChild('./server-child.mjs', [store.dataDir], ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
const token = (
  (await (await fetch(`${server.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as {
    access_token: string;
  }
).access_token;
const hot = Array.from({ length: 500 }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / 500)));
const lua =
  kind === 'cold'
    ? coldGetOrderScript(token, ORDERS)
    : kind === 'add'
      ? addOrderScript(token, `prof-${Date.now()}-`)
      : listGetOrderScript(token, hot);
// Fill the cache first: each hot order asked for twice (what the answer cache keeps).
if (kind === 'hot') {
  for (const order_id of [...hot, ...hot]) {
    await fetch(`${server.url}/cgi-bin/express/business/order/get?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
    }).then((r) => r.arrayBuffer());
  }
}
const r = await wrk(server.url, lua, { connections: 50, seconds, server });
console.log(
  `${kind}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, ${r.cpuUs.toFixed(1)} µs server CPU per request, failures ${r.failures}`,
);
await server.stop();

showProfile(
  join(
    profDir,
    readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!,
  ),
);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
function showProfile(file: string): void {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const self = new Map<string, number>();
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  prof.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const where = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(
    `profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(0)} % idle; busy time by function (self):`,
  );
  for (const [k, v] of [...self.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)) {
    console.log(`${((100 * v) / (total - idle)).toFixed(1).padStart(5)} %  ${k}`);
  }
}
