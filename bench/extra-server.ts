/**
 * Shared set-up for the push, cloud-call and client benchmarks (push.ts, cloud.ts,
 * client-overhead.ts): a fresh SQLite data dir per benchmark, prepared
 * in-process (app, TEST orders, push/cloud settings), then served by the
 * compiled dist/ in a child process (server-child.mjs, default --push-*
 * policy) so the load generator and the server do not share a CPU thread.
 * dist/ must be built first (extra.ts and run.ts do).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApplication, type Application } from '../src/app.ts';
import { APPID, raiseDailyLimit, SECRET } from './build-store.ts';
import { startChild, type Child } from './child.ts';
import { orderBody } from './order-body.ts';

export { APPID, SECRET };

export interface BenchServer {
  child: Child;
  url: string;
  adminKey: string;
  /** order_id → waybill_id of every order prepared, in creation order. */
  waybills: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * `orders` TEST orders named `<prefix><n>`; `configure` runs on the in-process
 * app before it closes (push settings, cloud keys …) and may return extra data.
 */
export async function startBenchServer<T = void>(
  prefix: string,
  orders: number,
  configure?: (app: Application) => Promise<T>,
): Promise<BenchServer & { extra: T }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wxl-bench-'));
  const app = await createApplication({ dataDir, logger: false });
  await app.core.apps.create({ appid: APPID, secret: SECRET });
  await raiseDailyLimit(app);
  const waybills = new Map<string, string>();
  for (let n = 0; n < orders; n += 100) {
    const ids = Array.from({ length: Math.min(100, orders - n) }, (_, i) => `${prefix}${n + i}`);
    const added = await Promise.all(ids.map((id) => app.core.orders.addOrder(APPID, orderBody(id))));
    added.forEach((a, i) => waybills.set(ids[i]!, (a as { waybill_id: string }).waybill_id));
  }
  const extra = (await configure?.(app)) as T;
  const adminKey = app.adminKey; // stored in the data dir (or WXL_ADMIN_KEY, which the child inherits too)
  await app.close();
  let child: Child;
  try {
    // BENCH_CPU_PROF=1 (as in run.ts): the server's .cpuprofile lands in .bench-cache/prof/.
    const prof = fileURLToPath(new URL('../.bench-cache/prof/', import.meta.url));
    child = await startChild('./server-child.mjs', [dataDir], process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    child,
    url: child.url,
    adminKey,
    waybills,
    extra,
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function fetchToken(url: string): Promise<string> {
  const answer = (await (await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as {
    access_token?: string;
  };
  if (!answer.access_token) throw new Error(`no access_token: ${JSON.stringify(answer)}`);
  return answer.access_token;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One row of the extra benchmarks' markdown table. */
export interface BenchRow {
  metric: string;
  value: string;
  /** What it is compared with, e.g. "HTTPS 5,000 req/s". */
  baseline?: string;
  ratio?: string;
  target?: string;
  /** undefined: no target. */
  met?: boolean;
}

export const int = (n: number) => Math.round(n).toLocaleString('en');
