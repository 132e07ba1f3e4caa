/**
 * Export from SQLite, import into PostgreSQL and back, compared
 * answer by answer on real servers (getOrder in both print types, getPath,
 * batchGetOrder, getAllAccount, getPrinter, getQuota); and once through the CLI,
 * `wxlogistics export --data A | wxlogistics import --store URL`, as two processes.
 * PostgreSQL schemas are this run's own (`wxl_test_rt_<pid>_…`) and dropped at the end.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/app.ts';
import type { StateRecord, StateRow } from '../src/storage/state.ts';
import type { Store } from '../src/storage/types.ts';
import { BIN } from './support/server-process.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const DB = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `wxl_test_rt_${process.pid}_${randomBytes(3).toString('hex')}`;
const pgUrl = (name: string): string => `${DB}${DB.includes('?') ? '&' : '?'}schema=${RUN}_${name}`;
const dir = mkdtempSync(join(tmpdir(), 'wxl-state-roundtrip-'));

const SECRET = 'test-secret';
const APP2 = 'wx00000000000000b2';
const PRINTER = '/cgi-bin/express/business/printer/update';
const GET_PRINTER = '/cgi-bin/express/business/printer/getall';

interface Ref {
  appid: string;
  order_id: string;
  delivery_id: string;
  waybill_id: string;
}

/** Orders of several carriers, paths, a cancelled order, bound accounts with used quota, printers, push config; two apps. */
async function populate(s: TestServer): Promise<Ref[]> {
  const refs: Ref[] = [];
  const add = async (appid: string, body: Record<string, unknown>, token?: string) => {
    const res = await s.post(PATHS.addOrder, body, token);
    assert.equal(res.json.errcode, 0, res.text);
    const ref = { appid, order_id: String(body.order_id), delivery_id: String(body.delivery_id), waybill_id: String(res.json.waybill_id) };
    refs.push(ref);
    return ref;
  };
  const node = async (ref: Ref, action_type: number, action_msg: string, token?: string) => {
    const body = {
      biz_id: 'test_biz_id',
      order_id: ref.order_id,
      delivery_id: 'TEST',
      waybill_id: ref.waybill_id,
      action_time: 1_700_000_000 + action_type,
      action_type,
      action_msg,
    };
    assert.equal((await s.post(PATHS.testUpdateOrder, body, token)).json.errcode, 0);
  };
  await s.app.core.push.set(s.appid, { url: 'http://127.0.0.1:9/unreachable', token: 'rtToken', mode: 'plain', format: 'json' });
  for (const [delivery_id, biz_id] of [
    ['YTO', 'yto-rt'],
    ['ZTO', 'zto-rt'],
  ] as const) {
    assert.equal(
      (await s.post(PATHS.bindAccount, { type: 'bind', biz_id, delivery_id, password: 'pw', remark_content: '往返测试' })).json.errcode,
      0,
    );
  }
  assert.equal((await s.post(PRINTER, { openid: 'oPrinter1', update_type: 'bind', tagid_list: '123,456' })).json.errcode, 0);
  assert.equal((await s.post(PRINTER, { openid: 'oPrinter2', update_type: 'bind' })).json.errcode, 0);

  const t1 = await add(s.appid, testOrder('rt-test-1'));
  await node(t1, 100001, '快递员已揽件');
  await node(t1, 200001, '运输中 "quoted"');
  await node(t1, 300002, '派送中');
  const t2 = await add(s.appid, testOrder('rt-test-2', { custom_remark: '' }));
  await node(t2, 100001, '揽件');
  const t3 = await add(s.appid, testOrder('rt-test-cancelled'));
  assert.equal(
    (await s.post(PATHS.cancelOrder, { order_id: t3.order_id, delivery_id: 'TEST', waybill_id: t3.waybill_id })).json.errcode,
    0,
  );
  await add(s.appid, testOrder('rt-yto-1', { delivery_id: 'YTO', biz_id: 'yto-rt' }));
  await add(s.appid, testOrder('rt-yto-2', { delivery_id: 'YTO', biz_id: 'yto-rt' }));
  await add(s.appid, testOrder('rt-zto-1', { delivery_id: 'ZTO', biz_id: 'zto-rt' }));

  await s.app.core.apps.create({ appid: APP2, secret: SECRET });
  const token2 = await s.token(APP2, SECRET);
  const b1 = await add(APP2, testOrder('rt-test-1'), token2);
  await node(b1, 100001, 'app 2', token2);
  return refs;
}

/**
 * An answer's text with what legitimately differs between two servers taken out: the
 * rid of an errmsg (per request). Labels are compared whole, decoded: their 打印时间 is
 * the order version's time, which the import keeps.
 */
function comparable(text: string): string {
  const json = JSON.parse(text) as Record<string, unknown>;
  if (typeof json.errmsg === 'string') json.errmsg = json.errmsg.replace(/ rid: [0-9a-f-]+$/, ' rid: *');
  if (typeof json.print_html === 'string') {
    json.print_html = Buffer.from(json.print_html, 'base64').toString('utf8');
  }
  return JSON.stringify(json);
}

/** Key by key, so a failure names the answer that differs instead of printing every label. */
function assertSameAnswers(actual: Record<string, string>, expected: Record<string, string>): void {
  assert.deepEqual(Object.keys(actual), Object.keys(expected));
  for (const key of Object.keys(expected)) {
    const [a, e] = [actual[key]!, expected[key]!];
    if (a === e) continue;
    const at = [...a].findIndex((ch, i) => ch !== e[i]);
    assert.fail(
      `${key} differs at ${at}:\n  got      …${a.slice(Math.max(0, at - 80), at + 80)}\n  expected …${e.slice(Math.max(0, at - 80), at + 80)}`,
    );
  }
}

/** Every read answer (see `comparable`), with fresh tokens of the same appid and secret. */
async function answers(s: TestServer, refs: Ref[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const appid of [...new Set(refs.map((r) => r.appid))]) {
    const token = await s.token(appid, SECRET);
    const mine = refs.filter((r) => r.appid === appid);
    for (const r of mine) {
      const ref = { order_id: r.order_id, delivery_id: r.delivery_id, waybill_id: r.waybill_id };
      for (const print_type of [0, 1])
        out[`${appid} getOrder ${r.order_id} ${print_type}`] = comparable(
          (await s.post(PATHS.getOrder, { ...ref, print_type }, token)).text,
        );
      out[`${appid} getPath ${r.order_id}`] = comparable((await s.post(PATHS.getPath, ref, token)).text);
    }
    const list = mine.map((r) => ({ order_id: r.order_id, delivery_id: r.delivery_id, waybill_id: r.waybill_id }));
    out[`${appid} batchGetOrder`] = comparable((await s.post(PATHS.batchGetOrder, { order_list: list }, token)).text);
    out[`${appid} getAllAccount`] = comparable((await s.get(PATHS.getAllAccount, token)).text);
    out[`${appid} getPrinter`] = comparable((await s.get(GET_PRINTER, token)).text);
    for (const [delivery_id, biz_id] of [
      ['YTO', 'yto-rt'],
      ['ZTO', 'zto-rt'],
    ]) {
      out[`${appid} getQuota ${delivery_id}`] = comparable((await s.post(PATHS.getQuota, { delivery_id, biz_id }, token)).text);
    }
  }
  return out;
}

async function collect(records: AsyncIterable<StateRecord>): Promise<StateRecord[]> {
  const out: StateRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function importInto(config: { dataDir?: string; storeUrl?: string }, records: StateRecord[]): Promise<void> {
  const store: Store = await openStore(config);
  try {
    await store.importState(records);
  } finally {
    await store.close();
  }
}

/** The rows that no background worker changes (the outbox moves on as the dispatcher works). */
// Call counters are not compared: reading the answers through a server counts those calls.
const stable = (records: StateRecord[]): StateRow[] =>
  (records.slice(1) as StateRow[]).filter((r) => r.table !== 'events' && r.table !== 'event_attempts' && r.table !== 'api_usage');

/** `wxlogistics <from…> | wxlogistics <to…>` as two child processes; answers the importer's stdout. */
function pipeCli(from: string[], to: string[]): Promise<string> {
  const env = { ...process.env, WXL_FROM_SOURCE: '1', DATABASE_URL: '' };
  const exporter = spawn(process.execPath, [BIN, ...from], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const importer = spawn(process.execPath, [BIN, ...to], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  exporter.stdout.pipe(importer.stdin);
  let out = '';
  let err = '';
  importer.stdout.on('data', (c: Buffer) => (out += c.toString()));
  for (const child of [exporter, importer]) child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('close', resolve));
  return Promise.all([exit(exporter), exit(importer)]).then(([a, b]) => {
    if (a !== 0 || b !== 0) throw new Error(`export exited ${a}, import exited ${b}:\n${err}`);
    return out;
  });
}

describe('state export / import between SQLite and PostgreSQL', () => {
  const dataA = join(dir, 'a');
  let source: TestServer;
  let refs: Ref[];
  let expected: Record<string, string>;
  let exported: StateRecord[];
  const servers: TestServer[] = [];

  before(async () => {
    source = await startTestServer({ dataDir: dataA, push: { maxAttempts: 1, pollMs: 50, timeoutMs: 500 } });
    servers.push(source);
    refs = await populate(source);
    expected = await answers(source, refs);
    assert.match(expected[`${source.appid} getQuota YTO`]!, /"quota_num":\d+/);
    exported = await collect(source.app.core.store.exportState());
  });

  after(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DB });
    try {
      await client.connect();
      const left = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${RUN}%`]);
      for (const { nspname } of left.rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  test('SQLite → PostgreSQL → SQLite: every answer is the same; tokens are not carried over', async () => {
    const url = pgUrl('pg');
    await importInto({ storeUrl: url }, exported);
    const onPg = await startTestServer({ storeUrl: url });
    servers.push(onPg);
    assert.equal(onPg.appid, source.appid);
    assertSameAnswers(await answers(onPg, refs), expected);
    const oldToken = await source.token();
    assert.equal((await onPg.get(PATHS.getAllAccount, oldToken)).json.errcode, 40001, 'a source token is not valid on the target');

    const back = await collect(onPg.app.core.store.exportState());
    assert.deepEqual(stable(back), stable(exported), 'the PostgreSQL export holds the same rows');
    const count = (records: StateRecord[], table: string) => records.filter((r) => (r as StateRow).table === table).length;
    assert.ok(count(exported, 'events') > 0 && count(exported, 'event_attempts') > 0, 'the source has pushes and attempts');
    for (const table of ['events', 'event_attempts']) assert.equal(count(back, table), count(exported, table), table);
    const dataC = join(dir, 'c');
    await importInto({ dataDir: dataC }, back);
    const onSqlite = await startTestServer({ dataDir: dataC });
    servers.push(onSqlite);
    assertSameAnswers(await answers(onSqlite, refs), expected);

    // Waybill counters came along (the larger value): a new order gets a new number.
    const fresh = await onSqlite.post(PATHS.addOrder, testOrder('rt-after-import'));
    assert.equal(fresh.json.errcode, 0, fresh.text);
    assert.ok(!refs.some((r) => r.waybill_id === fresh.json.waybill_id), `waybill ${fresh.json.waybill_id} handed out twice`);
  });

  test('CLI: wxlogistics export --data A | wxlogistics import --store URL, while the source server runs', async () => {
    const url = pgUrl('cli');
    const before = (await collect(source.app.core.store.exportState())).slice(1);
    const summary = JSON.parse(await pipeCli(['export', '--data', dataA], ['import', '--json', '--store', url])) as { apps: string[] };
    assert.deepEqual(summary.apps.sort(), [source.appid, APP2].sort());
    assert.deepEqual(
      stable([{} as StateRecord, ...before]),
      stable(await collect(source.app.core.store.exportState())),
      'the source is unchanged',
    );
    const onPg = await startTestServer({ storeUrl: url });
    servers.push(onPg);
    assertSameAnswers(await answers(onPg, refs), expected);

    // Importing the same apps again is refused; --replace replaces them; reset deletes one.
    await assert.rejects(pipeCli(['export', '--data', dataA], ['import', '--store', url]), /exists on the target/);
    const replaced = JSON.parse(
      await pipeCli(['export', '--data', dataA, '--appid', APP2], ['import', '--json', '--replace', '--store', url]),
    ) as { replaced: string[] };
    assert.deepEqual(replaced.replaced, [APP2]);
    servers.splice(servers.indexOf(onPg), 1);
    await onPg.close();
    const reset = spawn(process.execPath, [BIN, 'reset', '--appid', APP2, '--store', url], {
      env: { ...process.env, WXL_FROM_SOURCE: '1' },
      stdio: 'ignore',
    });
    assert.equal(await new Promise((resolve) => reset.once('close', resolve)), 0);
    const store = await openStore({ storeUrl: url });
    try {
      assert.equal(await store.apps.get(APP2), undefined);
      assert.equal((await store.apps.get(source.appid))?.appid, source.appid);
    } finally {
      await store.close();
    }
  });
});
