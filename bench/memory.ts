/**
 * Where the server's memory goes after a load: the compiled server on a copy of
 * the bench store (as `npm run bench` starts it: the bin's environment and node
 * flags), BENCH_ROUNDS (3) rounds of cold getOrder, hot getOrder and addOrder
 * (BENCH_SECONDS (5) each, 50 connections, wrk), then its RSS split by mapping
 * from /proc/<pid>/smaps ([heap] = glibc's malloc heap; anonymous mappings =
 * V8's heap pages, other malloc arenas and large blocks; node = the binary),
 * right after the load and BENCH_IDLE_SECONDS (20) later.
 *
 *   node --import tsx bench/memory.ts
 *   BENCH_WORKLOADS=c node --import tsx bench/memory.ts          # cold getOrder only (c, h, a)
 *   MALLOC_MMAP_THRESHOLD_= node --import tsx bench/memory.ts    # without the bin's variable: glibc's dynamic threshold
 *   BENCH_NODE_FLAGS='--heap-growing-percent=50' node --import tsx bench/memory.ts   # node flags added after the bin's
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPID, ensureStore, SECRET } from './build-store.ts';
import { nodeFlagsOf, SERVER_ENV, serverEnv, startChild } from './child.ts';
import { storedOrderId } from './order-body.ts';
import { addOrderScript, coldGetOrderScript, listGetOrderScript, wrk } from './wrk.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 100_000);
const ROUNDS = env('BENCH_ROUNDS', 3);
const SECONDS = env('BENCH_SECONDS', 5);
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 20);
const WORKLOADS = process.env.BENCH_WORKLOADS ?? 'cha';

const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
const store = await ensureStore(cacheDir, ORDERS);
const dir = join(cacheDir, 'store-memory-copy');
rmSync(dir, { recursive: true, force: true });
cpSync(store.dataDir, dir, { recursive: true });
const nodeFlags = nodeFlagsOf(process.env.BENCH_NODE_FLAGS);
const server = await startChild('./server-child.mjs', [dir], nodeFlags);
const token = (
  (await (await fetch(`${server.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as {
    access_token: string;
  }
).access_token;
const hot = Array.from({ length: 500 }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / 500)));
const o = { connections: 50, seconds: SECONDS, server };

/** RSS in MB per kind of mapping, largest first. */
function rssByMapping(pid: number): string {
  const sums = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = (head[1] || 'anonymous').replace(/^.*\//, '');
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(name, (sums.get(name) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...sums]
    .filter(([, mb]) => mb >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([k, mb]) => `${k} ${mb.toFixed(1)}`)
    .join(', ');
}

const applied = serverEnv();
console.log(
  `server env ${JSON.stringify(Object.fromEntries(Object.keys(SERVER_ENV).map((name) => [name, applied[name] ?? '(unset)'])))}${nodeFlags.length ? `, node flags ${nodeFlags.join(' ')}` : ''}; workloads ${WORKLOADS}, ${ROUNDS} rounds × ${SECONDS} s`,
);
for (let r = 0; r < ROUNDS; r++) {
  const line: string[] = [];
  if (WORKLOADS.includes('c')) {
    const cold = await wrk(server.url, coldGetOrderScript(token, ORDERS), o);
    line.push(`cold getOrder ${Math.round(cold.rps)} req/s ${cold.cpuUs.toFixed(0)} µs CPU/req`);
  }
  if (WORKLOADS.includes('h')) await wrk(server.url, listGetOrderScript(token, hot), o);
  if (WORKLOADS.includes('a')) await wrk(server.url, addOrderScript(token, `memory-${Date.now()}-${r}-`), o);
  const m = server.memory();
  console.log(`round ${r + 1}: ${line.join(' ')} RSS ${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)})`);
}
console.log(`after the load: RSS ${server.memory().rssMb.toFixed(0)} MB: ${rssByMapping(server.pid)}`);
await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
console.log(`${IDLE_SECONDS} s later: RSS ${server.memory().rssMb.toFixed(0)} MB: ${rssByMapping(server.pid)}`);
await server.stop();
rmSync(dir, { recursive: true, force: true });
