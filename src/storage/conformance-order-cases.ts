/** Conformance cases: orders, path nodes, order search, scheduled steps. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { APP, APP2, cmp, order, sleep, times, withApps } from './conformance-fixtures.ts';
import type { OrderRecord, ScheduledStepRecord } from './types.ts';

const key = (o: OrderRecord) => `${o.appid}/${o.order_id}`;
const newestFirst = (a: OrderRecord, b: OrderRecord) => b.created_at - a.created_at || cmp(b.appid, a.appid) || cmp(b.order_id, a.order_id);

export const orderCases: ConformanceCase[] = [
  [
    'orders: getHead answers delivery_id, waybill_id, version and order_status, following changes; undefined when absent',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('head-1'));
      const o = (await store.orders.get(APP, 'head-1'))!;
      assert.deepEqual(await store.orders.getHead(APP, 'head-1'), {
        delivery_id: o.delivery_id,
        waybill_id: o.waybill_id,
        version: o.version,
        order_status: o.order_status,
      });
      await store.orders.setStatus(APP, 'head-1', 1, 5);
      assert.deepEqual(await store.orders.getHead(APP, 'head-1'), {
        delivery_id: o.delivery_id,
        waybill_id: o.waybill_id,
        version: o.version + 1,
        order_status: 1,
      });
      assert.equal(await store.orders.getHead(APP, 'nope'), undefined);
      assert.equal(await store.orders.getHead(APP2, 'head-1'), undefined);
    },
  ],
  [
    'orders: knownOrderHead (where a store has it) is never older than the last commit, in or outside transactions, and forgets rolled-back writes',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('known-1'));
      const known = () => store.knownOrderHead?.(APP, 'known-1');
      const head = async () => (await store.orders.getHead(APP, 'known-1'))!;
      const agrees = async (what: string) => {
        const k = known();
        if (k !== undefined) assert.deepEqual(k, await head(), what);
      };
      await store.orders.get(APP, 'known-1');
      await agrees('after a read');
      await store.orders.setStatus(APP, 'known-1', 1, 5);
      await agrees('after a write outside a transaction');
      await store.orders.get(APP, 'known-1');
      let outsideRead: Promise<unknown> = Promise.resolve();
      const inside = store.transaction(async (tx) => {
        await tx.orders.lock(APP, 'known-1');
        await tx.orders.appendPathNode(APP, 'known-1', { action_time: 6, action_type: 100001, action_msg: 'x' }, 6);
        // An outside read while the write is open (in memory it waits for the commit); awaited after it.
        outsideRead = store.orders.getHead(APP, 'known-1');
      });
      await inside;
      await outsideRead;
      await agrees('after a committed transaction');
      assert.equal((await head()).version, 3);
      await store.orders.get(APP, 'known-1');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.orders.setStatus(APP, 'known-1', 0, 7);
          throw new Error('rolled back');
        }),
      );
      await agrees('after a rolled-back transaction');
      assert.equal((await head()).version, 3);
    },
  ],
  [
    'orders: lock serialises concurrent read-check-write transactions of one order (one cancel wins)',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('locked'));
      const results = await times(5, () =>
        store.transaction(async (tx) => {
          await tx.orders.lock(APP, 'locked');
          const o = await tx.orders.get(APP, 'locked');
          if (o?.order_status !== 0) return false;
          await sleep(3);
          await tx.orders.setStatus(APP, 'locked', 1, 2);
          return true;
        }),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.orders.get(APP, 'locked'))?.version, 2);
    },
  ],
  [
    'orders: insertIfAbsent inserts a new order, which get reads back unchanged',
    async ({ store }) => {
      await withApps(store);
      const o = order('o1');
      assert.deepEqual(await store.orders.insertIfAbsent(o), { inserted: true });
      assert.deepEqual(await store.orders.get(APP, 'o1'), o);
      assert.equal(await store.orders.get(APP, 'nope'), undefined);
      assert.equal(await store.orders.get(APP2, 'o1'), undefined);
    },
  ],
  [
    'orders: insertIfAbsent of an existing order_id answers the stored order and changes nothing',
    async ({ store }) => {
      await withApps(store);
      const o = order('o1');
      await store.orders.insertIfAbsent(o);
      const again = order('o1', { waybill_id: 'OTHER', body: '{}', created_at: 5 });
      assert.deepEqual(await store.orders.insertIfAbsent(again), { inserted: false, existing: o });
      assert.deepEqual(await store.orders.get(APP, 'o1'), o);
    },
  ],
  [
    'orders: the same order_id in another app is another order',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.orders.insertIfAbsent(order('o1'));
      assert.deepEqual(await store.orders.insertIfAbsent(order('o1', { appid: APP2 })), { inserted: true });
    },
  ],
  [
    'orders: a second order with a taken waybill_id rejects',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1', { waybill_id: 'W1' }));
      await assert.rejects(store.orders.insertIfAbsent(order('o2', { waybill_id: 'W1' })));
      assert.equal(await store.orders.get(APP, 'o2'), undefined);
    },
  ],
  [
    'orders: 20 concurrent transactions inserting one order_id insert it once; the others get the winner',
    async ({ store }) => {
      await withApps(store);
      const results = await times(20, (i) =>
        store.transaction(async (tx) => {
          const before = await tx.orders.get(APP, 'race');
          await sleep(2);
          const res = await tx.orders.insertIfAbsent(order('race', { waybill_id: `W${i}`, body: `{"i":${i}}` }));
          return { before, res };
        }),
      );
      const winners = results.filter((r) => r.res.inserted);
      assert.equal(winners.length, 1);
      const stored = await store.orders.get(APP, 'race');
      assert.ok(stored);
      for (const r of results) if (!r.res.inserted) assert.deepEqual(r.res.existing, stored);
    },
  ],
  [
    'orders: setStatus sets status and updated_at and bumps the version',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      await store.orders.setStatus(APP, 'o1', 1, 1_700_000_500);
      assert.deepEqual(await store.orders.get(APP, 'o1'), order('o1', { order_status: 1, updated_at: 1_700_000_500, version: 2 }));
    },
  ],

  [
    'path nodes: appended nodes keep their order; each append answers the count and bumps version and last_action_type',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      await store.orders.insertIfAbsent(order('o2'));
      assert.equal(await store.orders.pathCount(APP, 'o1'), 0);
      assert.deepEqual(await store.orders.listPathNodes(APP, 'o1'), []);
      const nodes = [
        { action_time: 300, action_type: 100001, action_msg: '揽件' },
        { action_time: 200, action_type: 100002, action_msg: 'in transit' },
        { action_time: 400, action_type: 100003, action_msg: '' },
      ];
      for (const [i, n] of nodes.entries()) assert.equal(await store.orders.appendPathNode(APP, 'o1', n, 1_700_000_600 + i), i + 1);
      assert.deepEqual(await store.orders.listPathNodes(APP, 'o1'), nodes);
      assert.equal(await store.orders.pathCount(APP, 'o1'), 3);
      assert.deepEqual(await store.orders.get(APP, 'o1'), order('o1', { version: 4, last_action_type: 100003, updated_at: 1_700_000_602 }));
      assert.equal(await store.orders.pathCount(APP, 'o2'), 0);
      assert.deepEqual(await store.orders.get(APP, 'o2'), order('o2'));
    },
  ],
  [
    'path nodes: concurrent appends to one order get distinct positions and all count',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      const plain = times(8, (i) =>
        store.orders.appendPathNode(APP, 'o1', { action_time: i, action_type: 100002, action_msg: `p${i}` }, 1),
      );
      const inTx = times(8, (i) =>
        store.transaction((tx) => tx.orders.appendPathNode(APP, 'o1', { action_time: i, action_type: 100002, action_msg: `t${i}` }, 1)),
      );
      const counts = [...(await plain), ...(await inTx)].sort((a, b) => a - b);
      assert.deepEqual(
        counts,
        Array.from({ length: 16 }, (_, i) => i + 1),
      );
      assert.equal((await store.orders.listPathNodes(APP, 'o1')).length, 16);
      assert.equal((await store.orders.get(APP, 'o1'))?.version, 17);
    },
  ],
  [
    'path nodes: appending to an order that does not exist rejects',
    async ({ store }) => {
      await withApps(store);
      await assert.rejects(store.orders.appendPathNode(APP, 'ghost', { action_time: 1, action_type: 100001, action_msg: '' }, 1));
      assert.deepEqual(await store.orders.listPathNodes(APP, 'ghost'), []);
    },
  ],

  [
    'orders.search: keyset pages walk every match newest first by (created_at, appid, order_id), byte order, no repeats',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const all: OrderRecord[] = [];
      const ids = ['a1', 'B2', 'b2', '_x', 'Z9', 'z0', 'm5'];
      for (const [i, id] of ids.entries()) {
        for (const appid of [APP, APP2]) {
          const o = order(id, { appid, created_at: 100 + (i % 3) * 10 });
          all.push(o);
          await store.orders.insertIfAbsent(o);
        }
      }
      const expected = [...all].sort(newestFirst);
      const seen: OrderRecord[] = [];
      let before: { created_at: number; appid: string; order_id: string } | undefined;
      for (;;) {
        const page = await store.orders.search(before ? { limit: 4, before } : { limit: 4 });
        assert.ok(page.length <= 4);
        if (page.length === 0) break;
        seen.push(...page);
        const last = page[page.length - 1]!;
        before = { created_at: last.created_at, appid: last.appid, order_id: last.order_id };
      }
      assert.deepEqual(seen.map(key), expected.map(key));
      assert.deepEqual(seen, expected);
    },
  ],
  [
    'orders.search: each filter narrows to matching orders',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.orders.insertIfAbsent(order('o1', { created_at: 3 }));
      await store.orders.insertIfAbsent(order('o2', { created_at: 2, delivery_id: 'SF', order_status: 1 }));
      await store.orders.insertIfAbsent(order('o3', { created_at: 1, appid: APP2 }));
      await store.orders.appendPathNode(APP, 'o1', { action_time: 1, action_type: 100001, action_msg: '' }, 9);
      const ids = async (q: Parameters<typeof store.orders.search>[0]) => (await store.orders.search(q)).map((o) => o.order_id);
      assert.deepEqual(await ids({ limit: 10 }), ['o1', 'o2', 'o3']);
      assert.deepEqual(await ids({ limit: 10, appid: APP }), ['o1', 'o2']);
      assert.deepEqual(await ids({ limit: 10, order_id: 'o3' }), ['o3']);
      assert.deepEqual(await ids({ limit: 10, waybill_id: `WB-${APP}-o2` }), ['o2']);
      assert.deepEqual(await ids({ limit: 10, delivery_id: 'SF' }), ['o2']);
      assert.deepEqual(await ids({ limit: 10, order_status: 0 }), ['o1', 'o3']);
      assert.deepEqual(await ids({ limit: 10, last_action_type: 100001 }), ['o1']);
      assert.deepEqual(await ids({ limit: 10, last_action_type: 0, appid: APP }), ['o2']);
      assert.deepEqual(await ids({ limit: 1 }), ['o1']);
      assert.deepEqual(await ids({ limit: 10, before: { created_at: 2, appid: APP, order_id: 'o2' } }), ['o3']);
    },
  ],

  [
    'schedule: due answers steps due at or before now, earliest first (then appid, order_id, step), up to limit',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      for (const [appid, id] of [
        [APP, 'o1'],
        [APP, 'o2'],
        [APP2, 'o1'],
      ] as const)
        await store.orders.insertIfAbsent(order(id, { appid }));
      const st = (appid: string, order_id: string, step: number, due_at: number): ScheduledStepRecord => ({
        appid,
        order_id,
        step,
        due_at,
        action_type: 100001 + step,
        action_msg: `step ${step}`,
      });
      await store.schedule.insert([
        st(APP, 'o2', 2, 50),
        st(APP2, 'o1', 1, 50),
        st(APP, 'o1', 2, 50),
        st(APP, 'o1', 1, 10),
        st(APP, 'o1', 3, 51),
      ]);
      await store.schedule.insert([]);
      assert.deepEqual(await store.schedule.due(50, 10), [
        st(APP, 'o1', 1, 10),
        st(APP, 'o1', 2, 50),
        st(APP, 'o2', 2, 50),
        st(APP2, 'o1', 1, 50),
      ]);
      assert.deepEqual(await store.schedule.due(100, 2), [st(APP, 'o1', 1, 10), st(APP, 'o1', 2, 50)]);
      assert.deepEqual(await store.schedule.due(9, 10), []);
    },
  ],
  [
    'schedule: take removes a step once; clear removes the rest of that order only',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      await store.orders.insertIfAbsent(order('o2'));
      const st = (order_id: string, step: number): ScheduledStepRecord => ({
        appid: APP,
        order_id,
        step,
        due_at: step,
        action_type: 1,
        action_msg: '',
      });
      await store.schedule.insert([st('o1', 1), st('o1', 2), st('o1', 3), st('o2', 1)]);
      assert.equal(await store.schedule.take(APP, 'o1', 1), true);
      assert.equal(await store.schedule.take(APP, 'o1', 1), false);
      assert.equal(await store.schedule.take(APP, 'o1', 9), false);
      await store.schedule.clear(APP, 'o1');
      assert.deepEqual(await store.schedule.due(100, 10), [st('o2', 1)]);
    },
  ],
  [
    'schedule: concurrent take of one step succeeds exactly once',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      await store.schedule.insert([{ appid: APP, order_id: 'o1', step: 1, due_at: 1, action_type: 1, action_msg: '' }]);
      const plain = times(10, () => store.schedule.take(APP, 'o1', 1));
      const inTx = times(10, () => store.transaction((tx) => tx.schedule.take(APP, 'o1', 1)));
      assert.equal([...(await plain), ...(await inTx)].filter(Boolean).length, 1);
    },
  ],
  [
    'schedule: inserting a step twice rejects',
    async ({ store }) => {
      await withApps(store);
      await store.orders.insertIfAbsent(order('o1'));
      const s = { appid: APP, order_id: 'o1', step: 1, due_at: 1, action_type: 1, action_msg: '' };
      await store.schedule.insert([s]);
      await assert.rejects(store.schedule.insert([s]));
    },
  ],
];
