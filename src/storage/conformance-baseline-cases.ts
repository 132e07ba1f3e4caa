/** Conformance cases: captureBaseline / restoreBaseline, what a reset puts back (./baseline.ts). */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { account, app, APP, APP2, newEvent, order, token } from './conformance-fixtures.ts';
import { BaselineTooLargeError } from './baseline.ts';
import type { Store } from './types.ts';

/** What can be read of the whole store through the interfaces (for before/after comparisons). */
async function observe(store: Store) {
  const apps = await store.apps.list();
  const perApp = [];
  for (const a of apps) {
    perApp.push({
      appid: a.appid,
      orders: await store.orders.search({ appid: a.appid, limit: 100 }),
      path: await store.orders.listPathNodes(a.appid, 'o1'),
      accounts: await store.accounts.list(a.appid),
      printers: await store.printers.list(a.appid),
      push: await store.pushConfigs.get(a.appid),
      envs: await store.cloud.listEnvs(a.appid),
      credentials: await store.cloud.listCredentials(a.appid),
      tokens: await store.tokens.listLive(a.appid, 'token', 0),
      forceRefresh: (await store.tokens.getForceRefresh(a.appid)) ?? null,
      autoprogress: (await store.settings.get(`autoprogress:${a.appid}`)) ?? null,
    });
  }
  const events = await store.events.list({ limit: 100 });
  const attempts = [];
  for (const e of events) attempts.push(await store.events.listAttempts(e.id));
  return {
    apps,
    perApp,
    events,
    attempts,
    clock: (await store.settings.get('clock_offset_ms')) ?? null,
    due: await store.schedule.due(Number.MAX_SAFE_INTEGER, 100),
  };
}

async function fill(store: Store, appid: string): Promise<void> {
  await store.apps.insert(app(appid));
  await store.tokens.insert(token(`tok-${appid}`, { appid }));
  await store.tokens.setForceRefresh(appid, { day: 1, count: 2, last_at: 3 });
  await store.orders.insertIfAbsent(order('o1', { appid }));
  await store.orders.appendPathNode(appid, 'o1', { action_time: 1_700_000_300, action_type: 100001, action_msg: '揽件' }, 1_700_000_300);
  await store.schedule.insert([{ appid, order_id: 'o1', step: 2, due_at: 1_700_009_000, action_type: 200001, action_msg: 'm' }]);
  await store.accounts.upsert(account('b', { appid, quota_num: 5 }));
  await store.printers.upsert({ appid, openid: 'oPrinter', tagid_list: '1', updated_at: 5 });
  await store.cloud.addCredential({ secret_id: `AKID-${appid}`, appid, secret_key: 'k', created_at: 7 });
  await store.cloud.addEnv(appid, 'env-1');
  const id = await store.events.insert(newEvent(`TEST:WB-${appid}-o1`, { appid }));
  await store.events.recordAttempt(
    {
      event_id: id,
      attempt: 1,
      started_at: 10,
      duration_ms: 3,
      url: 'http://r',
      status_code: 500,
      response_excerpt: 'no',
      error: 'HTTP 500',
      delivered: false,
    },
    { status: 'pending', attempts: 1, next_attempt_at: 20, delivered_at: null, last_error: 'HTTP 500' },
  );
  await store.settings.put(`autoprogress:${appid}`, '{"enabled":true}');
}

/** Everything a test run does after the baseline: new rows, changed rows, deleted rows, in every table. */
async function scribble(store: Store): Promise<void> {
  await store.apps.insert(app(APP2));
  await store.tokens.insert(token('tok-new', { appid: APP }));
  await store.tokens.setRevokeAt(`tok-${APP}`, 1);
  await store.tokens.setForceRefresh(APP, { day: 9, count: 9, last_at: 9 });
  await store.orders.insertIfAbsent(order('o2'));
  await store.orders.setStatus(APP, 'o1', 1, 1_700_001_000);
  await store.orders.appendPathNode(APP, 'o1', { action_time: 1_700_000_400, action_type: 400001, action_msg: '取消' }, 1_700_000_400);
  await store.schedule.clear(APP, 'o1');
  assert.equal(await store.accounts.takeQuota(APP, 'SF', 'b', 1), true);
  await store.accounts.upsert(account('c'));
  await store.printers.delete(APP, 'oPrinter');
  await store.pushConfigs.put({
    appid: APP,
    url: 'http://127.0.0.1:1/p',
    token: 't',
    encoding_aes_key: '',
    mode: 'plain',
    format: 'json',
    updated_at: 8,
  });
  await store.cloud.addEnv(APP, 'env-2');
  await store.cloud.addCredential({ secret_id: 'AKID-new', appid: APP, secret_key: 'k2', created_at: 8 });
  await store.events.insert(newEvent('s-new'));
  await store.settings.put(`autoprogress:${APP}`, '{"enabled":false}');
  await store.settings.put('clock_offset_ms', '3600000');
  await store.sequences.next('waybill:TEST');
}

export const baselineCases: ConformanceCase[] = [
  [
    'restoreBaseline puts every table back: rows written since are gone, changed rows are as they were, deleted ones are back',
    async ({ store }) => {
      await fill(store, APP);
      const first = await store.sequences.next('waybill:TEST');
      const before = await observe(store);
      const baseline = await store.captureBaseline(1000);
      await scribble(store);
      assert.notDeepEqual(await observe(store), before);
      await store.restoreBaseline(baseline);
      assert.deepEqual(await observe(store), before);
      assert.equal(await store.tokens.get('tok-new'), undefined);
      assert.equal(await store.cloud.findCredential('AKID-new'), undefined);
      assert.equal(await store.sequences.next('waybill:TEST'), first + 1, 'counters go back too');
      // A baseline is reusable: a second round lands in the same state.
      await scribble(store);
      await store.restoreBaseline(baseline);
      assert.deepEqual(await observe(store), before);
    },
  ],
  [
    'event ids keep increasing across a restore (an id never names two events)',
    async ({ store }) => {
      await store.apps.insert(app(APP));
      const baseline = await store.captureBaseline(1000);
      const a = await store.events.insert(newEvent('s'));
      await store.restoreBaseline(baseline);
      assert.equal(await store.events.get(a), undefined);
      const b = await store.events.insert(newEvent('s'));
      assert.ok(b > a, `${b} > ${a}`);
    },
  ],
  [
    'captureBaseline refuses a store holding more rows than maxRows',
    async ({ store }) => {
      await fill(store, APP);
      const small = await store.captureBaseline(100);
      await assert.rejects(store.captureBaseline(5), BaselineTooLargeError);
      await store.restoreBaseline(small);
      assert.equal((await store.apps.list()).length, 1);
    },
  ],
];
