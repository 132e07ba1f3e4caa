/** Conformance cases: call-limit overrides, daily call counters, monthly resets, the rid log. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { APP, APP2, times, withApps } from './conformance-fixtures.ts';
import type { ApiLimitRecord, RidRecord } from './types.ts';

const limit = (over: Partial<ApiLimitRecord> = {}): ApiLimitRecord => ({
  appid: APP,
  cgi_path: '/cgi-bin/express/business/order/get',
  daily_limit: 10,
  call_count: null,
  refresh_second: null,
  updated_at: 1000,
  ...over,
});

const rid = (id: string, over: Partial<RidRecord> = {}): RidRecord => ({
  rid: id,
  appid: APP,
  cgi_path: '/cgi-bin/express/business/order/get',
  invoke_time: 1000,
  cost_in_ms: 3,
  request_url: 'access_token=86_x',
  request_body: '{"order_id":"中文 \\"q\\""}',
  response_body: '{"errcode":930563,"errmsg":"order not exists rid: x"}',
  client_ip: '127.0.0.1',
  ...over,
});

export const apiCallCases: ConformanceCase[] = [
  [
    'apiCalls: limits are upserted per app and path, listed in byte order, deleted; nulls survive',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.apiCalls.putLimit(limit({ cgi_path: '/z' }));
      await store.apiCalls.putLimit(limit({ cgi_path: '*', daily_limit: null, call_count: 5, refresh_second: 60 }));
      await store.apiCalls.putLimit(limit({ cgi_path: '/z', daily_limit: 20, updated_at: 2000 }));
      await store.apiCalls.putLimit(limit({ appid: APP2 }));
      assert.deepEqual(await store.apiCalls.listLimits(APP), [
        limit({ cgi_path: '*', daily_limit: null, call_count: 5, refresh_second: 60 }),
        limit({ cgi_path: '/z', daily_limit: 20, updated_at: 2000 }),
      ]);
      assert.equal((await store.apiCalls.listLimits()).length, 3);
      assert.equal(await store.apiCalls.deleteLimit(APP, '/z'), true);
      assert.equal(await store.apiCalls.deleteLimit(APP, '/z'), false);
      assert.deepEqual(
        (await store.apiCalls.listLimits(APP)).map((l) => l.cgi_path),
        ['*'],
      );
    },
  ],
  [
    "apiCalls: addUsage adds to the day's counters; concurrent batches lose no increment; unknown apps are dropped",
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const p = '/cgi-bin/express/business/order/get';
      await times(20, (i) =>
        store.transaction((tx) =>
          tx.apiCalls.addUsage([
            { appid: APP, cgi_path: p, day: 7, count: 1 },
            { appid: APP2, cgi_path: p, day: 7, count: i },
            { appid: 'wxnope', cgi_path: p, day: 7, count: 1 },
          ]),
        ),
      );
      await store.apiCalls.addUsage([{ appid: APP, cgi_path: p, day: 8, count: 5 }]);
      assert.deepEqual(await store.apiCalls.listUsage(7), [
        { appid: APP, cgi_path: p, count: 20 },
        { appid: APP2, cgi_path: p, count: 190 },
      ]);
      assert.deepEqual(await store.apiCalls.listUsage(8, APP), [{ appid: APP, cgi_path: p, count: 5 }]);
      await store.apiCalls.clearUsage(APP, 7);
      assert.deepEqual(
        (await store.apiCalls.listUsage(7)).map((r) => r.appid),
        [APP2],
      );
      assert.equal(await store.apiCalls.pruneUsage(8), 1);
      assert.deepEqual(await store.apiCalls.listUsage(7), []);
      assert.equal((await store.apiCalls.listUsage(8)).length, 1);
    },
  ],
  [
    'two instances: concurrent addUsage through both loses no increment',
    async (h) => {
      await withApps(h.store);
      const peer = await h.peer();
      const d = [{ appid: APP, cgi_path: '/p', day: 1, count: 1 }];
      await times(30, (i) => (i % 2 ? peer : h.store).transaction((tx) => tx.apiCalls.addUsage(d)));
      assert.deepEqual(await h.store.apiCalls.listUsage(1), [{ appid: APP, cgi_path: '/p', count: 30 }]);
    },
  ],
  [
    'apiCalls: takeReset grants at most max per app and month, also when taken concurrently',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const taken = await times(15, () => store.apiCalls.takeReset(APP, 24322, 10));
      assert.equal(taken.filter(Boolean).length, 10);
      assert.equal(await store.apiCalls.resetsUsed(APP, 24322), 10);
      assert.equal(await store.apiCalls.takeReset(APP, 24323, 10), true, 'a new month');
      assert.equal(await store.apiCalls.takeReset(APP2, 24322, 10), true, 'another app');
      assert.equal(await store.apiCalls.resetsUsed(APP2, 24321), 0);
    },
  ],
  [
    'apiCalls: rids are written in batches, read back exactly; repeated rids and unknown apps are dropped',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.transaction((tx) =>
        tx.apiCalls.insertRids([rid('r1'), rid('r2', { appid: APP2, request_body: '', cost_in_ms: 0 }), rid('r3', { appid: 'wxnope' })]),
      );
      await store.apiCalls.insertRids([rid('r1', { cost_in_ms: 99 })]);
      assert.deepEqual(await store.apiCalls.getRid('r1'), rid('r1'));
      assert.deepEqual(await store.apiCalls.getRid('r2'), rid('r2', { appid: APP2, request_body: '', cost_in_ms: 0 }));
      assert.equal(await store.apiCalls.getRid('r3'), undefined);
    },
  ],
  [
    'apiCalls: pruneRids drops rows older than the cut and all but the newest per app',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.apiCalls.insertRids([
        rid('old', { invoke_time: 10 }),
        ...[1, 2, 3, 4].map((i) => rid(`a${i}`, { invoke_time: 100 + i })),
        rid('b1', { appid: APP2, invoke_time: 101 }),
      ]);
      assert.equal(await store.apiCalls.pruneRids(50, 2), 3);
      for (const [id, kept] of [
        ['old', false],
        ['a1', false],
        ['a2', false],
        ['a3', true],
        ['a4', true],
        ['b1', true],
      ] as const) {
        assert.equal((await store.apiCalls.getRid(id)) !== undefined, kept, id);
      }
    },
  ],
  [
    'apiCalls: pruneRids keeps the newest per app by invoke_time, then by rid within the same second',
    async ({ store }) => {
      await withApps(store, APP);
      // Inserted out of order: which rows go must not depend on when they were written.
      await store.apiCalls.insertRids(['c', 'a', 'd', 'b', 'e'].map((id) => rid(`t-${id}`, { invoke_time: id === 'e' ? 201 : 200 })));
      assert.equal(await store.apiCalls.pruneRids(0, 3), 2);
      const kept = [];
      for (const id of ['a', 'b', 'c', 'd', 'e']) if (await store.apiCalls.getRid(`t-${id}`)) kept.push(id);
      assert.deepEqual(kept, ['c', 'd', 'e']);
      assert.equal(await store.apiCalls.pruneRids(0, 3), 0, 'nothing beyond the cap: nothing deleted');
      assert.equal(await store.apiCalls.pruneRids(0, 0), 3, 'a cap of 0 empties the log');
    },
  ],
  [
    "apiCalls: resetApp removes the app's limits, counters, resets and rids",
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.apiCalls.putLimit(limit());
      await store.apiCalls.addUsage([
        { appid: APP, cgi_path: '/p', day: 1, count: 1 },
        { appid: APP2, cgi_path: '/p', day: 1, count: 1 },
      ]);
      await store.apiCalls.takeReset(APP, 1, 10);
      await store.apiCalls.insertRids([rid('r1')]);
      assert.equal(await store.resetApp(APP), true);
      assert.deepEqual(await store.apiCalls.listLimits(APP), []);
      assert.deepEqual(
        (await store.apiCalls.listUsage(1)).map((r) => r.appid),
        [APP2],
      );
      assert.equal(await store.apiCalls.resetsUsed(APP, 1), 0);
      assert.equal(await store.apiCalls.getRid('r1'), undefined);
    },
  ],
];
