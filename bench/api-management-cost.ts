/**
 * The CPU the rid log and call counting add, measured in-process (less sensitive
 * to a busy machine than a load test): µs per call on the request path (admit +
 * record), and ms to write one flush of the rid log (12 KB getOrder answers)
 * into a SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdjustableClock } from '../src/core/clock.ts';
import { LogisticsCore } from '../src/core/logistics-core.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import { newRid } from '../src/http/rid.ts';
import type { BenchRow } from './extra-server.ts';
import { orderBody } from './order-body.ts';

/** Answers over the cap when a prune runs (a minute's worth at a few per second). */
const PRUNE_EXCESS = 500;

/**
 * What the once-a-minute prune costs once an app's rid log is full: `keep` answers, then
 * PRUNE_EXCESS more, pruned back; the event loop waits for it (SQLite is synchronous). The
 * baseline is the statement the store used before, run on the same table in the same run.
 */
async function pruneAtTheCap(store: SqliteStore, keep: number, body: string): Promise<{ keep: number; ms: number; previousMs: number }> {
  const appid = 'wxbenchcost0000001';
  let next = 0;
  const fill = async (count: number) => {
    for (let done = 0; done < count; done += 1000) {
      const rows = Array.from({ length: Math.min(1000, count - done) }, () => {
        const i = next++;
        return {
          rid: `prune-${String(i).padStart(7, '0')}`,
          appid,
          cgi_path: '/cgi-bin/express/business/order/get',
          invoke_time: 1_800_000_000 + Math.floor(i / 100),
          cost_in_ms: 1,
          request_url: 'access_token=x',
          request_body: '{}',
          response_body: body,
          client_ip: '127.0.0.1',
        };
      });
      await store.transaction((tx) => tx.apiCalls.insertRids(rows));
    }
  };
  // The previous statement, verbatim, as the baseline.
  const db = store.db;
  const previous = db.prepare(
    `DELETE FROM api_rids WHERE appid = @appid AND rid IN (
       SELECT rid FROM api_rids WHERE appid = @appid ORDER BY invoke_time DESC, rid DESC LIMIT -1 OFFSET @keep)`,
  );
  const timed = async (run: () => Promise<number> | number): Promise<number> => {
    await fill(PRUNE_EXCESS);
    const t = process.hrtime.bigint();
    const deleted = await run();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (deleted !== PRUNE_EXCESS) throw new Error(`prune deleted ${deleted}, expected ${PRUNE_EXCESS}`);
    return ms;
  };
  await fill(keep);
  await store.apiCalls.pruneRids(0, keep); // the rows the flushes above wrote: exactly `keep` from here on
  const ours: number[] = [];
  const before: number[] = [];
  for (let r = 0; r < 3; r++) {
    ours.push(await timed(() => store.apiCalls.pruneRids(0, keep)));
    before.push(await timed(() => previous.run({ appid, keep }).changes));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  return { keep, ms: med(ours), previousMs: med(before) };
}

const cpuUs = (fn: () => void): number => {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return d.user + d.system;
};

export async function benchApiManagementCost(calls = 200_000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-bench-cost-'));
  const store = new SqliteStore({ filename: join(dir, 'x.sqlite') });
  try {
    await store.init();
    const core = new LogisticsCore(store, new AdjustableClock());
    const { meter, rids } = core.apiManagement;
    await core.apps.create({ appid: 'wxbenchcost0000001', secret: 's' });
    const answer = Buffer.alloc(12_000, 'x');
    const path = '/cgi-bin/express/business/order/get';
    const admitUs =
      cpuUs(() => {
        for (let i = 0; i < calls; i++) meter.admit('wxbenchcost0000001', path);
      }) / calls;
    let n = 0;
    const recordUs =
      cpuUs(() => {
        for (let i = 0; i < calls; i++) {
          const rid = newRid(1_800_000_000 + (n++ % 1000));
          rids.record({
            rid,
            appid: 'wxbenchcost0000001',
            cgi_path: path,
            invoke_time: 1_800_000_000,
            cost_in_ms: 1,
            request_url: 'access_token=x',
            request_body: '{"order_id":"o","delivery_id":"TEST"}',
            response_body: answer,
            client_ip: '127.0.0.1',
            failed: false,
          });
        }
      }) / calls;
    // Baseline in the same run: the core's own work for a cached getOrder (token check and HTTP excluded).
    await core.orders.addOrder('wxbenchcost0000001', orderBody('cost-1'));
    const args = { order_id: 'cost-1', delivery_id: 'TEST' };
    await core.orders.getOrderJson('wxbenchcost0000001', args);
    const gets = 20_000;
    const t0 = process.cpuUsage();
    for (let i = 0; i < gets; i++) await core.orders.getOrderJson('wxbenchcost0000001', args);
    const d0 = process.cpuUsage(t0);
    const getUs = (d0.user + d0.system) / gets;
    const flushes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = process.hrtime.bigint();
      await rids.flush();
      flushes.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    flushes.sort((a, b) => a - b);
    const flushMs = flushes[5]!;
    const perSecond = (flushMs * 5) / 10; // 5 flushes a second, as % of one core
    const prune = await pruneAtTheCap(store, rids.options.keepPerApp, answer.toString('utf8'));
    return [
      {
        metric: "call counting, CPU per call (admit), vs the core's cached getOrder",
        value: `${admitUs.toFixed(2)} µs`,
        baseline: `getOrder core ${getUs.toFixed(1)} µs`,
        ratio: (admitUs / getUs).toFixed(3),
      },
      {
        metric: "rid log, CPU per call (rid + record), vs the core's cached getOrder",
        value: `${recordUs.toFixed(2)} µs`,
        baseline: `getOrder core ${getUs.toFixed(1)} µs`,
        ratio: (recordUs / getUs).toFixed(3),
      },
      {
        metric: `rid log flush into SQLite, ${rids.options.successBatch} successes of 12 KB (ms, median of 10)`,
        value: flushMs.toFixed(1),
        baseline: `${perSecond.toFixed(1)} % of a core at 5 flushes/s`,
      },
      {
        metric: `rid log prune of a full log (${prune.keep.toLocaleString('en')} answers of 12 KB kept, ${PRUNE_EXCESS} over): ms the event loop waits, median of 3, vs the previous statement`,
        value: prune.ms.toFixed(1),
        baseline: `previous ${prune.previousMs.toFixed(1)}`,
        ratio: (prune.previousMs / prune.ms).toFixed(1),
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
