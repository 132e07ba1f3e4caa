/** Conformance cases: exportState / importState / resetApp (format in ./state.ts). */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { account, app, APP, APP2, newEvent, order, token } from './conformance-fixtures.ts';
import { STATE_FORMAT, STATE_TABLES, STATE_VERSION, type StateHeader, type StateRecord, type StateRow } from './state.ts';
import type { Store } from './types.ts';
import { findCarrier } from '../core/carriers.ts';
import { waybillNumber } from '../core/waybill.ts';

const APP3 = 'wxc000000000000003';

/** A row in every exported table for `appid` (and a token, which is not exported). */
async function fillApp(store: Store, appid: string, n = 0): Promise<void> {
  await store.apps.insert(app(appid, 1_700_000_000 + n));
  await store.tokens.insert(token(`tok-${appid}`, { appid }));
  await store.orders.insertIfAbsent(order('o1', { appid }));
  await store.orders.insertIfAbsent(order('o2', { appid, order_status: 1, version: 2, waybill_data: [] }));
  await store.orders.appendPathNode(appid, 'o1', { action_time: 1_700_000_300, action_type: 100001, action_msg: '揽件' }, 1_700_000_300);
  await store.orders.appendPathNode(
    appid,
    'o1',
    { action_time: 1_700_000_400, action_type: 200001, action_msg: 'in transit "x"' },
    1_700_000_400,
  );
  await store.schedule.insert([{ appid, order_id: 'o1', step: 3, due_at: 1_700_009_000, action_type: 300002, action_msg: 'm' }]);
  await store.accounts.upsert(account('b', { appid, quota_num: 7, remark_content: '备注' }));
  await store.printers.upsert({ appid, openid: 'oPrinter', tagid_list: '1,2', updated_at: 5 });
  await store.pushConfigs.put({
    appid,
    url: 'http://127.0.0.1:1/push',
    token: 'tok',
    encoding_aes_key: 'a'.repeat(43),
    mode: 'secure',
    format: 'xml',
    updated_at: 6,
  });
  await store.cloud.addCredential({ secret_id: `AKID-${appid}`, appid, secret_key: 'k', created_at: 7 });
  await store.cloud.addEnv(appid, 'env-1');
  const e1 = await store.events.insert(newEvent(`TEST:WB-${appid}-o1`, { appid }));
  await store.events.recordAttempt(
    {
      event_id: e1,
      attempt: 1,
      started_at: 10,
      duration_ms: 3,
      url: 'http://r',
      status_code: 200,
      response_excerpt: 'success',
      error: null,
      delivered: true,
    },
    { status: 'delivered', attempts: 1, next_attempt_at: 10, delivered_at: 11, last_error: null },
  );
  const e2 = await store.events.insert(newEvent(`bind:SF:b`, { appid, event: 'update_business_bind_result' }));
  await store.events.recordAttempt(
    {
      event_id: e2,
      attempt: 1,
      started_at: 12,
      duration_ms: 5000,
      url: 'http://r',
      status_code: null,
      response_excerpt: '',
      error: 'ECONNREFUSED',
      delivered: false,
    },
    { status: 'dead', attempts: 1, next_attempt_at: 13, delivered_at: null, last_error: 'ECONNREFUSED' },
  );
  await store.events.insert(newEvent(`TEST:WB-${appid}-o2`, { appid, next_attempt_at: 0 }));
  await store.settings.put(`autoprogress:${appid}`, JSON.stringify({ enabled: true, appid }));
  await store.apiCalls.putLimit({
    appid,
    cgi_path: '/cgi-bin/express/business/order/get',
    daily_limit: 5,
    call_count: null,
    refresh_second: 60,
    updated_at: 8,
  });
  await store.apiCalls.addUsage([{ appid, cgi_path: '/cgi-bin/express/business/order/get', day: 20_000, count: 3 }]);
  await store.apiCalls.takeReset(appid, 24_322, 10);
  await store.apiCalls.insertRids([
    {
      rid: `rid-${appid}`,
      appid,
      cgi_path: '/p',
      invoke_time: 9,
      cost_in_ms: 1,
      request_url: '',
      request_body: '',
      response_body: '{}',
      client_ip: '::1',
    },
  ]);
}

async function fillEverything(store: Store): Promise<void> {
  await fillApp(store, APP, 0);
  await fillApp(store, APP2, 1);
  await store.settings.put('admin_key', 'source-key');
  for (let i = 0; i < 3; i++) await store.sequences.next('waybill:TEST');
}

async function exportOf(store: Store, appid?: string): Promise<StateRecord[]> {
  const out: StateRecord[] = [];
  for await (const r of store.exportState(appid)) out.push(r);
  return out;
}

const rowsOf = (records: StateRecord[]): StateRow[] => records.slice(1) as StateRow[];
const lines = (records: StateRecord[]): string[] => rowsOf(records).map((r) => JSON.stringify(r));

/** Rows with event ids replaced by their position (ids are renumbered on import). */
function withoutEventIds(records: StateRecord[]): StateRow[] {
  const ids = new Map<unknown, number>();
  return rowsOf(records).map((r) => {
    if (r.table === 'events') {
      ids.set(r.row.id, ids.size);
      return { ...r, row: { ...r.row, id: ids.get(r.row.id) } };
    }
    if (r.table === 'event_attempts') return { ...r, row: { ...r.row, event_id: ids.get(r.row.event_id) ?? 'missing' } };
    return r;
  });
}

const tables = (records: StateRecord[]): string[] => [...new Set(rowsOf(records).map((r) => r.table))];
const without = (rows: StateRow[], table: string): StateRow[] => rows.filter((r) => r.table !== table);

async function* failingAfter(records: StateRecord[], n: number, error: Error): AsyncGenerator<StateRecord> {
  for (const [i, r] of records.entries()) {
    if (i === n) throw error;
    yield r;
  }
}

export const stateCases: ConformanceCase[] = [
  [
    'state: an export is a header, then every table in order; tokens and event leases are left out',
    async ({ store }) => {
      await fillEverything(store);
      const [claimed] = await store.events.claimDue(Date.now(), 'me', 60_000, 1);
      assert.ok(claimed, 'a leased event');
      const records = await exportOf(store);
      const header = records[0] as unknown as Record<string, unknown>;
      assert.equal(header.format, STATE_FORMAT);
      assert.equal(header.version, STATE_VERSION);
      assert.ok(!Number.isNaN(Date.parse(String(header.exported_at))));
      assert.equal('appid' in header, false);
      assert.deepEqual(
        tables(records),
        STATE_TABLES.map((t) => t.name),
        'every table, parents first',
      );
      const events = rowsOf(records).filter((r) => r.table === 'events');
      assert.equal(events.length, 6);
      assert.ok(events.every((e) => e.row.lease_owner === null && e.row.lease_until === null));
      const attempt = rowsOf(records).find((r) => r.table === 'event_attempts' && r.row.delivered === true);
      assert.ok(attempt, 'booleans are booleans on every backend');
      assert.equal(JSON.stringify(records).includes('tok-'), false, 'no tokens');
      assert.equal(JSON.stringify(records).includes('rid-'), false, 'no rid log');
      const o1 = rowsOf(records).find((r) => r.table === 'orders' && r.row.appid === APP && r.row.order_id === 'o1')!;
      assert.deepEqual(o1.row, {
        ...order('o1'),
        waybill_data: JSON.stringify(order('o1').waybill_data),
        order_status: 0,
        version: 3,
        last_action_type: 200001,
        updated_at: 1_700_000_400,
      });
    },
  ],
  [
    'state: the export of one app holds only its rows and its own settings keys, no waybill counters',
    async ({ store }) => {
      await fillEverything(store);
      const records = await exportOf(store, APP);
      assert.equal((records[0] as { appid?: string }).appid, APP);
      const rows = rowsOf(records);
      assert.deepEqual(
        tables(records),
        STATE_TABLES.map((t) => t.name).filter((t) => t !== 'sequences'),
        'the counters are shared by every app',
      );
      for (const r of rows) if ('appid' in r.row) assert.equal(r.row.appid, APP, `${r.table} row of another app`);
      assert.deepEqual(
        rows.filter((r) => r.table === 'settings').map((r) => r.row.key),
        [`autoprogress:${APP}`],
      );
      const eventIds = new Set(rows.filter((r) => r.table === 'events').map((r) => r.row.id));
      const attempts = rows.filter((r) => r.table === 'event_attempts');
      assert.equal(attempts.length, 2);
      assert.ok(attempts.every((a) => eventIds.has(a.row.event_id)));
      assert.equal(rowsOf(await exportOf(store, APP3)).length, 0, 'an unknown app: nothing');
    },
  ],
  [
    'state: export is read-only: the source is unchanged and a second export is byte-identical',
    async ({ store }) => {
      await fillEverything(store);
      const first = await exportOf(store);
      const one = await exportOf(store, APP2);
      assert.deepEqual(lines(await exportOf(store)), lines(first));
      assert.deepEqual(lines(await exportOf(store, APP2)), lines(one));
      assert.equal(await store.sequences.next('waybill:TEST'), 4);
      assert.equal((await store.tokens.get(`tok-${APP}`))?.appid, APP);
      assert.equal((await store.events.list({ limit: 10 })).length, 6);
    },
  ],
  [
    'state: an export reads one snapshot: what is written while it is read is not in it',
    async ({ store }) => {
      await fillEverything(store);
      const it = store.exportState()[Symbol.asyncIterator]();
      const got: StateRecord[] = [(await it.next()).value, (await it.next()).value];
      await store.orders.insertIfAbsent(order('late', { appid: APP }));
      await store.settings.put('late', 'x');
      await store.accounts.takeQuota(APP, 'SF', 'b', 99);
      for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
      assert.equal(JSON.stringify(got).includes('late'), false);
      const acct = rowsOf(got).find((r) => r.table === 'accounts' && r.row.appid === APP)!;
      assert.equal(acct.row.quota_num, 7);
      assert.equal(JSON.stringify(await exportOf(store)).includes('"late"'), true, 'a new export sees them');
    },
  ],
  [
    'state: import into an empty store, then export again: the same records (event ids aside)',
    async (h) => {
      await fillEverything(h.store);
      const source = await exportOf(h.store);
      const target = await h.fresh();
      const summary = await target.importState(source);
      assert.deepEqual(summary.apps, [APP, APP2]);
      assert.deepEqual(summary.replaced, []);
      assert.equal(summary.rows.orders, 4);
      assert.equal(summary.rows.event_attempts, 4);
      assert.deepEqual(withoutEventIds(await exportOf(target)), withoutEventIds(source));
      assert.deepEqual(await target.orders.get(APP, 'o1'), await h.store.orders.get(APP, 'o1'));
      assert.deepEqual(await target.orders.listPathNodes(APP2, 'o1'), await h.store.orders.listPathNodes(APP2, 'o1'));
      assert.deepEqual(await target.accounts.list(APP), await h.store.accounts.list(APP));
      assert.deepEqual(await target.pushConfigs.get(APP2), await h.store.pushConfigs.get(APP2));
      assert.equal(await target.tokens.get(`tok-${APP}`), undefined, 'tokens are not carried over');
      assert.equal(await target.sequences.next('waybill:TEST'), 4);
      // One app's export into yet another empty store.
      const one = await exportOf(h.store, APP2);
      const third = await h.fresh();
      await third.importState(one);
      assert.deepEqual(withoutEventIds(await exportOf(third, APP2)), withoutEventIds(one));
      assert.deepEqual(await third.apps.list(), [await h.store.apps.get(APP2)]);
    },
  ],
  [
    'state: event ids are renumbered on import and each attempt follows its event',
    async (h) => {
      await fillApp(h.store, APP);
      const target = await h.fresh();
      await target.apps.insert(app(APP3));
      const taken = [];
      for (let i = 0; i < 5; i++) taken.push(await target.events.insert(newEvent(`s${i}`, { appid: APP3 })));
      await target.importState(await exportOf(h.store));
      const imported = await target.events.list({ appid: APP, limit: 10 });
      assert.equal(imported.length, 3);
      for (const e of imported) assert.ok(!taken.includes(e.id), `event id ${e.id} reused`);
      const source = await h.store.events.list({ appid: APP, limit: 10 });
      for (const [i, e] of source.entries()) {
        assert.deepEqual({ ...imported[i]!, id: 0 }, { ...e, id: 0 });
        assert.deepEqual(
          (await target.events.listAttempts(imported[i]!.id)).map((a) => ({ ...a, event_id: 0 })),
          (await h.store.events.listAttempts(e.id)).map((a) => ({ ...a, event_id: 0 })),
        );
      }
      assert.equal((await target.events.list({ appid: APP3, limit: 10 })).length, 5, "the target's own events stay");
    },
  ],
  [
    'state: a failing import leaves the target unchanged (bad row, database error, broken input)',
    async (h) => {
      await fillEverything(h.store);
      await h.store.sequences.next('waybill:SF');
      const source = await exportOf(h.store, APP);
      const target = await h.fresh();
      await fillApp(target, APP2);
      const before = lines(await exportOf(target));
      const at = source.findIndex((r) => (r as StateRow).table === 'accounts');
      const orderRow = source.find((r) => (r as StateRow).table === 'orders') as StateRow;
      const pathRow = source.find((r) => (r as StateRow).table === 'path_nodes') as StateRow;
      const variants: [string, AsyncIterable<StateRecord> | StateRecord[], RegExp | Error][] = [
        [
          'a row of the wrong type',
          [...source.slice(0, at), { table: 'orders', row: { ...orderRow.row, order_id: 'o9', order_status: 'x' } }, ...source.slice(at)],
          /order_status/,
        ],
        [
          'a row missing a column',
          [...source.slice(0, at), { table: 'printers', row: { appid: APP, openid: 'x' } }, ...source.slice(at)],
          /tagid_list/,
        ],
        ['an unknown table', [...source.slice(0, at), { table: 'nope', row: {} } as never, ...source.slice(at)], /unknown table/],
        [
          'a child row without its parent (foreign key)',
          [...source.slice(0, at), { table: 'path_nodes', row: { ...pathRow.row, order_id: 'missing' } }, ...source.slice(at)],
          /./,
        ],
        ['a duplicate primary key', [...source.slice(0, at + 1), source[at]!, ...source.slice(at + 1)], /./],
        ['input that breaks off', failingAfter(source, source.length - 1, new Error('stdin broke')), /stdin broke/],
      ];
      for (const [what, records, expected] of variants) {
        await assert.rejects(target.importState(records), expected, what);
        assert.deepEqual(lines(await exportOf(target)), before, `${what}: the target changed`);
        assert.equal(await target.apps.get(APP), undefined, what);
      }
      await target.importState(source);
      assert.equal((await target.apps.get(APP))?.appid, APP, 'the target still works');
    },
  ],
  [
    'state: importing an app that exists on the target fails without replace and changes nothing',
    async (h) => {
      await fillEverything(h.store);
      const source = await exportOf(h.store);
      const target = await h.fresh();
      await target.apps.insert({ ...app(APP2), secret_hash: 'target' });
      await target.orders.insertIfAbsent(order('mine', { appid: APP2 }));
      const before = lines(await exportOf(target));
      await assert.rejects(target.importState(source), new RegExp(`${APP2} exists`));
      assert.deepEqual(lines(await exportOf(target)), before);
      assert.equal(await target.apps.get(APP), undefined, 'the app before it is not written either');
    },
  ],
  [
    'state: replace resets an existing app inside the import; other apps are untouched',
    async (h) => {
      await fillEverything(h.store);
      const source = await exportOf(h.store, APP);
      const target = await h.fresh();
      await fillApp(target, APP);
      await target.orders.insertIfAbsent(order('extra', { appid: APP }));
      await target.settings.put(`autoprogress:${APP}`, 'target');
      await fillApp(target, APP3, 3);
      const others = without(rowsOf(await exportOf(target, APP3)), 'sequences');
      const mine = lines(await exportOf(target, APP));

      const bad = [...source.slice(0, -1), { table: 'orders', row: { nope: 1 } } as never, source.at(-1)!];
      await assert.rejects(target.importState(bad, { replace: true }), /unknown column/);
      assert.deepEqual(lines(await exportOf(target, APP)), mine, 'a failed replace keeps the app as it was');

      const summary = await target.importState(source, { replace: true });
      assert.deepEqual([summary.apps, summary.replaced], [[APP], [APP]]);
      assert.deepEqual(without(withoutEventIds(await exportOf(target, APP)), 'sequences'), without(withoutEventIds(source), 'sequences'));
      assert.equal(await target.orders.get(APP, 'extra'), undefined);
      assert.equal(await target.settings.get(`autoprogress:${APP}`), await h.store.settings.get(`autoprogress:${APP}`));
      assert.deepEqual(without(rowsOf(await exportOf(target, APP3)), 'sequences'), others);
    },
  ],
  [
    'state: resetApp deletes everything of the app (its settings keys too) and nothing of the others',
    async ({ store }) => {
      await fillEverything(store);
      const eventIds = (await store.events.list({ appid: APP, limit: 10 })).map((e) => e.id);
      const other = lines(await exportOf(store, APP2));
      assert.equal(await store.resetApp(APP), true);
      assert.equal(await store.resetApp(APP), false, 'gone already');
      assert.equal(await store.apps.get(APP), undefined);
      assert.equal(await store.tokens.get(`tok-${APP}`), undefined);
      assert.equal(await store.orders.get(APP, 'o1'), undefined);
      assert.deepEqual(await store.orders.listPathNodes(APP, 'o1'), []);
      assert.deepEqual(await store.accounts.list(APP), []);
      assert.deepEqual(await store.printers.list(APP), []);
      assert.equal(await store.pushConfigs.get(APP), undefined);
      assert.deepEqual(await store.cloud.listCredentials(APP), []);
      assert.deepEqual(await store.cloud.listEnvs(APP), []);
      assert.deepEqual(await store.events.list({ appid: APP, limit: 10 }), []);
      for (const id of eventIds) assert.deepEqual(await store.events.listAttempts(id), []);
      assert.ok((await store.schedule.due(Number.MAX_SAFE_INTEGER, 10)).every((s) => s.appid !== APP));
      assert.equal(await store.settings.get(`autoprogress:${APP}`), undefined);
      assert.deepEqual(
        rowsOf(await exportOf(store, APP)).map((r) => r.table),
        [],
      );
      assert.deepEqual(lines(await exportOf(store, APP2)), other);
      assert.equal(await store.settings.get('admin_key'), 'source-key');
      assert.equal(await store.sequences.next('waybill:TEST'), 4, 'waybill counters are never reset');
      await store.apps.insert(app(APP));
      assert.deepEqual(await store.orders.search({ appid: APP, limit: 10 }), [], 'the appid can be created again, empty');
    },
  ],
  [
    'state: an app export raises the target counters to its own waybill numbers only',
    async (h) => {
      const TEST = findCarrier('TEST')!;
      await h.store.apps.insert(app(APP));
      await h.store.apps.insert(app(APP2));
      for (let i = 0; i < 40; i++) await h.store.sequences.next('waybill:TEST');
      await h.store.orders.insertIfAbsent(order('mine', { waybill_id: waybillNumber(TEST, 7) }));
      await h.store.orders.insertIfAbsent(order('other', { appid: APP2, waybill_id: waybillNumber(TEST, 40) }));
      const exported = await exportOf(h.store, APP);
      assert.ok(!lines(exported).some((l) => l.includes('"sequences"')), 'no counter of the source in an app export');
      const target = await h.fresh();
      await target.importState(exported);
      assert.equal(await target.sequences.next('waybill:TEST'), 8, "the app's highest waybill is never handed out again");
      const busy = await h.fresh();
      for (let i = 0; i < 20; i++) await busy.sequences.next('waybill:TEST');
      await busy.importState(exported);
      assert.equal(await busy.sequences.next('waybill:TEST'), 21, 'a higher target counter is kept');
    },
  ],
  [
    'state: sequences take the larger of source and target on a whole import',
    async (h) => {
      await h.store.apps.insert(app(APP));
      for (let i = 0; i < 5; i++) await h.store.sequences.next('waybill:A');
      for (let i = 0; i < 2; i++) await h.store.sequences.next('waybill:B');
      const target = await h.fresh();
      for (let i = 0; i < 3; i++) await target.sequences.next('waybill:A');
      for (let i = 0; i < 9; i++) await target.sequences.next('waybill:B');
      await target.sequences.next('waybill:C');
      await target.importState(await exportOf(h.store));
      assert.deepEqual(
        [await target.sequences.next('waybill:A'), await target.sequences.next('waybill:B'), await target.sequences.next('waybill:C')],
        [6, 10, 2],
      );
    },
  ],
  [
    "state: settings of an imported app are written; the target's global settings are kept",
    async (h) => {
      await h.store.apps.insert(app(APP));
      await h.store.settings.put(`autoprogress:${APP}`, 'on');
      await h.store.settings.put('admin_key', 'source');
      await h.store.settings.put('clock_offset_ms', '5000');
      const target = await h.fresh();
      await target.settings.put('admin_key', 'target');
      await target.importState(await exportOf(h.store));
      assert.deepEqual(
        [
          await target.settings.get(`autoprogress:${APP}`),
          await target.settings.get('admin_key'),
          await target.settings.get('clock_offset_ms'),
        ],
        ['on', 'target', '5000'],
      );
    },
  ],
  [
    'state: import refuses a missing header, an unknown format, a newer version, and rows of an app not in the export',
    async ({ store }) => {
      await store.apps.insert(app(APP));
      const header: StateHeader = { format: STATE_FORMAT, version: STATE_VERSION, exported_at: new Date(0).toISOString() };
      const orderRow = { table: 'orders', row: { ...order('o1'), waybill_data: '[]' } } as StateRow;
      await assert.rejects(store.importState([]), /no header/);
      await assert.rejects(store.importState([orderRow]), /not a wxlogistics state export/);
      await assert.rejects(store.importState([{ ...header, format: 'other' } as never]), /not a wxlogistics state export/);
      await assert.rejects(store.importState([{ ...header, version: STATE_VERSION + 1 }]), /newer/);
      await assert.rejects(store.importState([header, orderRow]), /no "apps" record/);
      assert.equal(await store.orders.get(APP, 'o1'), undefined);
      assert.deepEqual(await store.importState([header]), { apps: [], replaced: [], rows: {} });
    },
  ],
];
