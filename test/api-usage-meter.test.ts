import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/app.ts';
import { ApiUsageMeter } from '../src/core/api-usage-meter.ts';
import { AdjustableClock } from '../src/core/clock.ts';
import type { Store } from '../src/storage/types.ts';

const PATH = '/cgi-bin/express/business/delivery/getall';
const APPID = 'wxmeter000000001';

test('a reload asked for while a flush writes does not count the flushed calls twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-meter-'));
  const store = await openStore({ dataDir: dir });
  try {
    await store.apps.insert({ appid: APPID, secret_hash: 'x', created_at: 0 });
    // The real SQLite store, with the order of its answers pinned: the first read of the
    // totals happens only once the flush's batch is committed (so it includes it), and
    // every later read takes 20 ms. Unserialised, the console's reload read first and
    // answered while the flush still counted the batch in flight: 2 calls for 1.
    let committed!: () => void;
    const commit = new Promise<void>((resolve) => (committed = resolve));
    let reads = 0;
    const ordered = {
      transaction: async (work: Parameters<Store['transaction']>[0]) => {
        const out = await store.transaction(work);
        committed();
        return out;
      },
      apiCalls: {
        listUsage: async (day: number) => {
          await (reads++ === 0 ? commit : sleep(20));
          return store.apiCalls.listUsage(day);
        },
        listLimits: () => store.apiCalls.listLimits(),
      },
    } as unknown as Store;
    const meter = new ApiUsageMeter(ordered, new AdjustableClock());
    meter.count(APPID, PATH);
    assert.equal(meter.usedToday(APPID, PATH), 1);

    const flushed = meter.flush();
    const seenByReload = meter.reload().then(() => meter.usedToday(APPID, PATH));
    assert.equal(await seenByReload, 1, 'once, right after the reload');
    await flushed;
    assert.equal(meter.usedToday(APPID, PATH), 1, 'once, after the flush');
    assert.equal((await store.apiCalls.listUsage(meter.today())).find((r) => r.cgi_path === PATH)?.count, 1, 'written once');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
