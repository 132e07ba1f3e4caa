/**
 * Issue #2 benchmark: getOrder throughput/latency against a bare node:http
 * baseline, server memory, and addOrder throughput, over a store of 1M orders.
 *
 *   npm run bench                      # 1,000,000 orders (built once, cached in .bench-cache/)
 *   BENCH_ORDERS=20000 npm run bench   # quick run on a small store
 *
 * Other knobs: BENCH_ROUNDS (5), BENCH_SECONDS (5), BENCH_CONNECTIONS (50),
 * BENCH_WORKING_SET (1000), BENCH_ADD_SECONDS (10), BENCH_CPU_PROF=1 (profile
 * our server; .cpuprofile lands in .bench-cache/prof/).
 *
 * Issue #5: BENCH_POSTGRES (1; 0 skips) adds getOrder/addOrder on PostgreSQL,
 * 1 and 2 instances, against the same bare server (bench/postgres.ts); the store
 * is schema wxl_bench in BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
 * built by bulk SQL and kept between runs. BENCH_PG_ORDERS (default BENCH_ORDERS).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPID, ensureStore, SECRET } from './build-store.ts';
import { startChild } from './child.ts';
import { GET_PATH, loadAddOrder, loadGetOrder, type LoadResult } from './load.ts';
import { storedOrderId } from './order-body.ts';
import { benchPostgres, ensurePostgresStore, PG_SCHEMA, type PgResults } from './postgres.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 1_000_000);
const ROUNDS = env('BENCH_ROUNDS', 5);
const SECONDS = env('BENCH_SECONDS', 5);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const WORKING_SET = Math.min(env('BENCH_WORKING_SET', 1000), ORDERS);
const ADD_SECONDS = env('BENCH_ADD_SECONDS', 10);
const POSTGRES = process.env.BENCH_POSTGRES !== '0';
const PG_ORDERS = env('BENCH_PG_ORDERS', ORDERS);

const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
mkdirSync(cacheDir, { recursive: true });

// The server runs as users run it: the compiled dist/ (see scripts/build.mjs).
execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });

const store = await ensureStore(cacheDir, ORDERS);
console.log(
  `store: ${ORDERS.toLocaleString('en')} orders, ${store.built ? 'built' : 'cached, originally built'} in ` +
    `${store.buildSeconds.toFixed(0)} s (${Math.round(store.buildRate)} addOrder/s in-process)`,
);

const pgStore = POSTGRES ? await ensurePostgresStore(PG_ORDERS) : undefined;
if (pgStore) {
  console.log(`PostgreSQL store: schema ${PG_SCHEMA}, ${PG_ORDERS.toLocaleString('en')} orders, ${pgStore.built ? 'built' : 'cached, originally built'} in ${pgStore.buildSeconds.toFixed(0)} s (bulk SQL)`);
}

const profDir = join(cacheDir, 'prof');
const ours = await startChild('./server-child.mjs', [store.dataDir], process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
const tokenAnswer = (await (await fetch(`${ours.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as { access_token?: string };
const token = tokenAnswer.access_token;
if (!token) throw new Error(`no access_token: ${JSON.stringify(tokenAnswer)}`);

// Working set: order_ids spread evenly over the whole store, not one hot corner of it.
const workingSet = Array.from({ length: WORKING_SET }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / WORKING_SET)));

// Every working-set order must answer errcode 0 (the load runs do not parse 11 KB answers);
// the first answer's exact bytes become the bare server's answer.
let answer: Buffer | undefined;
for (const order_id of workingSet) {
  const res = await fetch(`${ours.url}${GET_PATH}?access_token=${token}`, { method: 'POST', body: JSON.stringify({ order_id, delivery_id: 'TEST' }) });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!bytes.toString('utf8', 0, 20).startsWith('{"errcode":0,')) throw new Error(`getOrder ${order_id}: ${bytes.toString('utf8', 0, 300)}`);
  answer ??= bytes;
}
const answerFile = join(cacheDir, 'getorder-answer.json');
writeFileSync(answerFile, answer!);
console.log(`getOrder answer: ${answer!.length} bytes; working set ${WORKING_SET} orders, all errcode 0`);
const bare = await startChild('./bare-server.ts', [answerFile]);

const opts = { connections: CONNECTIONS, seconds: SECONDS };
const fmt = (r: LoadResult) => `${Math.round(r.rps)} req/s p99 ${r.p99} ms${r.failures ? ` FAILURES ${r.failures}` : ''}`;
console.log(`warm-up: bare ${fmt(await loadGetOrder(bare.url, token, workingSet, opts))}`);
console.log(`warm-up: ours ${fmt(await loadGetOrder(ours.url, token, workingSet, opts))}`);

// Interleaved rounds, so drift (thermal, other load on the machine) hits both alike.
const bareRuns: LoadResult[] = [];
const ourRuns: LoadResult[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  bareRuns.push(await loadGetOrder(bare.url, token, workingSet, opts));
  ourRuns.push(await loadGetOrder(ours.url, token, workingSet, opts));
  console.log(`round ${r}/${ROUNDS}: bare ${fmt(bareRuns.at(-1)!)} | ours ${fmt(ourRuns.at(-1)!)}`);
}
const memAfterGet = ours.memory();
const bareMem = bare.memory();

const add = await loadAddOrder(ours.url, token, `bench-add-${Date.now()}-`, { connections: CONNECTIONS, seconds: ADD_SECONDS });
console.log(`addOrder: ${fmt(add)}`);
const memAfterAdd = ours.memory();
await ours.stop();

// PostgreSQL (issue #5): the same working set, against the same bare server, its own interleaved rounds.
let pgRes: PgResults | undefined;
if (POSTGRES) {
  pgRes = await benchPostgres({ bareUrl: bare.url, workingSet: pgWorkingSet(), connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, addSeconds: ADD_SECONDS, fmt });
}
await bare.stop();

function pgWorkingSet(): string[] {
  const n = Math.min(WORKING_SET, PG_ORDERS);
  return Array.from({ length: n }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * PG_ORDERS) / n)));
}

// ---- report ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const oursRps = median(ourRuns.map((r) => r.rps));
const bareRps = median(bareRuns.map((r) => r.rps));
const oursP99 = median(ourRuns.map((r) => r.p99));
const bareP99 = median(bareRuns.map((r) => r.p99));
const pgRuns = pgRes ? [...pgRes.bare, ...pgRes.one, ...pgRes.two, pgRes.addOne, pgRes.addTwo] : [];
const failures = [...bareRuns, ...ourRuns, add, ...pgRuns].reduce((n, r) => n + r.failures, 0);
const ok = (b: boolean) => (b ? '✅' : '❌');
const int = (n: number) => Math.round(n).toLocaleString('en');

const table = [
  `Store ${int(ORDERS)} orders (SQLite), getOrder working set ${int(WORKING_SET)} order_ids, ${CONNECTIONS} connections, ` +
    `${ROUNDS} interleaved rounds × ${SECONDS} s (medians), addOrder ${ADD_SECONDS} s; ` +
    `Node ${process.version}, ${cpus().length} CPUs, autocannon on the same machine.`,
  '',
  '| metric | ours | bare node:http | ours / bare | target | met |',
  '|---|---:|---:|---:|---|:-:|',
  `| getOrder req/s | ${int(oursRps)} | ${int(bareRps)} | ${(oursRps / bareRps).toFixed(2)} | ≥ 0.70 × bare | ${ok(oursRps >= 0.7 * bareRps)} |`,
  `| getOrder p99 latency (ms) | ${oursP99} | ${bareP99} | ${(oursP99 / bareP99).toFixed(2)} | ≤ 2 × bare | ${ok(oursP99 <= 2 * bareP99)} |`,
  `| server RSS after getOrder load (MB) | ${memAfterGet.rssMb.toFixed(0)} | ${bareMem.rssMb.toFixed(0)} | | ≤ 150 MB | ${ok(memAfterGet.rssMb <= 150)} |`,
  `| server peak RSS incl. addOrder load (MB) | ${memAfterAdd.peakMb.toFixed(0)} | | | | |`,
  `| addOrder req/s (HTTP, distinct order_ids) | ${int(add.rps)} | | | ≥ 3,000/s | ${ok(add.rps >= 3000)} |`,
  `| addOrder p99 latency (ms) | ${add.p99} | | | | |`,
  `| store build, in-process addOrder/s | ${int(store.buildRate)} | | | | |`,
 ...(pgRes ? ['', ...postgresTable(pgRes)] : []),
  '',
  failures ? `⚠️ ${failures} failed requests (non-2xx, socket errors, timeouts or errcode ≠ 0): numbers are suspect.` : 'All requests answered errcode 0 / HTTP 200.',
].join('\n');
console.log('\n' + table);
writeFileSync(join(cacheDir, 'last-results.md'), table + '\n');

function postgresTable(p: PgResults): string[] {
  const bareMed = median(p.bare.map((r) => r.rps));
  const one = median(p.one.map((r) => r.rps));
  const two = median(p.two.map((r) => r.rps));
  const p99 = (rs: LoadResult[]) => median(rs.map((r) => r.p99));
  return [
    `PostgreSQL (schema ${PG_SCHEMA}, ${int(PG_ORDERS)} orders, same machine, pool of 10 per instance): ${ROUNDS} rounds interleaved with bare; ` +
      `2 instances = two autocannon runs at once, ${Math.ceil(CONNECTIONS / 2)} connections each, req/s summed, p99 the larger.`,
    '',
    '| metric | bare node:http | SQLite ×1 | PostgreSQL ×1 | PostgreSQL ×2 | PG ×1 / bare | PG ×2 / bare | target | met |',
    '|---|---:|---:|---:|---:|---:|---:|---|:-:|',
    `| getOrder req/s | ${int(bareMed)} | ${int(oursRps)} | ${int(one)} | ${int(two)} | ${(one / bareMed).toFixed(2)} | ${(two / bareMed).toFixed(2)} | PG ≥ 0.30 × bare | ${ok(Math.max(one, two) >= 0.3 * bareMed)} |`,
    `| getOrder p99 (ms) | ${p99(p.bare)} | ${oursP99} | ${p99(p.one)} | ${p99(p.two)} | | | | |`,
    `| addOrder req/s | | ${int(add.rps)} | ${int(p.addOne.rps)} | ${int(p.addTwo.rps)} | | | | |`,
    `| addOrder p99 (ms) | | ${add.p99} | ${p.addOne.p99} | ${p.addTwo.p99} | | | | |`,
    `| server peak RSS (MB) | | ${memAfterAdd.peakMb.toFixed(0)} | ${p.rssMb.map((m) => m.toFixed(0)).join(' / ')} (each) | | | | | |`,
  ];
}
