/** Conformance cases: apps, tokens, accounts, sequences, cloud, push configs, printers, settings. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { account, APP, APP2, app, sleep, times, token, withApps } from './conformance-fixtures.ts';
import type { PushConfigRecord } from './types.ts';

export const basicCases: ConformanceCase[] = [
  [
    'apps: an inserted app is read back unchanged; an unknown appid is undefined',
    async ({ store }) => {
      await store.apps.insert(app(APP, 1_700_000_123));
      assert.deepEqual(await store.apps.get(APP), app(APP, 1_700_000_123));
      assert.equal(await store.apps.get('wxnope'), undefined);
    },
  ],
  [
    'apps: list is ordered by created_at, then appid in byte order',
    async ({ store }) => {
      for (const [id, at] of [
        ['wxb', 2],
        ['wxa', 2],
        ['WXz', 2],
        ['wxc', 1],
      ] as const)
        await store.apps.insert(app(id, at));
      assert.deepEqual(
        (await store.apps.list()).map((a) => a.appid),
        ['wxc', 'WXz', 'wxa', 'wxb'],
      );
    },
  ],
  [
    'apps: inserting an existing appid rejects and keeps the first',
    async ({ store }) => {
      await store.apps.insert(app(APP, 1));
      await assert.rejects(store.apps.insert(app(APP, 2)));
      assert.equal((await store.apps.get(APP))?.created_at, 1);
    },
  ],
  [
    'apps: lock serialises concurrent transactions of one app (read-modify-write loses nothing)',
    async ({ store }) => {
      await withApps(store);
      await times(10, () =>
        store.transaction(async (tx) => {
          await tx.apps.lock(APP);
          const n = Number((await tx.settings.get('counter')) ?? '0');
          await sleep(3);
          await tx.settings.put('counter', String(n + 1));
        }),
      );
      assert.equal(await store.settings.get('counter'), '10');
    },
  ],
  [
    'apps: lock of an unknown app resolves',
    async ({ store }) => {
      await store.transaction((tx) => tx.apps.lock('wxnope'));
      await store.apps.lock('wxnope');
    },
  ],

  [
    'tokens: an inserted token is read back with its nullable fields; unknown hash is undefined',
    async ({ store }) => {
      await withApps(store);
      const plain = token('h1');
      const stable = token('h2', { kind: 'stable', revoke_at: 1300, token_text: 'TEXT_2' });
      await store.tokens.insert(plain);
      await store.tokens.insert(stable);
      assert.deepEqual(await store.tokens.get('h1'), plain);
      assert.deepEqual(await store.tokens.get('h2'), stable);
      assert.equal(await store.tokens.get('nope'), undefined);
    },
  ],
  [
    'tokens: listLive answers live tokens of one app and kind, newest first',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.tokens.insert(token('old', { issued_at: 900, expires_at: 8100 }));
      await store.tokens.insert(token('new', { issued_at: 1100, expires_at: 8300 }));
      await store.tokens.insert(token('mid', { issued_at: 1000, expires_at: 8200, revoke_at: 2001 }));
      await store.tokens.insert(token('expired', { issued_at: 1, expires_at: 2000 }));
      await store.tokens.insert(token('revoked', { issued_at: 1050, revoke_at: 2000 }));
      await store.tokens.insert(token('stable', { kind: 'stable', token_text: 's' }));
      await store.tokens.insert(token('other-app', { appid: APP2 }));
      const live = await store.tokens.listLive(APP, 'token', 2000);
      assert.deepEqual(
        live.map((t) => t.token_hash),
        ['new', 'mid', 'old'],
      );
      assert.deepEqual(
        (await store.tokens.listLive(APP, 'stable', 2000)).map((t) => t.token_hash),
        ['stable'],
      );
      assert.deepEqual(await store.tokens.listLive(APP, 'token', 8300), []);
    },
  ],
  [
    'tokens: listLive puts the token issued last first among tokens of the same second',
    async ({ store }) => {
      // The core's issuance within one second: older tokens are revoked before the new one is inserted.
      await withApps(store);
      await store.tokens.insert(token('t1'));
      await store.tokens.setRevokeAt('t1', 1300);
      await store.tokens.insert(token('t2'));
      assert.deepEqual(
        (await store.tokens.listLive(APP, 'token', 1000)).map((t) => t.token_hash),
        ['t2', 't1'],
      );
      await store.tokens.setRevokeAt('t2', 1300);
      await store.tokens.setRevokeAt('t1', 1000);
      await store.tokens.insert(token('t3'));
      assert.deepEqual(
        (await store.tokens.listLive(APP, 'token', 1000)).map((t) => t.token_hash),
        ['t3', 't2'],
      );
    },
  ],
  [
    'tokens: setRevokeAt changes revoke_at; force-refresh state is absent, set, then replaced',
    async ({ store }) => {
      await withApps(store);
      await store.tokens.insert(token('h'));
      await store.tokens.setRevokeAt('h', 1234);
      assert.equal((await store.tokens.get('h'))?.revoke_at, 1234);
      assert.equal(await store.tokens.getForceRefresh(APP), undefined);
      await store.tokens.setForceRefresh(APP, { day: 20000, count: 1, last_at: 5 });
      await store.tokens.setForceRefresh(APP, { day: 20001, count: 2, last_at: 1_700_000_000 });
      assert.deepEqual(await store.tokens.getForceRefresh(APP), { day: 20001, count: 2, last_at: 1_700_000_000 });
    },
  ],

  [
    'accounts: upsert inserts, then updates every field but create_time',
    async ({ store }) => {
      await withApps(store);
      await store.accounts.upsert(account('b1', { quota_num: 3 }));
      assert.deepEqual(await store.accounts.get(APP, 'SF', 'b1'), account('b1', { quota_num: 3 }));
      const changed = account('b1', {
        password: 'pw2',
        alias: 'a2',
        remark_content: 'r',
        remark_wrong_msg: 'w',
        status_code: 2,
        quota_num: 9,
        create_time: 999,
        update_time: 200,
        quota_update_time: 201,
      });
      await store.accounts.upsert(changed);
      assert.deepEqual(await store.accounts.get(APP, 'SF', 'b1'), { ...changed, create_time: 100 });
      assert.equal(await store.accounts.get(APP, 'SF', 'nope'), undefined);
    },
  ],
  [
    "accounts: list is one app's accounts by create_time, delivery_id, biz_id; delete answers whether it removed one",
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.accounts.upsert(account('b', { create_time: 5 }));
      await store.accounts.upsert(account('a', { create_time: 5 }));
      await store.accounts.upsert(account('z', { create_time: 1, delivery_id: 'YTO' }));
      await store.accounts.upsert(account('a', { create_time: 5, delivery_id: 'EMS' }));
      await store.accounts.upsert(account('x', { appid: APP2 }));
      assert.deepEqual(
        (await store.accounts.list(APP)).map((a) => `${a.delivery_id}/${a.biz_id}`),
        ['YTO/z', 'EMS/a', 'SF/a', 'SF/b'],
      );
      assert.equal(await store.accounts.delete(APP, 'SF', 'a'), true);
      assert.equal(await store.accounts.delete(APP, 'SF', 'a'), false);
      assert.deepEqual(
        (await store.accounts.list(APP)).map((a) => a.biz_id),
        ['z', 'a', 'b'],
      );
    },
  ],
  [
    'accounts: takeQuota takes one unit and stamps quota_update_time, then answers false at 0',
    async ({ store }) => {
      await withApps(store);
      await store.accounts.upsert(account('b', { quota_num: 2 }));
      assert.equal(await store.accounts.takeQuota(APP, 'SF', 'b', 500), true);
      assert.deepEqual(await store.accounts.get(APP, 'SF', 'b'), account('b', { quota_num: 1, quota_update_time: 500 }));
      assert.equal(await store.accounts.takeQuota(APP, 'SF', 'b', 501), true);
      assert.equal(await store.accounts.takeQuota(APP, 'SF', 'b', 502), false);
      assert.deepEqual(await store.accounts.get(APP, 'SF', 'b'), account('b', { quota_num: 0, quota_update_time: 501 }));
      assert.equal(await store.accounts.takeQuota(APP, 'SF', 'missing', 503), false);
    },
  ],
  [
    'accounts: concurrent takeQuota hands out exactly the quota and never goes below 0',
    async ({ store }) => {
      await withApps(store);
      await store.accounts.upsert(account('b', { quota_num: 7 }));
      const plain = times(10, (i) => store.accounts.takeQuota(APP, 'SF', 'b', i));
      const inTx = times(10, (i) =>
        store.transaction(async (tx) => {
          await sleep(1);
          return tx.accounts.takeQuota(APP, 'SF', 'b', 100 + i);
        }),
      );
      const results = [...(await plain), ...(await inTx)];
      assert.equal(results.filter(Boolean).length, 7);
      assert.equal((await store.accounts.get(APP, 'SF', 'b'))?.quota_num, 0);
    },
  ],

  [
    'sequences: next counts 1, 2, 3 per name, names independent',
    async ({ store }) => {
      assert.deepEqual(
        [
          await store.sequences.next('a'),
          await store.sequences.next('a'),
          await store.sequences.next('b'),
          await store.sequences.next('a'),
        ],
        [1, 2, 1, 3],
      );
    },
  ],
  [
    'sequences: concurrent next (plain and in transactions) never answers a value twice',
    async ({ store }) => {
      const plain = times(25, () => store.sequences.next('waybill:SF'));
      const inTx = times(25, () => store.transaction((tx) => tx.sequences.next('waybill:SF')));
      const values = [...(await plain), ...(await inTx)].sort((a, b) => a - b);
      assert.deepEqual(
        values,
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    },
  ],

  [
    'cloud: credentials are found by secret_id and listed per app by created_at, secret_id',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const c = (secret_id: string, created_at: number, appid = APP) => ({ secret_id, appid, secret_key: `key-${secret_id}`, created_at });
      await store.cloud.addCredential(c('AKIDb', 5));
      await store.cloud.addCredential(c('AKIDa', 5));
      await store.cloud.addCredential(c('AKIDz', 1));
      await store.cloud.addCredential(c('AKIDo', 1, APP2));
      assert.deepEqual(await store.cloud.findCredential('AKIDa'), c('AKIDa', 5));
      assert.equal(await store.cloud.findCredential('nope'), undefined);
      assert.deepEqual(
        (await store.cloud.listCredentials(APP)).map((x) => x.secret_id),
        ['AKIDz', 'AKIDa', 'AKIDb'],
      );
      await assert.rejects(store.cloud.addCredential(c('AKIDa', 9)));
    },
  ],
  [
    'cloud: addEnv is idempotent and listEnvs is sorted per app',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      for (const env of ['prod-2', 'dev-1', 'prod-2', 'Dev-0']) await store.cloud.addEnv(APP, env);
      await store.cloud.addEnv(APP2, 'other');
      assert.deepEqual(await store.cloud.listEnvs(APP), ['Dev-0', 'dev-1', 'prod-2']);
      assert.deepEqual(await store.cloud.listEnvs('wxnone'), []);
    },
  ],

  [
    'pushConfigs: absent until put; put again replaces every field',
    async ({ store }) => {
      await withApps(store);
      assert.equal(await store.pushConfigs.get(APP), undefined);
      const first: PushConfigRecord = {
        appid: APP,
        url: 'http://127.0.0.1:1/a',
        token: 'tok',
        encoding_aes_key: '',
        mode: 'plain',
        format: 'xml',
        updated_at: 1,
      };
      await store.pushConfigs.put(first);
      assert.deepEqual(await store.pushConfigs.get(APP), first);
      const second: PushConfigRecord = {
        appid: APP,
        url: 'https://x/b',
        token: 't2',
        encoding_aes_key: 'k'.repeat(43),
        mode: 'secure',
        format: 'json',
        updated_at: 2,
      };
      await store.pushConfigs.put(second);
      assert.deepEqual(await store.pushConfigs.get(APP), second);
    },
  ],

  [
    'printers: upsert adds then updates; list by updated_at, openid; delete answers whether it removed one',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.printers.upsert({ appid: APP, openid: 'oB', tagid_list: '1', updated_at: 5 });
      await store.printers.upsert({ appid: APP, openid: 'oA', tagid_list: '', updated_at: 5 });
      await store.printers.upsert({ appid: APP, openid: 'oC', tagid_list: '1,2', updated_at: 1 });
      await store.printers.upsert({ appid: APP2, openid: 'oX', tagid_list: '', updated_at: 1 });
      await store.printers.upsert({ appid: APP, openid: 'oC', tagid_list: '3', updated_at: 9 });
      assert.deepEqual(await store.printers.list(APP), [
        { appid: APP, openid: 'oA', tagid_list: '', updated_at: 5 },
        { appid: APP, openid: 'oB', tagid_list: '1', updated_at: 5 },
        { appid: APP, openid: 'oC', tagid_list: '3', updated_at: 9 },
      ]);
      assert.equal(await store.printers.delete(APP, 'oB'), true);
      assert.equal(await store.printers.delete(APP, 'oB'), false);
      assert.deepEqual(
        (await store.printers.list(APP)).map((p) => p.openid),
        ['oA', 'oC'],
      );
    },
  ],

  [
    'settings: putIfAbsent keeps the first value, also under concurrency',
    async ({ store }) => {
      const values = await times(8, (i) => store.settings.putIfAbsent('admin_key', `key-${i}`));
      assert.equal(new Set(values).size, 1);
      assert.equal(await store.settings.get('admin_key'), values[0]);
      assert.equal(await store.settings.putIfAbsent('admin_key', 'later'), values[0]);
    },
  ],
  [
    'settings: addNumber adds atomically, from 0 when absent, also over a value written by put',
    async ({ store }) => {
      assert.equal(await store.settings.addNumber('clock_offset_ms', 1500), 1500);
      const sums = await times(20, () => store.settings.addNumber('clock_offset_ms', 1000));
      assert.equal(Math.max(...sums), 21_500, 'no add is lost');
      assert.equal(new Set(sums).size, 20, 'each add sees its own sum');
      assert.equal(Number(await store.settings.get('clock_offset_ms')), 21_500);
      await store.settings.put('legacy', '1234.5');
      assert.equal(await store.settings.addNumber('legacy', 0.5), 1235);
    },
  ],
  [
    'settings: absent until put; put replaces the value',
    async ({ store }) => {
      assert.equal(await store.settings.get('admin_key'), undefined);
      await store.settings.put('admin_key', 'one');
      await store.settings.put('admin_key', '');
      await store.settings.put('clock_offset', '-5');
      assert.equal(await store.settings.get('admin_key'), '');
      assert.equal(await store.settings.get('clock_offset'), '-5');
    },
  ],
];
