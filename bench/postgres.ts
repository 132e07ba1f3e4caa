/**
 * Benchmark: getOrder and addOrder on PostgreSQL, 1 and 2 server
 * instances, next to the bare node:http baseline of the same run (run.ts calls
 * this after the SQLite part; BENCH_POSTGRES=0 skips it).
 *
 * The store: schema `wxl_bench` in BENCH_PG_URL (default the test database),
 * built once by bulk SQL — one real addOrder makes the template row, then
 * `INSERT … SELECT … generate_series` copies it with order_id n, the body's
 * order_id replaced and the waybill number of sequence n+1 computed in SQL
 * (the same bijection as src/core/waybill.ts, checked against it). A meta row in
 * `settings` (key + hashes of the migrations built with) and the row count
 * decide whether the cached schema is reused; orders the addOrder load leaves
 * behind are deleted before and after the run.
 *
 * Two instances: autocannon cannot balance, and a proxy would take CPU from a
 * 2-core machine, so two autocannon runs go concurrently, one per instance with
 * half the connections each; req/s are summed, p99 is the larger of the two.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { createApplication } from '../src/app.ts';
import { findCarrier } from '../src/core/carriers.ts';
import { waybillNumber } from '../src/core/waybill.ts';
import { migrations } from '../src/storage/migrations.ts';
import { APPID, raiseDailyLimit, SECRET } from './build-store.ts';
import { startChild, type Child } from './child.ts';
import { loadAddOrder, loadGetOrder, type LoadResult } from './load.ts';
import { orderBody, ORDER_TEMPLATE, storedOrderId } from './order-body.ts';

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const PG_SCHEMA = 'wxl_bench';
/** Bump when something stored at build time changes meaning. */
const BENCH_PG_VERSION = 'bench-pg-2';
const META_KEY = 'bench_store_meta';
const ADD_PREFIX = 'bench-add-';
const BATCH = 100_000;

export const storeUrl = (): string => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${PG_SCHEMA}`;

interface Meta {
  key: string;
  migrations: Record<string, string>;
  orders: number;
  buildSeconds: number;
}

export interface PgStoreInfo {
  url: string;
  built: boolean;
  buildSeconds: number;
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

function client(): pg.Client {
  return new pg.Client({ connectionString: PG_URL, options: `-c search_path=${PG_SCHEMA}` });
}

/**
 * The 1M-order schema, reused when its meta key, migrations and row count match; else rebuilt.
 * A session advisory lock keeps two benchmark runs from building (dropping) it at once.
 */
export async function ensurePostgresStore(orders: number): Promise<PgStoreInfo> {
  const lock = new pg.Client({ connectionString: PG_URL });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`wxlogistics-bench:${PG_SCHEMA}`]);
    return await ensureLocked(orders);
  } finally {
    await lock.end(); // the session lock goes with the session
  }
}

async function ensureLocked(orders: number): Promise<PgStoreInfo> {
  const key = sha({ BENCH_PG_VERSION, ORDER_TEMPLATE, APPID, SECRET, orders });
  const current = Object.fromEntries(migrations.map((m) => [String(m.version), sha(m.postgres ?? m.sql)]));
  const c = client();
  await c.connect();
  try {
    const stale = await staleReason(c, key, current, orders);
    if (stale === undefined) {
      const meta = JSON.parse(
        (await c.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [META_KEY])).rows[0]!.value,
      ) as Meta;
      return { url: storeUrl(), built: false, buildSeconds: meta.buildSeconds };
    }
    console.log(`PostgreSQL store ${PG_SCHEMA}: ${stale}; building ${orders.toLocaleString('en')} orders`);
    await c.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  } finally {
    await c.end();
  }

  const started = performance.now();
  // Schema, app and the template order through the real code paths.
  const app = await createApplication({ storeUrl: storeUrl(), logger: false });
  await app.core.apps.create({ appid: APPID, secret: SECRET });
  // The schema outlives a run: several runs a day would use up the default 1,000,000 getOrder calls.
  await raiseDailyLimit(app);
  const first = await app.core.orders.addOrder(APPID, orderBody(storedOrderId(0)));
  await app.close();
  const carrier = findCarrier(ORDER_TEMPLATE.delivery_id)!;
  if (first.waybill_id !== waybillNumber(carrier, 1))
    throw new Error(`template order got waybill ${first.waybill_id}, expected sequence 1`);

  const { prefix, digits } = carrier.waybill;
  const space = 10n ** BigInt(digits);
  const b = client();
  await b.connect();
  try {
    await b.query('SET synchronous_commit = off');
    for (let from = 1; from < orders; from += BATCH) {
      const to = Math.min(orders - 1, from + BATCH - 1);
      // Order n is the (n+1)-th of its carrier: waybillNumber(carrier, n + 1), as src/core/waybill.ts computes it.
      await b.query(
        `INSERT INTO orders (appid, order_id, delivery_id, waybill_id, biz_id, openid, body, order_status, version, waybill_data, last_action_type, created_at, updated_at)
         SELECT t.appid, n::text, t.delivery_id,
                $4 || lpad(((($5::numeric * (n + 1)) + $6::numeric) % $7::numeric)::text, $8, '0'),
                t.biz_id, t.openid, replace(t.body, '"order_id":"0"', '"order_id":"' || n || '"'),
                t.order_status, t.version, t.waybill_data, t.last_action_type, t.created_at, t.updated_at
         FROM orders t, generate_series($2::int, $3::int) AS n
         WHERE t.appid = $1 AND t.order_id = '0'`,
        [APPID, from, to, prefix, (7_919n * 1_000_003n).toString(), (space / 3n).toString(), space.toString(), digits],
      );
      process.stdout.write(`\rbuilding PostgreSQL store: ${(to + 1).toLocaleString('en')}/${orders.toLocaleString('en')} orders`);
    }
    process.stdout.write('\n');
    await b.query('UPDATE sequences SET value = $1 WHERE name = $2', [orders, `waybill:${carrier.delivery_id}`]);
    await b.query('VACUUM ANALYZE orders');
    // Spot checks: the SQL numbering and body agree with the code's.
    for (const n of [1, Math.floor(orders / 2), orders - 1]) {
      const row = (
        await b.query<{ waybill_id: string; body: string }>('SELECT waybill_id, body FROM orders WHERE appid = $1 AND order_id = $2', [
          APPID,
          storedOrderId(n),
        ])
      ).rows[0];
      if (row?.waybill_id !== waybillNumber(carrier, n + 1))
        throw new Error(`order ${n}: waybill ${row?.waybill_id} ≠ ${waybillNumber(carrier, n + 1)}`);
      if ((JSON.parse(row.body) as { order_id: string }).order_id !== storedOrderId(n))
        throw new Error(`order ${n}: body ${row.body.slice(0, 80)}`);
    }
    const buildSeconds = (performance.now() - started) / 1000;
    const meta: Meta = { key, migrations: current, orders, buildSeconds };
    await b.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      META_KEY,
      JSON.stringify(meta),
    ]);
    return { url: storeUrl(), built: true, buildSeconds };
  } finally {
    await b.end();
  }
}

async function staleReason(c: pg.Client, key: string, current: Record<string, string>, orders: number): Promise<string | undefined> {
  const exists = (
    await c.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [PG_SCHEMA, 'settings'])
  ).rowCount;
  if (!exists) return 'not built yet';
  const raw = (await c.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [META_KEY])).rows[0]?.value;
  if (raw === undefined) return 'no complete build';
  const meta = JSON.parse(raw) as Meta;
  if (meta.key !== key) return 'bench key changed';
  if (!Object.entries(meta.migrations).every(([v, h]) => current[v] === h)) return 'a migration it was built with changed';
  await deleteAdded(c);
  const n = Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM orders WHERE appid = $1', [APPID])).rows[0]!.n);
  return n === orders ? undefined : `holds ${n} orders, not ${orders}`;
}

/** Orders the addOrder load wrote (and their paths, events via cascade / appid). */
async function deleteAdded(c: pg.Client): Promise<void> {
  await c.query(`DELETE FROM orders WHERE appid = $1 AND order_id LIKE '${ADD_PREFIX}%'`, [APPID]);
}

export interface PgResults {
  bare: LoadResult[];
  one: LoadResult[];
  two: LoadResult[];
  addOne: LoadResult;
  addTwo: LoadResult;
  rssMb: number[];
}

const sum = (rs: LoadResult[]): LoadResult => ({
  rps: rs.reduce((n, r) => n + r.rps, 0),
  p99: Math.max(...rs.map((r) => r.p99)),
  failures: rs.reduce((n, r) => n + r.failures, 0),
});

/** Starts 2 instances on the PostgreSQL store, measures interleaved with `bare`, stops them. */
export async function benchPostgres(o: {
  bareUrl: string;
  workingSet: readonly string[];
  connections: number;
  seconds: number;
  rounds: number;
  addSeconds: number;
  fmt: (r: LoadResult) => string;
}): Promise<PgResults> {
  const url = storeUrl();
  const servers: Child[] = [await startChild('./server-child.mjs', [url])];
  servers.push(await startChild('./server-child.mjs', [url]));
  try {
    const answer = (await (
      await fetch(`${servers[0]!.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)
    ).json()) as { access_token?: string };
    const token = answer.access_token;
    if (!token) throw new Error(`no access_token from the PostgreSQL instance: ${JSON.stringify(answer)}`);
    // Both instances answer every working-set order (the token of one works on the other).
    for (const s of servers) {
      for (const order_id of o.workingSet) {
        const res = await fetch(`${s.url}/cgi-bin/express/business/order/get?access_token=${token}`, {
          method: 'POST',
          body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
        });
        const text = await res.text();
        if (!text.startsWith('{"errcode":0,')) throw new Error(`PostgreSQL getOrder ${order_id}: ${text.slice(0, 300)}`);
      }
    }
    const opts = { connections: o.connections, seconds: o.seconds };
    const half = { connections: Math.ceil(o.connections / 2), seconds: o.seconds };
    const one = () => loadGetOrder(servers[0]!.url, token, o.workingSet, opts);
    const two = async () => sum(await Promise.all(servers.map((s) => loadGetOrder(s.url, token, o.workingSet, half))));
    console.log(`warm-up: postgres ×1 ${o.fmt(await one())}`);
    console.log(`warm-up: postgres ×2 ${o.fmt(await two())}`);
    const res: Omit<PgResults, 'addOne' | 'addTwo' | 'rssMb'> = { bare: [], one: [], two: [] };
    for (let r = 1; r <= o.rounds; r++) {
      res.bare.push(await loadGetOrder(o.bareUrl, token, o.workingSet, opts));
      res.one.push(await one());
      res.two.push(await two());
      console.log(
        `pg round ${r}/${o.rounds}: bare ${o.fmt(res.bare.at(-1)!)} | postgres ×1 ${o.fmt(res.one.at(-1)!)} | ×2 ${o.fmt(res.two.at(-1)!)}`,
      );
    }
    const stamp = Date.now();
    const addOne = await loadAddOrder(servers[0]!.url, token, `${ADD_PREFIX}${stamp}-a-`, {
      connections: o.connections,
      seconds: o.addSeconds,
    });
    console.log(`addOrder postgres ×1: ${o.fmt(addOne)}`);
    const addTwo = sum(
      await Promise.all(
        servers.map((s, i) =>
          loadAddOrder(s.url, token, `${ADD_PREFIX}${stamp}-b${i}-`, { connections: Math.ceil(o.connections / 2), seconds: o.addSeconds }),
        ),
      ),
    );
    console.log(`addOrder postgres ×2: ${o.fmt(addTwo)}`);
    const rssMb = servers.map((s) => s.memory().peakMb);
    return { ...res, addOne, addTwo, rssMb };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    const c = client();
    await c.connect();
    await deleteAdded(c).finally(() => c.end());
  }
}
