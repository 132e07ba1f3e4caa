/**
 * The main benchmark: getOrder (cold and hot) and addOrder against a bare
 * node:http baseline sending the same bytes, server CPU per request and memory,
 * over a store of 100,000 orders; then PostgreSQL (bench/postgres.ts).
 *
 *   npm run bench                      # 100,000 orders (built once, cached in .bench-cache/)
 *   BENCH_ORDERS=20000 npm run bench   # quick run on a small store
 *
 * Workloads (bench/wrk.ts; wrk if installed, else autocannon):
 * - cold getOrder: a random order among all BENCH_ORDERS on every request, so
 *   nearly every answer is one not printed (cached) before — what a merchant
 *   printing new orders pays;
 * - hot getOrder: BENCH_WORKING_SET (500) orders cycled, answers cached;
 * - addOrder: a fresh order_id on every request, answers checked for errcode 0;
 * - bare getOrder: node:http answering the same getOrder bytes; bare addOrder:
 *   node:http JSON.parse-ing the same body and answering our addOrder bytes;
 * - cold getOrder on a second server with V8's default semi-space (BENCH_SEMI=0 skips).
 * Memory: the server's RSS right after the load and BENCH_IDLE_SECONDS (20) later.
 * All interleaved, BENCH_ROUNDS (5) × BENCH_SECONDS (5), BENCH_CONNECTIONS (50);
 * medians. BENCH_CPU_PROF=1 profiles our servers (.bench-cache/prof/).
 *
 * BENCH_POSTGRES (1; 0 skips) adds getOrder/addOrder on PostgreSQL, 1 and 2
 * instances, against the same bare server (bench/postgres.ts); the store is
 * schema wxl_bench in BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
 * built by bulk SQL and kept between runs. BENCH_PG_ORDERS (default BENCH_ORDERS).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPID, ensureStore, SECRET } from './build-store.ts';
import { startChild, type Child } from './child.ts';
import { ADD_PATH, GET_PATH, type LoadResult } from './load.ts';
import { orderBody, storedOrderId } from './order-body.ts';
import { benchPostgres, ensurePostgresStore, PG_SCHEMA, type PgResults } from './postgres.ts';
import { ratioShown } from './ratio.ts';
import { addOrderScript, coldGetOrderScript, fallback, haveWrk, listGetOrderScript, wrk, type WrkResult } from './wrk.ts';

const env = (name: string, fallbackValue: number) => Number(process.env[name] ?? fallbackValue);
const ORDERS = env('BENCH_ORDERS', 100_000);
const ROUNDS = env('BENCH_ROUNDS', 5);
const SECONDS = env('BENCH_SECONDS', 5);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const WORKING_SET = Math.min(env('BENCH_WORKING_SET', 500), ORDERS);
const ADD_SECONDS = env('BENCH_ADD_SECONDS', 10);
const POSTGRES = process.env.BENCH_POSTGRES !== '0';
const SEMI = process.env.BENCH_SEMI !== '0';
const PG_ORDERS = env('BENCH_PG_ORDERS', ORDERS);

const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
mkdirSync(cacheDir, { recursive: true });

// The server runs as users run it: the compiled dist/ (see scripts/build.mjs).
// BENCH_NO_BUILD=1 runs whatever dist/ holds (e.g. a build of an older commit, for before/after figures).
if (!process.env.BENCH_NO_BUILD)
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });

const store = await ensureStore(cacheDir, ORDERS);
console.log(
  `store: ${ORDERS.toLocaleString('en')} orders, ${store.built ? 'built' : 'cached, originally built'} in ` +
    `${store.buildSeconds.toFixed(0)} s (${Math.round(store.buildRate)} addOrder/s in-process)`,
);

const pgStore = POSTGRES ? await ensurePostgresStore(PG_ORDERS) : undefined;
if (pgStore) {
  console.log(
    `PostgreSQL store: schema ${PG_SCHEMA}, ${PG_ORDERS.toLocaleString('en')} orders, ${pgStore.built ? 'built' : 'cached, originally built'} in ${pgStore.buildSeconds.toFixed(0)} s (bulk SQL)`,
  );
}

const profDir = join(cacheDir, 'prof');
const profFlags = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
const ours = await startChild('./server-child.mjs', [store.dataDir], profFlags);
// The same server with V8's default young generation, on a copy of the store (one process per SQLite data dir).
const semiDir = SEMI ? join(cacheDir, 'store-semi-copy') : undefined;
if (semiDir) {
  rmSync(semiDir, { recursive: true, force: true });
  cpSync(store.dataDir, semiDir, { recursive: true });
}
const oursSemi = semiDir ? await startChild('./server-child.mjs', [semiDir], profFlags, []) : undefined;
const fetchToken = async (url: string) => {
  const tokenAnswer = (await (await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as {
    access_token?: string;
  };
  if (!tokenAnswer.access_token) throw new Error(`no access_token: ${JSON.stringify(tokenAnswer)}`);
  return tokenAnswer.access_token;
};
const token = await fetchToken(ours.url);
const tokenSemi = oursSemi ? await fetchToken(oursSemi.url) : '';

// Hot set: order_ids spread evenly over the whole store, not one hot corner of it.
const workingSet = Array.from({ length: WORKING_SET }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / WORKING_SET)));

// Every hot-set order must answer errcode 0 (the load runs do not parse 13 KB answers);
// the first answer's exact bytes become the bare server's answer. Cold orders: a sample.
const getOnce = async (url: string, order_id: string, t = token) => {
  const res = await fetch(`${url}${GET_PATH}?access_token=${t}`, {
    method: 'POST',
    body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!bytes.toString('utf8', 0, 20).startsWith('{"errcode":0,'))
    throw new Error(`getOrder ${order_id}: ${bytes.toString('utf8', 0, 300)}`);
  return bytes;
};
let answer: Buffer | undefined;
// Twice: an answer asked for a second time is what the answer cache keeps against a stream of new orders.
for (let pass = 0; pass < 2; pass++) {
  for (const order_id of workingSet) {
    const bytes = await getOnce(ours.url, order_id);
    if (order_id === workingSet[0] && answer && !answer.equals(bytes)) throw new Error('getOrder answers differ between calls');
    answer ??= bytes;
  }
}
for (let i = 0; i < 20; i++) await getOnce(ours.url, storedOrderId(Math.floor(Math.random() * ORDERS)));
if (oursSemi) await getOnce(oursSemi.url, workingSet[0]!, tokenSemi);
const answerFile = join(cacheDir, 'getorder-answer.json');
writeFileSync(answerFile, answer!);
// The addOrder baseline answers what our addOrder answers, after parsing the same body.
const stamp = Date.now();
const addProbe = await fetch(`${ours.url}${ADD_PATH}?access_token=${token}`, {
  method: 'POST',
  body: JSON.stringify(orderBody(`bench-add-${stamp}-probe`)),
});
const addAnswer = Buffer.from(await addProbe.arrayBuffer());
if (!addAnswer.toString().startsWith('{"errcode":0,')) throw new Error(`addOrder: ${addAnswer.toString()}`);
const addAnswerFile = join(cacheDir, 'addorder-answer.json');
writeFileSync(addAnswerFile, addAnswer);
console.log(
  `getOrder answer: ${answer!.length} bytes; hot set ${WORKING_SET} orders, all errcode 0; addOrder answer ${addAnswer.length} bytes; load generator: ${haveWrk ? 'wrk' : 'autocannon (install wrk for the real figures)'}`,
);
const bare = await startChild('./bare-server.ts', [answerFile]);
const bareAdd = await startChild('./bare-server.ts', [addAnswerFile, 'parse']);

const globalToken = token;
interface Workload {
  name: string;
  run(seconds: number): Promise<WrkResult>;
}
const load = { connections: CONNECTIONS };
const drive =
  (server: Child, kind: 'cold' | 'list' | 'add', arg: { count?: number; ids?: readonly string[]; prefix?: string }) =>
  (seconds: number) => {
    const o = { ...load, seconds, server };
    const token = server === oursSemi ? tokenSemi : globalToken;
    if (!haveWrk) return fallback(kind, server.url, token, arg, o);
    const lua =
      kind === 'cold'
        ? coldGetOrderScript(token, arg.count!)
        : kind === 'list'
          ? listGetOrderScript(token, arg.ids!)
          : addOrderScript(token, arg.prefix!);
    return wrk(server.url, lua, o);
  };
let addRun = 0;
const workloads: Workload[] = [
  { name: 'bare getOrder', run: drive(bare, 'list', { ids: workingSet }) },
  { name: 'cold getOrder', run: drive(ours, 'cold', { count: ORDERS }) },
  { name: 'hot getOrder', run: drive(ours, 'list', { ids: workingSet }) },
  { name: 'bare addOrder', run: (sec) => drive(bareAdd, 'add', { prefix: `bench-bare-${stamp}-${addRun++}-` })(sec) },
  { name: 'addOrder', run: (sec) => drive(ours, 'add', { prefix: `bench-add-${stamp}-${addRun++}-` })(sec) },
  ...(oursSemi ? [{ name: 'cold getOrder, default semi-space', run: drive(oursSemi, 'cold', { count: ORDERS }) }] : []),
];
const runs = new Map<string, WrkResult[]>(workloads.map((w) => [w.name, []]));
const fmt = (r: LoadResult & { cpuUs?: number }) =>
  `${Math.round(r.rps)} req/s p99 ${r.p99} ms${r.cpuUs !== undefined && Number.isFinite(r.cpuUs) ? ` ${r.cpuUs.toFixed(0)} µs CPU/req` : ''}${r.failures ? ` FAILURES ${r.failures}` : ''}`;
for (const w of workloads) console.log(`warm-up: ${w.name} ${fmt(await w.run(Math.min(2, SECONDS)))}`);

// Interleaved rounds, so drift (thermal, other load on the machine) hits all alike; each round starts elsewhere.
for (let r = 0; r < ROUNDS; r++) {
  const line: string[] = [];
  for (let k = 0; k < workloads.length; k++) {
    const w = workloads[(k + r) % workloads.length]!;
    const res = await w.run(SECONDS);
    runs.get(w.name)!.push(res);
    line.push(`${w.name} ${fmt(res)}`);
  }
  console.log(`round ${r + 1}/${ROUNDS}: ${line.join(' | ')}`);
}
const memAfterGet = ours.memory();
const memSemi = oursSemi?.memory();
const bareMem = bare.memory();
// RSS right after a load holds however much garbage V8 had not collected yet; a few seconds idle,
// V8's memory reducer runs full GCs and gives pages back. Both are reported.
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 20);
await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
const memIdle = ours.memory();
await ours.stop();
await oursSemi?.stop();
if (semiDir) rmSync(semiDir, { recursive: true, force: true });
await bareAdd.stop();

// PostgreSQL: the same working set, against the same bare server, its own interleaved rounds.
let pgRes: PgResults | undefined;
if (POSTGRES) {
  pgRes = await benchPostgres({
    bareUrl: bare.url,
    workingSet: pgWorkingSet(),
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    addSeconds: ADD_SECONDS,
    fmt,
  });
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
const med = (name: string, f: (r: WrkResult) => number) => median(runs.get(name)!.map(f));
const rps = (name: string) => med(name, (r) => r.rps);
const cpu = (name: string) => med(name, (r) => r.cpuUs);
const p99 = (name: string) => med(name, (r) => r.p99);
const oursRps = rps('hot getOrder');
const oursP99 = p99('hot getOrder');
const pgRuns = pgRes ? [...pgRes.bare, ...pgRes.one, ...pgRes.two, pgRes.addOne, pgRes.addTwo] : [];
const failures = [...[...runs.values()].flat(), ...pgRuns].reduce((n, r) => n + r.failures, 0);
const ok = (b: boolean) => (b ? '✅' : '❌');
const RSS_TARGET_MB = 150;
/** MB without decimals, but with one where rounding would hide which side of the target it is on. */
const rssShown = (mb: number): string => (Math.round(mb) === RSS_TARGET_MB ? mb.toFixed(1) : mb.toFixed(0));
const int = (n: number) => Math.round(n).toLocaleString('en');
const us = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const row = (label: string, name: string, base: string, target: number | undefined) => {
  const ratio = rps(name) / rps(base);
  const shown = ratioShown(ratio, target);
  return `| ${label} | ${int(rps(name))} | ${int(rps(base))} | **${shown}** | ${target === undefined ? 'reported' : `≥ ${target.toFixed(2)} × bare`} | ${target === undefined ? '' : ok(ratio >= target)} | ${us(cpu(name))} / ${us(cpu(base))} = ${(cpu(base) / cpu(name)).toFixed(2)} | ${p99(name)} / ${p99(base)} |`;
};

const table = [
  `Store ${int(ORDERS)} orders (SQLite); cold getOrder = a random order among all ${int(ORDERS)} per request (not printed before; ` +
    `the answer cache keeps a few thousand), hot getOrder = ${int(WORKING_SET)} orders cycled (answers cached), addOrder = a fresh order each; ` +
    `${CONNECTIONS} connections, ${ROUNDS} interleaved rounds × ${SECONDS} s (medians), load by ${haveWrk ? 'wrk (1 thread)' : 'autocannon'} on the same 2-core machine; ` +
    `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
  '',
  '| path | ours req/s | bare req/s | ours / bare | target | met | server CPU µs/req: ours / bare = bare ÷ ours | p99 ms ours / bare |',
  '|---|---:|---:|---:|---|:-:|---:|---:|',
  row('cold getOrder', 'cold getOrder', 'bare getOrder', 0.12),
  row('hot getOrder', 'hot getOrder', 'bare getOrder', 0.7),
  `| hot getOrder p99 | ${oursP99} ms | ${p99('bare getOrder')} ms | ${(oursP99 / p99('bare getOrder')).toFixed(2)} | ≤ 2 × bare | ${ok(oursP99 <= 2 * p99('bare getOrder'))} | | |`,
  row('addOrder (bare: JSON.parse the same body)', 'addOrder', 'bare addOrder', 0.15),
  ...(oursSemi
    ? [row('cold getOrder, V8 default semi-space (bare: 2 MB)', 'cold getOrder, default semi-space', 'bare getOrder', undefined)]
    : []),
  '',
  '| memory | MB | target | met |',
  '|---|---:|---|:-:|',
  `| server RSS after the load (cold over ${int(ORDERS)} orders, hot, addOrder), --max-semi-space-size=2 | ${rssShown(memAfterGet.rssMb)} (peak ${memAfterGet.peakMb.toFixed(0)}) | ≤ ${RSS_TARGET_MB} | ${ok(memAfterGet.rssMb <= RSS_TARGET_MB)} |`,
  `| the same, ${IDLE_SECONDS} s after the load (V8's memory reducer has run) | ${rssShown(memIdle.rssMb)} | ≤ ${RSS_TARGET_MB} | ${ok(memIdle.rssMb <= RSS_TARGET_MB)} |`,
  ...(memSemi
    ? [
        `| the same with V8's default semi-space (cold load only) | ${memSemi.rssMb.toFixed(0)} (peak ${memSemi.peakMb.toFixed(0)}) | reported | |`,
      ]
    : []),
  `| bare node:http | ${bareMem.rssMb.toFixed(0)} | | |`,
  `| store build, in-process addOrder/s | ${int(store.buildRate)} | | |`,
  ...(pgRes ? ['', ...postgresTable(pgRes)] : []),
  '',
  failures
    ? `⚠️ ${failures} failed requests (non-2xx, socket errors, timeouts or errcode ≠ 0): numbers are suspect.`
    : 'All requests answered errcode 0 / HTTP 200.',
].join('\n');
console.log('\n' + table);
writeFileSync(join(cacheDir, 'last-results.md'), table + '\n');

function postgresTable(p: PgResults): string[] {
  const bareMed = median(p.bare.map((r) => r.rps));
  const add = { rps: rps('addOrder'), p99: p99('addOrder') };
  const memAfterAdd = memAfterGet;
  const one = median(p.one.map((r) => r.rps));
  const two = median(p.two.map((r) => r.rps));
  const pgP99 = (rs: LoadResult[]) => median(rs.map((r) => r.p99));
  return [
    `PostgreSQL (schema ${PG_SCHEMA}, ${int(PG_ORDERS)} orders, same machine, pool of 10 per instance): ${ROUNDS} rounds interleaved with bare; ` +
      `2 instances = two autocannon runs at once, ${Math.ceil(CONNECTIONS / 2)} connections each, req/s summed, p99 the larger ` +
      `(autocannon here, hot set of ${int(WORKING_SET)} orders; the SQLite column is the wrk run above).`,
    '',
    '| metric | bare node:http | SQLite ×1 | PostgreSQL ×1 | PostgreSQL ×2 | PG ×1 / bare | PG ×2 / bare | target | met |',
    '|---|---:|---:|---:|---:|---:|---:|---|:-:|',
    `| getOrder req/s | ${int(bareMed)} | ${int(oursRps)} | ${int(one)} | ${int(two)} | ${(one / bareMed).toFixed(2)} | ${(two / bareMed).toFixed(2)} | PG ≥ 0.30 × bare | ${ok(Math.max(one, two) >= 0.3 * bareMed)} |`,
    `| getOrder p99 (ms) | ${pgP99(p.bare)} | ${oursP99} | ${pgP99(p.one)} | ${pgP99(p.two)} | | | | |`,
    `| addOrder req/s | | ${int(add.rps)} | ${int(p.addOne.rps)} | ${int(p.addTwo.rps)} | | | | |`,
    `| addOrder p99 (ms) | | ${add.p99} | ${p.addOne.p99} | ${p.addTwo.p99} | | | | |`,
    `| server peak RSS (MB) | | ${memAfterAdd.peakMb.toFixed(0)} | ${p.rssMb.map((m) => m.toFixed(0)).join(' / ')} (each) | | | | | |`,
  ];
}
