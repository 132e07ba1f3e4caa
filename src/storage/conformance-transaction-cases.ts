/** Conformance cases: transactions, reopening the same data, and two live instances on it. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { account, APP, APP2, newEvent, order, sleep, times, token, withApps } from './conformance-fixtures.ts';
import type { Store } from './types.ts';

/** A row in every table, through the interfaces. */
async function fillEverything(store: Store): Promise<void> {
  await withApps(store, APP, APP2);
  await store.tokens.insert(token('h', { kind: 'stable', token_text: 'T' }));
  await store.tokens.setForceRefresh(APP, { day: 1, count: 2, last_at: 3 });
  await store.orders.insertIfAbsent(order('o1'));
  await store.orders.appendPathNode(APP, 'o1', { action_time: 1, action_type: 100001, action_msg: 'x' }, 2);
  await store.accounts.upsert(account('b', { quota_num: 4 }));
  await store.sequences.next('s');
  await store.cloud.addCredential({ secret_id: 'AKID', appid: APP, secret_key: 'k', created_at: 1 });
  await store.cloud.addEnv(APP, 'env-1');
  await store.pushConfigs.put({
    appid: APP,
    url: 'http://x',
    token: 't',
    encoding_aes_key: '',
    mode: 'plain',
    format: 'json',
    updated_at: 1,
  });
  const id = await store.events.insert(newEvent('s'));
  await store.events.recordAttempt(
    {
      event_id: id,
      attempt: 1,
      started_at: 1,
      duration_ms: 2,
      url: 'u',
      status_code: 200,
      response_excerpt: 'ok',
      error: null,
      delivered: true,
    },
    { status: 'delivered', attempts: 1, next_attempt_at: 1, delivered_at: 1, last_error: null },
  );
  await store.printers.upsert({ appid: APP, openid: 'o', tagid_list: '1', updated_at: 1 });
  await store.schedule.insert([{ appid: APP, order_id: 'o1', step: 2, due_at: 9, action_type: 100002, action_msg: 'm' }]);
  await store.settings.put('k', 'v');
}

/** Everything `fillEverything` wrote, as read through the interfaces. */
async function snapshot(store: Store): Promise<unknown> {
  const [event] = await store.events.list({ limit: 10 });
  return {
    apps: await store.apps.list(),
    token: await store.tokens.get('h'),
    forceRefresh: await store.tokens.getForceRefresh(APP),
    order: await store.orders.get(APP, 'o1'),
    path: await store.orders.listPathNodes(APP, 'o1'),
    accounts: await store.accounts.list(APP),
    credentials: await store.cloud.listCredentials(APP),
    envs: await store.cloud.listEnvs(APP),
    push: await store.pushConfigs.get(APP),
    event,
    attempts: event && (await store.events.listAttempts(event.id)),
    printers: await store.printers.list(APP),
    steps: await store.schedule.due(100, 10),
    setting: await store.settings.get('k'),
  };
}

export const transactionCases: ConformanceCase[] = [
  [
    'transaction: answers what fn returns, and fn reads its own writes',
    async ({ store }) => {
      const result = await store.transaction(async (tx) => {
        await tx.apps.insert(app1());
        return (await tx.apps.get(APP))?.appid;
      });
      assert.equal(result, APP);
      assert.equal((await store.apps.get(APP))?.appid, APP);
    },
  ],
  [
    'transaction: a throw rolls back every write of fn (state change and outbox event alike) and rethrows',
    async ({ store }) => {
      await withApps(store);
      await store.accounts.upsert(account('b', { quota_num: 1 }));
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.orders.insertIfAbsent(order('o1'));
          await tx.orders.appendPathNode(APP, 'o1', { action_time: 1, action_type: 1, action_msg: '' }, 1);
          await tx.accounts.takeQuota(APP, 'SF', 'b', 5);
          await tx.events.insert(newEvent('s'));
          await tx.settings.put('k', 'v');
          await tx.apps.insert({ appid: APP2, secret_hash: 'x', created_at: 1 });
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await store.orders.get(APP, 'o1'), undefined);
      assert.deepEqual(await store.orders.listPathNodes(APP, 'o1'), []);
      assert.equal((await store.accounts.get(APP, 'SF', 'b'))?.quota_num, 1);
      assert.deepEqual(await store.events.list({ limit: 10 }), []);
      assert.equal(await store.settings.get('k'), undefined);
      assert.equal(await store.apps.get(APP2), undefined);
    },
  ],
  [
    'transaction: a failing statement rolls back the whole transaction',
    async ({ store }) => {
      await withApps(store);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.settings.put('k', 'v');
          await tx.apps.insert({ appid: APP, secret_hash: 'dup', created_at: 1 });
        }),
      );
      assert.equal(await store.settings.get('k'), undefined);
      assert.equal((await store.apps.get(APP))?.secret_hash, `scrypt$${APP}`);
    },
  ],
  [
    'transaction: a concurrent reader sees all of a transaction or none of it',
    async ({ store }) => {
      const writer = store.transaction(async (tx) => {
        await tx.apps.insert({ appid: APP, secret_hash: 'x', created_at: 1 });
        await sleep(30);
        await tx.apps.insert({ appid: APP2, secret_hash: 'x', created_at: 2 });
      });
      await sleep(10);
      const seen = (await store.apps.list()).length;
      await writer;
      assert.ok(seen === 0 || seen === 2, `saw ${seen} of 2 apps`);
      assert.equal((await store.apps.list()).length, 2);
    },
  ],
  [
    'transaction: the store keeps working after a rolled-back transaction',
    async ({ store }) => {
      await assert.rejects(store.transaction(async () => Promise.reject(new Error('x'))));
      await times(5, (i) => store.transaction((tx) => tx.settings.put(`k${i}`, 'v')));
      assert.equal(await store.settings.get('k4'), 'v');
    },
  ],

  [
    'reopen: a store opened again on the same data sees every row (init twice changes nothing)',
    async (h) => {
      await fillEverything(h.store);
      const before = await snapshot(h.store);
      await h.store.init();
      const reopened = await h.reopen();
      assert.deepEqual(await snapshot(reopened), before);
      assert.equal(await reopened.sequences.next('s'), 2);
    },
  ],

  [
    'two instances: concurrent addNumber through both loses no add',
    async (h) => {
      const other = await h.peer();
      await times(30, (i) => (i % 2 ? other : h.store).settings.addNumber('clock_offset_ms', 1000));
      assert.equal(Number(await h.store.settings.get('clock_offset_ms')), 30_000);
      assert.equal(Number(await other.settings.get('clock_offset_ms')), 30_000);
    },
  ],
  [
    'two instances: an order written through one is read through the other',
    async (h) => {
      const other = await h.peer();
      await withApps(h.store);
      await h.store.orders.insertIfAbsent(order('o1'));
      assert.deepEqual(await other.orders.get(APP, 'o1'), order('o1'));
    },
  ],
  [
    'two instances: concurrent insertIfAbsent of one order through both inserts it once',
    async (h) => {
      const other = await h.peer();
      await withApps(h.store);
      const results = await times(20, (i) =>
        (i % 2 ? other : h.store).transaction(async (tx) => {
          await tx.orders.get(APP, 'o1');
          await sleep(2);
          return tx.orders.insertIfAbsent(order('o1', { waybill_id: `W${i}` }));
        }),
      );
      assert.equal(results.filter((r) => r.inserted).length, 1);
    },
  ],
  [
    'two instances: apps.lock serialises read-modify-write transactions across both',
    async (h) => {
      const other = await h.peer();
      await withApps(h.store);
      await times(10, (i) =>
        (i % 2 ? other : h.store).transaction(async (tx) => {
          await tx.apps.lock(APP);
          const n = Number((await tx.settings.get('counter')) ?? '0');
          await sleep(3);
          await tx.settings.put('counter', String(n + 1));
        }),
      );
      assert.equal(await h.store.settings.get('counter'), '10');
    },
  ],
  [
    'two instances: quota, sequences and scheduled steps are handed out once across both',
    async (h) => {
      const other = await h.peer();
      await withApps(h.store);
      await h.store.accounts.upsert(account('b', { quota_num: 5 }));
      await h.store.orders.insertIfAbsent(order('o1'));
      await h.store.schedule.insert([{ appid: APP, order_id: 'o1', step: 1, due_at: 1, action_type: 1, action_msg: '' }]);
      const pick = (i: number) => (i % 2 ? other : h.store);
      const quota = await times(12, (i) => pick(i).accounts.takeQuota(APP, 'SF', 'b', i));
      const seqs = await times(20, (i) => pick(i).sequences.next('n'));
      const takes = await times(6, (i) => pick(i).schedule.take(APP, 'o1', 1));
      assert.equal(quota.filter(Boolean).length, 5);
      assert.equal(new Set(seqs).size, 20);
      assert.equal(takes.filter(Boolean).length, 1);
    },
  ],
  [
    'two instances: concurrent claimDue through both hands each event to one owner, one per stream',
    async (h) => {
      const other = await h.peer();
      await withApps(h.store);
      const firsts: number[] = [];
      for (let s = 0; s < 20; s++) {
        firsts.push(await h.store.events.insert(newEvent(`stream${s}`)));
        await h.store.events.insert(newEvent(`stream${s}`));
      }
      const claimed = await times(8, async (w) => {
        const got: number[] = [];
        for (let round = 0; round < 6; round++) {
          got.push(...(await (w % 2 ? other : h.store).events.claimDue(1000, `w${w}`, 60_000, 2)).map((e) => e.id));
        }
        return got;
      });
      assert.deepEqual(
        claimed.flat().sort((a, b) => a - b),
        firsts,
      );
    },
  ],
];

function app1() {
  return { appid: APP, secret_hash: 'x', created_at: 1 };
}
