/**
 * Registered carriers end to end: a real carrier server on 127.0.0.1 (test/support/
 * fake-carrier.ts, written from events.md §3 on node:crypto, not our signing code)
 * behind addOrder, cancelOrder, bindAccount and getQuota, in XML and JSON, plain and
 * secure mode; the carrier's ResultCode deciding the merchant's answer; timeouts and
 * garbage; the carrier event log. The lifecycle also runs on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startFakeCarrier, type FakeCarrier } from './support/fake-carrier.ts';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CARRIER_TOKEN = 'carrierToken1';
const CARRIER_APPID = 'wxc0000000000000c1';
const PG_URL = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const acmeOrder = (orderId: string, over: Record<string, unknown> = {}) =>
  testOrder(orderId, { delivery_id: 'ACME', biz_id: 'acme_biz', ...over });

async function register(s: TestServer, c: FakeCarrier, over: Record<string, unknown> = {}) {
  const res = await fetch(`${s.url}/_wxl/api/carriers`, {
    method: 'POST',
    headers: { 'x-wxl-admin-key': s.app.adminKey },
    body: JSON.stringify({
      delivery_id: 'ACME',
      name: '极速快递',
      url: c.url,
      token: CARRIER_TOKEN,
      services: ['0:标准快递', '1:次日达'],
      appid: CARRIER_APPID,
      secret: 'carrier-secret',
      ...over,
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Record<string, any>;
}

const bind = (s: TestServer, bizId = 'acme_biz', password = 'pw123') =>
  s.post(PATHS.bindAccount, { type: 'bind', biz_id: bizId, delivery_id: 'ACME', password });

function lifecycle(name: string, storeUrl: () => string | undefined) {
  for (const format of ['xml', 'json'] as const) {
    for (const mode of ['plain', 'secure'] as const) {
      test(`${name}: ${format} ${mode}: check_biz, add_waybill, get_quota, cancel_waybill carry the spec's fields; replies decide the answers`, async () => {
        const url = storeUrl();
        const s = await startTestServer({ ...(url ? { storeUrl: url } : {}), carrier: { timeoutMs: 2000, attempts: 1 } });
        const c = await startFakeCarrier({
          token: CARRIER_TOKEN,
          encodingAesKey: AES_KEY,
          appid: CARRIER_APPID,
          encryptReplies: mode === 'secure',
        });
        try {
          const appid = `wxc${randomBytes(8).toString('hex').slice(0, 15)}`;
          const reg = await register(s, c, { format, mode, appid, ...(mode === 'secure' ? { encoding_aes_key: AES_KEY } : {}) });
          c.options.appid = reg.appid;
          assert.match(reg.secret, /./);

          const delivery = (await s.get(PATHS.getAllDelivery)).json;
          const acme = delivery.data.find((d: any) => d.delivery_id === 'ACME');
          assert.deepEqual(acme, {
            delivery_id: 'ACME',
            delivery_name: '极速快递',
            can_use_cash: 0,
            can_get_quota: 1,
            cash_biz_id: '',
            service_type: [
              { service_type: 0, service_name: '标准快递' },
              { service_type: 1, service_name: '次日达' },
            ],
          });

          assert.deepEqual((await bind(s)).json, { errcode: 0, errmsg: 'ok' });
          const [check] = c.of('check_biz');
          assert.ok(check, 'check_biz pushed');
          assert.equal(check.verified, true, check.verifyError);
          assert.equal(check.format, format);
          assert.equal(check.encrypted, mode === 'secure');
          assert.equal(check.event.BizID, 'acme_biz');
          assert.equal(check.event.BizPwd, 'pw123');
          assert.equal(check.event.ShopAppID, s.appid);
          const account = (await s.get(PATHS.getAllAccount)).json.list[0];
          assert.equal(account.status_code, 0);
          assert.equal(account.quota_num, 100);

          const order = acmeOrder(`o-${format}-${mode}`);
          const added = (await s.post(PATHS.addOrder, order)).json;
          assert.equal(added.errcode, 0, JSON.stringify(added));
          const [push] = c.of('add_waybill');
          assert.ok(push);
          const e = push.event;
          const n = (v: unknown) => (format === 'xml' ? String(v) : v);
          assert.match(String(e.ToUserName), /^gh_[0-9a-f]{12}$/, "the carrier mini program's original id");
          assert.equal(e.FromUserName, check.event.FromUserName, 'the fixed WeChat team OpenID');
          assert.equal(e.MsgType, 'event');
          assert.equal(e.OrderID, order.order_id);
          assert.equal(e.BizID, 'acme_biz');
          assert.equal(e.BizPwd, 'pw123');
          assert.equal(e.ShopAppID, s.appid);
          assert.match(String(e.Token), /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
          assert.match(String(e.WayBillID), /^WXL\d{12}$/, 'from our number segment');
          assert.equal(e.Remark, '易碎物品');
          assert.deepEqual(e.Sender, {
            Name: '张三',
            Tel: '',
            Mobile: '18666666666',
            Company: '',
            PostCode: '',
            Country: '中国',
            Province: '广东省',
            City: '广州市',
            Area: '海珠区',
            Address: 'XX路XX号',
          });
          assert.equal(e.Receiver.City, '北京市');
          assert.equal(e.Cargo.Weight, n(1.2));
          assert.equal(e.Cargo.Space_X, n(20));
          assert.equal(e.Cargo.Count, n(1));
          const detail = format === 'xml' ? [e.Cargo.DetailList].flat() : e.Cargo.DetailList;
          assert.deepEqual(detail, [{ Name: '抱枕', Count: n(1) }]);
          assert.deepEqual(e.Insured, { UseInsured: n(0), InsuredValue: n(0) });
          assert.deepEqual(e.Service, { ServiceType: n(0), ServiceName: '标准快递' });
          assert.equal(typeof e.CreateTime, format === 'xml' ? 'string' : 'number');

          assert.equal(added.waybill_id, e.WayBillID);
          assert.deepEqual(added.waybill_data, [
            { key: 'ACME_bagAddr', value: '北京' },
            { key: 'ACME_mark', value: '123-456-789' },
          ]);
          const got = (await s.post(PATHS.getOrder, { order_id: order.order_id, delivery_id: 'ACME' })).json;
          assert.equal(got.waybill_id, added.waybill_id);
          assert.deepEqual(got.waybill_data, added.waybill_data);
          // House rule 6: the same body again is answered from the store; the carrier is not asked again.
          assert.deepEqual((await s.post(PATHS.addOrder, order)).json, added);
          assert.equal(c.of('add_waybill').length, 1);

          assert.deepEqual((await s.post(PATHS.getQuota, { delivery_id: 'ACME', biz_id: 'acme_biz' })).json, {
            errcode: 0,
            errmsg: 'ok',
            quota_num: 42,
          });
          assert.equal((await s.get(PATHS.getAllAccount)).json.list[0].quota_num, 42);

          const cancelled = (
            await s.post(PATHS.cancelOrder, { order_id: order.order_id, delivery_id: 'ACME', waybill_id: added.waybill_id })
          ).json;
          assert.deepEqual(cancelled, { errcode: 0, errmsg: 'ok', delivery_resultcode: 0, delivery_resultmsg: 'success' });
          const [cancel] = c.of('cancel_waybill');
          assert.equal(cancel!.event.WayBillID, added.waybill_id);
          assert.equal(cancel!.event.FromUserName, 'oABC123456', 'the ordering user');
          assert.equal((await s.post(PATHS.getOrder, { order_id: order.order_id, delivery_id: 'ACME' })).json.order_status, 1);

          const log = await s.app.core.store.carrierEvents.list({ delivery_id: 'ACME', limit: 10 });
          assert.deepEqual(log.map((l) => [l.event, l.outcome, l.result_code]).reverse(), [
            ['check_biz', 'ok', 0],
            ['add_waybill', 'ok', 0],
            ['get_quota', 'ok', 0],
            ['cancel_waybill', 'ok', 0],
          ]);
          const addLog = log.find((l) => l.event === 'add_waybill')!;
          assert.equal(addLog.order_id, order.order_id);
          assert.equal(addLog.request_body, push.body);
          assert.match(addLog.reply_body, mode === 'secure' ? /Encrypt/ : /WaybillData/);
        } finally {
          await c.close();
          await s.close();
        }
      });
    }
  }
}

lifecycle('sqlite', () => undefined);

describe('on PostgreSQL', () => {
  const schema = `wxl_carrier_${process.pid}_${randomBytes(3).toString('hex')}`;
  let n = 0;
  after(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${schema}%`]);
    for (const r of rows) await client.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
    await client.end();
  });
  lifecycle('postgres', () => `${PG_URL}?schema=${schema}_${n++}`);
});

describe('carrier answers and failures', () => {
  let s: TestServer;
  let c: FakeCarrier;
  before(async () => {
    s = await startTestServer({ carrier: { timeoutMs: 300, attempts: 1 } });
    c = await startFakeCarrier({ token: CARRIER_TOKEN, encodingAesKey: AES_KEY, appid: CARRIER_APPID });
    await register(s, c, { mode: 'compatible', encoding_aes_key: AES_KEY, format: 'json' });
    assert.equal((await bind(s)).json.errcode, 0);
  });
  after(async () => {
    await c.close();
    await s.close();
  });
  const getOrder = (id: string) => s.post(PATHS.getOrder, { order_id: id, delivery_id: 'ACME' });

  for (const code of [-1, 10001, 10002, 20001, 20002, 20003, 20004, 20005, 20006, 20007, 20008, 20009]) {
    test(`add_waybill ResultCode ${code} → 9300501 with delivery_resultcode/msg and waybill_data []; no order is left`, async () => {
      const id = `rc-${code}`;
      c.plans.add_waybill = { resultCode: code, resultMsg: `拒绝 ${code}` };
      const a = (await s.post(PATHS.addOrder, acmeOrder(id))).json;
      assert.equal(a.errcode, 9300501);
      assert.match(a.errmsg, /^delivery logic fail rid: /);
      assert.equal(a.delivery_resultcode, code);
      assert.equal(a.delivery_resultmsg, `拒绝 ${code}`);
      assert.deepEqual(a.waybill_data, []);
      assert.equal((await getOrder(id)).json.errcode, 930563);
    });
  }

  test('a retry of a refused addOrder with the same order_id asks the carrier again', async () => {
    c.plans.add_waybill = { resultCode: 20007 };
    assert.equal((await s.post(PATHS.addOrder, acmeOrder('retry-1'))).json.errcode, 9300501);
    c.plans.add_waybill = {};
    const ok = (await s.post(PATHS.addOrder, acmeOrder('retry-1'))).json;
    assert.equal(ok.errcode, 0);
    assert.equal(c.received.filter((r) => r.event.OrderID === 'retry-1').length, 2);
  });

  const garbage: [string, import('./support/fake-carrier.ts').Plan][] = [
    ['a timeout (no reply within the per-attempt timeout)', { delayMs: 1500 }],
    ['a hang-up without an answer', { hangUp: true }],
    ['HTTP 500', { status: 500, raw: 'oops' }],
    ['a body that is neither XML nor JSON', { raw: 'success' }],
    ['broken JSON', { raw: '{"ResultCode":0,' }],
    ['a reply without ResultCode', { fields: { ResultCode: 'zero' } }],
    ['a Token that is not the pushed one', { fields: { Token: 'someone-else' } }],
    ['an OrderID that is not the pushed one', { fields: { OrderID: 'other' } }],
    ['the reply of another event', { fields: { Event: 'get_quota' } }],
    ['WaybillData that breaks the ##key##value## grammar', { fields: { WaybillData: 'ACME_mark=1' } }],
    ['ResultCode 0 without a WayBillID', { fields: { WayBillID: '' } }],
    ['an encrypted reply whose MsgSignature does not verify', { encrypt: true, badSignature: true }],
  ];
  for (const [what, plan] of garbage) {
    test(`add_waybill answered with ${what} → 9300502, nothing written, logged as failed`, async () => {
      const id = `bad-${what.replace(/\W+/g, '-')}`;
      c.plans.add_waybill = plan;
      const a = (await s.post(PATHS.addOrder, acmeOrder(id))).json;
      assert.equal(a.errcode, 9300502, JSON.stringify(a));
      assert.match(a.errmsg, /^Delivery side sys error rid: /);
      assert.equal((await getOrder(id)).json.errcode, 930563);
      const [last] = await s.app.core.store.carrierEvents.list({ appid: s.appid, order_id: id, limit: 1 });
      assert.equal(last?.outcome, 'failed');
      assert.ok(last?.error);
    });
  }

  test('a refused connection → 9300502', async () => {
    const down = await startFakeCarrier({ token: CARRIER_TOKEN, appid: CARRIER_APPID });
    await down.close();
    await s.app.core.carrierRegistry.update('ACME', { url: down.url });
    try {
      const a = (await s.post(PATHS.addOrder, acmeOrder('refused'))).json;
      assert.equal(a.errcode, 9300502);
      const [last] = await s.app.core.store.carrierEvents.list({ order_id: 'refused', limit: 1 });
      assert.match(String(last?.error), /ECONNREFUSED|fetch failed/);
    } finally {
      await s.app.core.carrierRegistry.update('ACME', { url: c.url });
    }
  });

  test('reply keys are read case-insensitively, under any XML root; an encrypted reply in compatible mode is decrypted', async () => {
    c.plans.add_waybill = { format: 'xml', lowercaseKeys: true, xmlRoot: 'AddExpressOrderReturn' };
    assert.equal((await s.post(PATHS.addOrder, acmeOrder('lower'))).json.errcode, 0);
    c.plans.add_waybill = { encrypt: true, format: 'xml' };
    const enc = (await s.post(PATHS.addOrder, acmeOrder('enc'))).json;
    assert.equal(enc.errcode, 0);
    assert.equal(enc.waybill_data.length, 2);
  });

  test('compatible mode: the push carries the plaintext fields and Encrypt', async () => {
    c.plans.add_waybill = {};
    await s.post(PATHS.addOrder, acmeOrder('compat'));
    const push = c.received.at(-1)!;
    assert.equal(push.encrypted, true);
    const raw = JSON.parse(push.body);
    assert.equal(raw.OrderID, 'compat');
    assert.equal(typeof raw.Encrypt, 'string');
  });

  test('waybill ids allocated by the carrier: add_waybill carries WayBillID "0" and the merchant gets the carrier\'s number', async () => {
    await s.app.core.carrierRegistry.update('ACME', { waybill_source: 'carrier' });
    try {
      c.plans.add_waybill = {};
      const a = (await s.post(PATHS.addOrder, acmeOrder('carrier-allocates'))).json;
      assert.equal(c.received.at(-1)!.event.WayBillID, '0');
      assert.match(a.waybill_id, /^FC\d{10}$/);
    } finally {
      await s.app.core.carrierRegistry.update('ACME', { waybill_source: 'segment' });
    }
  });

  test('cancel_waybill ResultCode 30002 (and -1, 30001, 30003, 30004) → 9300501 with delivery_resultcode; a timeout 9300502; the order stays normal', async () => {
    c.plans.add_waybill = {};
    const a = (await s.post(PATHS.addOrder, acmeOrder('cancel-late'))).json;
    c.plans.cancel_waybill = { resultCode: 30002, resultMsg: '已揽件，无法取消' };
    const r = (await s.post(PATHS.cancelOrder, { order_id: 'cancel-late', delivery_id: 'ACME', waybill_id: a.waybill_id })).json;
    assert.equal(r.errcode, 9300501);
    assert.equal(r.delivery_resultcode, 30002);
    assert.equal(r.delivery_resultmsg, '已揽件，无法取消');
    assert.equal((await getOrder('cancel-late')).json.order_status, 0);
    for (const code of [-1, 30001, 30003, 30004]) {
      c.plans.cancel_waybill = { resultCode: code, resultMsg: `code ${code}` };
      const other = (await s.post(PATHS.cancelOrder, { order_id: 'cancel-late', delivery_id: 'ACME', waybill_id: a.waybill_id })).json;
      assert.deepEqual([other.errcode, other.delivery_resultcode, other.delivery_resultmsg], [9300501, code, `code ${code}`]);
    }
    c.plans.cancel_waybill = { delayMs: 1500 };
    assert.equal(
      (await s.post(PATHS.cancelOrder, { order_id: 'cancel-late', delivery_id: 'ACME', waybill_id: a.waybill_id })).json.errcode,
      9300502,
    );
    assert.equal((await getOrder('cancel-late')).json.order_status, 0);
    c.plans.cancel_waybill = {};
  });

  test('check_biz ResultCode 10001 / 10002 → the bind fails with 9300531 and no account; -1 → 9300501', async () => {
    for (const code of [10001, 10002]) {
      c.plans.check_biz = { resultCode: code };
      const r = (await bind(s, `rej-${code}`)).json;
      assert.equal(r.errcode, 9300531);
      assert.match(r.errmsg, RID);
    }
    c.plans.check_biz = { resultCode: -1, resultMsg: '系统繁忙' };
    const r = (await bind(s, 'rej-other')).json;
    assert.equal(r.errcode, 9300501);
    assert.equal(r.delivery_resultcode, -1);
    c.plans.check_biz = {};
    const list = (await s.get(PATHS.getAllAccount)).json.list.map((a: any) => a.biz_id);
    assert.deepEqual(list, ['acme_biz']);
  });

  test('addOrder with an account the carrier never approved → 9300525, no event sent', async () => {
    const before = c.received.length;
    assert.equal((await s.post(PATHS.addOrder, acmeOrder('unbound', { biz_id: 'nobody' }))).json.errcode, 9300525);
    assert.equal(c.received.length, before);
  });

  test('get_quota ResultCode 10001 → 9300531; a timeout → 9300502', async () => {
    c.plans.get_quota = { resultCode: 10001 };
    assert.equal((await s.post(PATHS.getQuota, { delivery_id: 'ACME', biz_id: 'acme_biz' })).json.errcode, 9300531);
    c.plans.get_quota = { delayMs: 1500 };
    assert.equal((await s.post(PATHS.getQuota, { delivery_id: 'ACME', biz_id: 'acme_biz' })).json.errcode, 9300502);
    c.plans.get_quota = {};
  });
});

describe('the registry', () => {
  test('a registered carrier may take over a built-in delivery_id; removing it brings the simulation back', async () => {
    const s = await startTestServer({ carrier: { timeoutMs: 1000, attempts: 1 } });
    const c = await startFakeCarrier({ token: CARRIER_TOKEN, appid: CARRIER_APPID });
    try {
      await register(s, c, { delivery_id: 'ZTO', name: undefined, services: undefined });
      const zto = (await s.get(PATHS.getAllDelivery)).json.data.find((d: any) => d.delivery_id === 'ZTO');
      assert.equal(zto.delivery_name, '中通快递');
      assert.equal(zto.can_get_quota, 1);
      assert.deepEqual(zto.service_type, [{ service_type: 0, service_name: '标准快件' }]);
      const before = (await s.get(PATHS.getAllDelivery)).json.count;
      assert.equal((await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'z1', delivery_id: 'ZTO', password: 'p' })).json.errcode, 0);
      const a = (await s.post(PATHS.addOrder, testOrder('zto-1', { delivery_id: 'ZTO', biz_id: 'z1' }))).json;
      assert.match(c.of('add_waybill')[0]!.event.WayBillID, /^78\d{10}$/, "the built-in's number shape");
      assert.equal(a.waybill_id, c.of('add_waybill')[0]!.event.WayBillID);

      const del = await fetch(`${s.url}/_wxl/api/carriers/ZTO`, { method: 'DELETE', headers: { 'x-wxl-admin-key': s.app.adminKey } });
      assert.equal(del.status, 200);
      assert.equal((await s.get(PATHS.getAllDelivery)).json.count, before);
      const sim = (await s.post(PATHS.addOrder, testOrder('zto-2', { delivery_id: 'ZTO', biz_id: 'z1' }))).json;
      assert.equal(sim.errcode, 0);
      assert.equal(c.of('add_waybill').length, 1, 'the simulation answered');
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('admin API: GET lists, PUT changes, bad input is 400, unknown is 404, no key is 401', async () => {
    const s = await startTestServer();
    const c = await startFakeCarrier({ token: CARRIER_TOKEN, appid: CARRIER_APPID });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${s.url}/_wxl/api${path}`, { ...init, headers: { 'x-wxl-admin-key': s.app.adminKey, ...(init.headers ?? {}) } });
    try {
      const reg = await register(s, c);
      assert.equal(reg.appid, CARRIER_APPID);
      assert.equal(reg.secret, 'carrier-secret');
      const tokenRes = await fetch(`${s.url}/cgi-bin/token?grant_type=client_credential&appid=${CARRIER_APPID}&secret=carrier-secret`);
      assert.match(((await tokenRes.json()) as any).access_token, /./, "the carrier's own app gets tokens");
      const list = (await (await api('/carriers')).json()) as any;
      assert.deepEqual(
        list.carriers.map((x: any) => x.delivery_id),
        ['ACME'],
      );
      assert.equal(list.carriers[0].secret, undefined);
      const put = await api('/carriers/ACME', {
        method: 'PUT',
        body: JSON.stringify({ format: 'json', mode: 'secure', encoding_aes_key: AES_KEY }),
      });
      assert.equal(put.status, 200);
      assert.equal(((await put.json()) as any).mode, 'secure');
      assert.equal(
        (await api('/carriers/ACME', { method: 'PUT', body: JSON.stringify({ mode: 'secure', encoding_aes_key: 'short' }) })).status,
        400,
      );
      assert.equal(
        (await api('/carriers', { method: 'POST', body: JSON.stringify({ delivery_id: 'NEW', url: c.url, token: 'tok123' }) })).status,
        400,
        'a new id needs a name',
      );
      assert.equal(
        (await api('/carriers', { method: 'POST', body: JSON.stringify({ delivery_id: 'ACME', name: 'x', url: c.url, token: 'tok123' }) }))
          .status,
        400,
        'registered already',
      );
      assert.equal((await api('/carriers/NOPE')).status, 404);
      assert.equal((await fetch(`${s.url}/_wxl/api/carriers`)).status, 401);
      assert.equal((await api('/carriers/ACME/events')).status, 200);
    } finally {
      await c.close();
      await s.close();
    }
  });
});
