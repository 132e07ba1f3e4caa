/**
 * The benchmark's big store, built once and reused: `.bench-cache/store-<N>/`
 * holds the SQLite data dir as built (`pristine/`) plus meta.json. Every run
 * works on a fresh copy of it (`run/`): a run adds orders and rid-log answers
 * (10 KB each), and a store that grew over earlier runs would make runs
 * incomparable (seen: 327 MB → 984 MB after a few runs, and getOrder's reads
 * slower for it). meta.json is written only after a
 * complete build and carries a key (BENCH_STORE_VERSION, order body, app, size)
 * and a hash of each schema migration the store was built with: an interrupted
 * build, a new key or an edited/removed migration means rebuild. Migrations
 * added since are fine: opening the store applies them, as it would in production.
 */
import { SingleBar, Presets } from 'cli-progress';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApplication, type Application } from '../src/app.ts';
import { migrations } from '../src/storage/migrations.ts';
import { orderBody, ORDER_TEMPLATE, storedOrderId } from './order-body.ts';

/** Bump when something stored at build time changes meaning (e.g. waybill numbering). */
const BENCH_STORE_VERSION = 'bench-store-3';
/** addOrder calls in flight at once: they serialize in the store, but fewer await turns per order. */
const BUILD_CONCURRENCY = 256;

export const APPID = 'wxbe4c000000000001';
export const SECRET = 'b'.repeat(32);

export interface StoreInfo {
  dataDir: string;
  orders: number;
  /** This run built the store (false: reused from the cache). */
  built: boolean;
  buildSeconds: number;
  buildRate: number;
}

interface Meta {
  key: string;
  /** version → hash of that migration's SQL, as built. */
  migrations: Record<string, string>;
  orders: number;
  buildSeconds: number;
}

/**
 * Gives the bench app a daily limit of 1,000,000,000 calls on every path. One server answers every
 * round of a run: at the default 1,000,000 a day, a fast machine's getOrder rounds would use up the
 * day's quota and go on measuring 45009 answers. Calls are still admitted and counted as by
 * default; only the limit they are checked against is higher.
 */
export async function raiseDailyLimit(app: Application): Promise<void> {
  await app.core.apiManagement.setLimit(APPID, { cgi_path: '*', daily_limit: 1_000_000_000, call_count: null, refresh_second: null });
}

export async function ensureStore(cacheDir: string, orders: number): Promise<StoreInfo> {
  const dir = join(cacheDir, `store-${orders}`);
  const pristine = join(dir, 'pristine');
  const dataDir = join(dir, 'run');
  const freshCopy = () => {
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(pristine, dataDir, { recursive: true });
  };
  const metaFile = join(dir, 'meta.json');
  const key = sha({ BENCH_STORE_VERSION, ORDER_TEMPLATE, APPID, SECRET, orders });
  const current = Object.fromEntries(migrations.map((m) => [String(m.version), sha(m.sql)]));

  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    const schemaOk = Object.entries(meta.migrations ?? {}).every(([v, h]) => current[v] === h);
    if (meta.key === key && meta.migrations && schemaOk) {
      freshCopy();
      return { dataDir, orders, built: false, buildSeconds: meta.buildSeconds, buildRate: orders / meta.buildSeconds };
    }
    console.log(`cached store ${dir} is stale (${meta.key !== key ? 'bench key' : 'a migration it was built with'} changed); rebuilding`);
  }
  rmSync(dir, { recursive: true, force: true });

  const app = await createApplication({ dataDir: pristine, logger: false });
  await app.core.apps.create({ appid: APPID, secret: SECRET });
  await raiseDailyLimit(app);
  const bar = new SingleBar(
    // noTTYOutput: still report (every 10 s) when the output goes to a log file.
    {
      format: 'building store [{bar}] {percentage}% | {value}/{total} orders | {rate}/s | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    Presets.shades_classic,
  );
  bar.start(orders, 0, { rate: 0 });
  const started = performance.now();
  for (let n = 0; n < orders; n += BUILD_CONCURRENCY) {
    const batch: Promise<unknown>[] = [];
    for (let i = n; i < Math.min(orders, n + BUILD_CONCURRENCY); i++) {
      batch.push(app.core.orders.addOrder(APPID, orderBody(storedOrderId(i))));
    }
    await Promise.all(batch);
    const done = Math.min(orders, n + BUILD_CONCURRENCY);
    bar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) });
  }
  const buildSeconds = (performance.now() - started) / 1000;
  bar.stop();
  await app.close(); // the last connection closing checkpoints the WAL into the database file
  writeFileSync(metaFile, JSON.stringify({ key, migrations: current, orders, buildSeconds } satisfies Meta, null, 2));
  freshCopy();
  return { dataDir, orders, built: true, buildSeconds, buildRate: orders / buildSeconds };
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
