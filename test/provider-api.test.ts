/**
 * The provider API (provider-api.md §1–§4) as a registered carrier calls it with its own
 * app's access_token: getContact, updatePath (→ the merchant's getPath, order status and
 * add_express_path push), updateBusiness (→ update_business_bind_result), the errcodes
 * and the isolation between carriers; the cloud-call forms through wx-server-sdk.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { verifyPlain } from './push-support/wechat-receiver-crypto.ts';
import { startFakeCarrier, type FakeCarrier } from './support/fake-carrier.ts';
import { answer, startReceiver, type Receiver } from './support/receiver.ts';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let acme: FakeCarrier;
let beta: FakeCarrier;
let merchant: Receiver;
let acmeToken: string;
let betaToken: string;
let order: { order_id: string; waybill_id: string; token: string };
let betaOrder: { order_id: string; waybill_id: string; token: string };

const order_ = (id: string, deliveryId: string, bizId: string) =>
  testOrder(id, {
    delivery_id: deliveryId,
    biz_id: bizId,
    sender: {
      name: '张三',
      tel: '020-88888888',
      mobile: '18666666666',
      province: '广东省',
      city: '广州市',
      area: '海珠区',
      address: 'XX路XX号',
    },
  });

before(async () => {
  s = await startTestServer({ carrier: { timeoutMs: 2000, attempts: 1 }, push: { pollMs: 30, timeoutMs: 1000 } });
  merchant = await startReceiver(answer('success'));
  await s.app.core.push.set(s.appid, { url: merchant.url, token: 'merchantTok', mode: 'plain', format: 'json' });
  acme = await startFakeCarrier({ token: 'acmeTok', appid: 'wxacme00000000000' });
  beta = await startFakeCarrier({ token: 'betaTok', appid: 'wxbeta00000000000' });
  const reg = s.app.core.carrierRegistry;
  await reg.add({
    delivery_id: 'ACME',
    name: '极速快递',
    url: acme.url,
    token: 'acmeTok',
    services: ['0:标准快递'],
    appid: 'wxacme00000000000',
    secret: 'acme-secret',
    review: true,
  });
  await reg.add({
    delivery_id: 'BETA',
    name: '贝塔物流',
    url: beta.url,
    token: 'betaTok',
    services: ['0:标准快递'],
    appid: 'wxbeta00000000000',
    secret: 'beta-secret',
  });
  acmeToken = await s.token('wxacme00000000000', 'acme-secret');
  betaToken = await s.token('wxbeta00000000000', 'beta-secret');
  // ACME reviews its bindings: check_biz approves, then updateBusiness decides.
  assert.equal((await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'a1', delivery_id: 'ACME', password: 'p' })).json.errcode, 0);
  assert.equal(
    (await s.post(PATHS.updateBusiness, { shop_app_id: s.appid, biz_id: 'a1', result_code: 0, result_msg: '审核通过' }, acmeToken)).json
      .errcode,
    0,
  );
  assert.equal((await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'b1', delivery_id: 'BETA', password: 'p' })).json.errcode, 0);
  const a = (await s.post(PATHS.addOrder, order_('pa-1', 'ACME', 'a1'))).json;
  order = { order_id: 'pa-1', waybill_id: a.waybill_id, token: String(acme.of('add_waybill')[0]!.event.Token) };
  const b = (await s.post(PATHS.addOrder, order_('pb-1', 'BETA', 'b1'))).json;
  assert.equal(b.errcode, 0, 'two new carriers draw from one number segment: their waybills never collide');
  betaOrder = { order_id: 'pb-1', waybill_id: b.waybill_id, token: String(beta.of('add_waybill')[0]!.event.Token) };
});
after(async () => {
  await acme.close();
  await beta.close();
  await merchant.close();
  await s.close();
});

/** The merchant's pushes of one event, once at least `n` have arrived. */
async function pushesOf(event: string, n: number): Promise<any[]> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const found = merchant.received.map((p) => JSON.parse(p.body)).filter((b) => b.Event === event);
    if (found.length >= n || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 30));
  }
}

test('a carrier registered with review: check_biz approves, the account waits (status 1) until updateBusiness, whose result is pushed to the merchant', async () => {
  assert.equal((await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'a2', delivery_id: 'ACME', password: 'p' })).json.errcode, 0);
  const waiting = (await s.get(PATHS.getAllAccount)).json.list.find((x: any) => x.biz_id === 'a2');
  assert.equal(waiting.status_code, 1);
  assert.equal((await s.post(PATHS.addOrder, order_('pa-wait', 'ACME', 'a2'))).json.errcode, 9300525, 'not bound yet');
  const r = (await s.post(PATHS.updateBusiness, { shop_app_id: s.appid, biz_id: 'a2', result_code: 1, result_msg: '资料不全' }, acmeToken))
    .json;
  assert.deepEqual(r, { errcode: 0, errmsg: 'ok' });
  const rejected = (await s.get(PATHS.getAllAccount)).json.list.find((x: any) => x.biz_id === 'a2');
  assert.equal(rejected.status_code, 2);
  assert.equal(rejected.remark_wrong_msg, '资料不全');
  const results = await pushesOf('update_business_bind_result', 2);
  assert.deepEqual(
    results.map((b) => [b.biz_id, b.errcode, b.errmsg, b.delivery_id]),
    [
      ['a1', 0, 'ok', 'ACME'],
      ['a2', 1, '资料不全', 'ACME'],
    ],
  );
  assert.ok(merchant.received.every((p) => verifyPlain(p.query, 'merchantTok')));
});

test('updateBusiness errcodes: unknown merchant app 40013, never applied 9300525, missing result_code 930561', async () => {
  assert.equal(
    (await s.post(PATHS.updateBusiness, { shop_app_id: 'wxnope', biz_id: 'a1', result_code: 0 }, acmeToken)).json.errcode,
    40013,
  );
  assert.equal(
    (await s.post(PATHS.updateBusiness, { shop_app_id: s.appid, biz_id: 'never', result_code: 0 }, acmeToken)).json.errcode,
    9300525,
  );
  assert.equal((await s.post(PATHS.updateBusiness, { shop_app_id: s.appid, biz_id: 'a1' }, acmeToken)).json.errcode, 930561);
  // BETA cannot decide ACME's bindings: to it the account does not exist.
  assert.equal(
    (await s.post(PATHS.updateBusiness, { shop_app_id: s.appid, biz_id: 'a1', result_code: 1 }, betaToken)).json.errcode,
    9300525,
  );
});

test('getContact answers sender and receiver with the address merged', async () => {
  const r = (await s.post(PATHS.getContact, { token: order.token, waybill_id: order.waybill_id }, acmeToken)).json;
  assert.deepEqual(r, {
    errcode: 0,
    errmsg: 'ok',
    waybill_id: order.waybill_id,
    sender: { name: '张三', tel: '020-88888888', mobile: '18666666666', address: '广东省广州市海珠区XX路XX号' },
    receiver: { name: '王小蒙', tel: '', mobile: '18610000000', address: '北京市北京市朝阳区YY路YY号' },
  });
});

test("token and waybill errcodes, and isolation: a wrong token 9300507, another carrier's token 9300507, a wrong waybill_id 40199", async () => {
  const post = (body: object, t: string) => s.post(PATHS.getContact, body, t);
  const bad = (await post({ token: order.token.slice(0, -2) + 'xx', waybill_id: order.waybill_id }, acmeToken)).json;
  assert.equal(bad.errcode, 9300507);
  assert.match(bad.errmsg, /^invalid token, can't decryption or decryption result is different from the plaintext rid: /);
  assert.equal((await post({ token: 'garbage', waybill_id: order.waybill_id }, acmeToken)).json.errcode, 9300507);
  assert.equal(
    (await post({ token: betaOrder.token, waybill_id: betaOrder.waybill_id }, acmeToken)).json.errcode,
    9300507,
    "BETA's order, asked by ACME",
  );
  assert.equal((await post({ token: order.token, waybill_id: betaOrder.waybill_id }, acmeToken)).json.errcode, 40199);
  assert.equal((await post({ token: order.token, waybill_id: 'nope' }, acmeToken)).json.errcode, 40199);
  const upd = (t: string, body: object) => s.post(PATHS.updatePath, { action_time: 1, action_type: 100001, action_msg: 'x', ...body }, t);
  assert.equal(
    (await upd(betaToken, { token: order.token, waybill_id: order.waybill_id })).json.errcode,
    9300507,
    "BETA cannot move ACME's waybill",
  );
  assert.equal((await upd(acmeToken, { token: order.token, waybill_id: betaOrder.waybill_id })).json.errcode, 40199);
  assert.equal(
    (await s.post(PATHS.getPath, { order_id: betaOrder.order_id, delivery_id: 'BETA', waybill_id: betaOrder.waybill_id })).json
      .path_item_num,
    0,
  );
});

test('the provider API refuses a merchant app (48001) and checks its request like any API (41001, 47001, 930561)', async () => {
  const merchantToken = await s.token();
  const r = (await s.post(PATHS.getContact, { token: order.token, waybill_id: order.waybill_id }, merchantToken)).json;
  assert.equal(r.errcode, 48001);
  assert.match(r.errmsg, RID);
  const res = await fetch(`${s.url}${PATHS.updatePath}`, { method: 'POST', body: '{}' });
  assert.equal(((await res.json()) as any).errcode, 41001);
  assert.equal(
    (
      await s.post(
        PATHS.updatePath,
        { token: order.token, waybill_id: order.waybill_id, action_time: '1', action_type: 100001, action_msg: 'x' },
        acmeToken,
      )
    ).json.errcode,
    47001,
  );
  assert.equal(
    (
      await s.post(
        PATHS.updatePath,
        { token: order.token, waybill_id: order.waybill_id, action_time: 1, action_type: 123, action_msg: 'x' },
        acmeToken,
      )
    ).json.errcode,
    930561,
  );
  assert.equal((await s.post(PATHS.getContact, { waybill_id: order.waybill_id }, acmeToken)).json.errcode, 930561);
});

test('updatePath appends a node as testUpdateOrder does: getPath, order status, add_express_path with Version/Count', async () => {
  const path = (n: number, type: number, msg: string) =>
    s.post(
      PATHS.updatePath,
      { token: order.token, waybill_id: order.waybill_id, action_time: 1_700_000_000 + n, action_type: type, action_msg: msg },
      acmeToken,
    );
  assert.deepEqual((await path(1, 100001, '快递员【18666666666】已揽件')).json, { errcode: 0, errmsg: 'ok' });
  assert.equal((await path(2, 200001, '到达广州转运中心')).json.errcode, 0);
  const got = (await s.post(PATHS.getPath, { order_id: order.order_id, delivery_id: 'ACME', waybill_id: order.waybill_id })).json;
  assert.equal(got.path_item_num, 2);
  assert.deepEqual(
    got.path_item_list.map((p: any) => p.action_type),
    [100001, 200001],
  );
  const paths = (await pushesOf('add_express_path', 2)).filter((b) => b.OrderId === order.order_id);
  assert.deepEqual(
    paths.map((p) => [p.Version, p.Count, p.DeliveryID, p.WayBillId]),
    [
      [1, 1, 'ACME', order.waybill_id],
      [2, 2, 'ACME', order.waybill_id],
    ],
  );
  assert.deepEqual(
    paths[1].Actions.map((a: any) => a.ActionMsg),
    ['快递员【18666666666】已揽件', '到达广州转运中心'],
  );
  // 400001 cancels the order (house rule 9, as for testUpdateOrder).
  assert.equal((await path(3, 400001, '订单取消')).json.errcode, 0);
  assert.equal((await s.post(PATHS.getOrder, { order_id: order.order_id, delivery_id: 'ACME' })).json.order_status, 1);
});

const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));
const fn = fileURLToPath(new URL('./fixtures/cloud-functions/logistics/index.js', import.meta.url));

test("cloud call: logistics.getContact / updatePath / updateBusiness / previewTemplate through wx-server-sdk with the carrier app's keys", async () => {
  const keys = await s.app.core.cloud.enable('wxbeta00000000000', ['beta-env']);
  const events = [
    { api: 'getContact', data: { token: betaOrder.token, waybillId: betaOrder.waybill_id } },
    {
      api: 'updatePath',
      data: { token: betaOrder.token, waybillId: betaOrder.waybill_id, actionTime: 1_700_000_100, actionType: 100001, actionMsg: '已揽件' },
    },
    { api: 'updatePath', data: { token: order.token, waybillId: order.waybill_id, actionTime: 1, actionType: 100001, actionMsg: 'x' } },
    { api: 'updateBusiness', data: { shopAppId: s.appid, bizId: 'b1', resultCode: 0, resultMsg: 'ok' } },
    {
      api: 'previewTemplate',
      data: {
        waybillId: 'W9',
        waybillTemplate: Buffer.from('<p>##VAR(sys.waybillid) ##VAR(custom.receiver.name) ##VAR(waybilldata.k)</p>').toString('base64'),
        waybillData: '##k##v##',
        custom: { orderId: 'x', receiver: { name: '王小蒙' } },
      },
    },
  ];
  const { stdout } = await promisify(execFile)(process.execPath, [runner, fn, JSON.stringify(events)], {
    env: {
      PATH: process.env.PATH ?? '',
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${s.url}/admin` }),
      TENCENTCLOUD_SECRETID: keys.secretId,
      TENCENTCLOUD_SECRETKEY: keys.secretKey,
      SCF_NAMESPACE: 'beta-env',
    },
    timeout: 30_000,
  });
  const [contact, updated, foreign, business, preview] = JSON.parse(stdout) as { result?: any; thrown?: any }[];
  assert.equal(preview!.result.errMsg, 'openapi.logistics.previewTemplate:ok');
  assert.equal(Buffer.from(preview!.result.renderedWaybillTemplate, 'base64').toString(), '<p>W9 王小蒙 v</p>');
  assert.equal(contact!.result.errMsg, 'openapi.logistics.getContact:ok');
  assert.equal(contact!.result.waybillId, betaOrder.waybill_id);
  assert.equal(contact!.result.sender.name, '张三');
  assert.deepEqual(updated!.result, { errMsg: 'openapi.logistics.updatePath:ok', errCode: 0 });
  assert.equal(foreign!.thrown.errCode, 9300507);
  assert.equal(business!.result.errCode, 0);
  assert.equal(
    (await s.post(PATHS.getPath, { order_id: betaOrder.order_id, delivery_id: 'BETA', waybill_id: betaOrder.waybill_id })).json
      .path_item_num,
    1,
  );
});
