/**
 * Unmodified wx-server-sdk cloud functions run against the server.
 * Real SDK (wx-server-sdk 4.0.2) in a child process, configured only by its
 * environment; real server over loopback; nothing mocked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { fixture, PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let keys: { secretId: string; secretKey: string };
before(async () => {
  s = await startTestServer();
  keys = await s.app.core.cloud.enable(s.appid, ['local-env']);
});
after(() => s.close());

const fn = (name: string) => fileURLToPath(new URL(`./fixtures/cloud-functions/${name}/index.js`, import.meta.url));
const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));

async function runFunction(name: string, events: unknown[], env: Record<string, string> = {}) {
  const { stdout } = await promisify(execFile)(process.execPath, [runner, fn(name), JSON.stringify(events)], {
    env: {
      PATH: process.env.PATH ?? '',
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${s.url}/admin` }),
      TENCENTCLOUD_SECRETID: keys.secretId,
      TENCENTCLOUD_SECRETKEY: keys.secretKey,
      SCF_NAMESPACE: 'local-env',
      ...env,
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { result?: Record<string, any>; thrown?: { errCode: number; errMsg: string } }[];
}

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

test('the seed cloud function gets the documented shape for a real order, and throws for a missing one', async () => {
  const added = (await s.post(PATHS.addOrder, testOrder('01234567890123456789', { delivery_id: 'SF', biz_id: 'SF_CASH' }))).json;
  const [ok, missing] = await runFunction('getOrder', [
    { openid: 'oABC123456', orderId: '01234567890123456789', deliveryId: 'SF', waybillId: added.waybill_id },
    { openid: 'oABC123456', orderId: 'no-such-order', deliveryId: 'SF' },
  ]);
  const documented = fixture('seed-getOrder.cloud.response.json');
  const result = ok!.result!;
  assert.deepEqual(Object.keys(result).sort(), [...Object.keys(documented), 'errCode'].sort());
  for (const [k, v] of Object.entries(documented)) assert.equal(jsonType(result[k]), jsonType(v), k);
  assert.equal(result.errMsg, 'openapi.logistics.getOrder:ok');
  assert.equal(result.errCode, 0);
  assert.equal(result.waybillId, added.waybill_id);
  assert.deepEqual(result.waybillData, added.waybill_data);
  const https = (await s.post(PATHS.getOrder, { order_id: '01234567890123456789', delivery_id: 'SF' })).json;
  assert.equal(result.printHtml, https.print_html, 'the same label as the HTTPS twin');

  // The HTTPS form answers {errcode: 930563, errmsg: "order not exists rid: …"}.
  assert.equal(missing!.thrown!.errCode, 930563);
  assert.match(missing!.thrown!.errMsg, /^openapi\.logistics\.getOrder:fail order not exists rid: [0-9a-f-]{26}$/);
});

test('addOrder (nested objects), cancelOrder and getAllDelivery through the cloud call', async () => {
  const camel = {
    addSource: 0,
    orderId: 'cloud-1',
    openid: 'oABC123456',
    deliveryId: 'TEST',
    bizId: 'test_biz_id',
    customRemark: '易碎物品',
    sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
    receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '深圳市', area: '南山区', address: 'YY路' },
    shop: { detailList: [{ goodsName: '抱枕', goodsImgUrl: 'https://x/y.png', goodsDesc: '40cm' }] },
    cargo: { count: 1, weight: 1.2, spaceX: 20, spaceY: 15, spaceZ: 10, detailList: [{ name: '抱枕', count: 1 }] },
    insured: { useInsured: 0, insuredValue: 0 },
    service: { serviceType: 1, serviceName: 'test_service_name' },
  };
  const [added, bad, deliveries] = await runFunction('logistics', [
    { api: 'addOrder', data: camel },
    { api: 'addOrder', data: { ...camel, orderId: 'cloud-2', service: { serviceType: 9, serviceName: 'x' } } },
    { api: 'getAllDelivery', data: {} },
  ]);
  const a = added!.result!;
  assert.equal(a.errMsg, 'openapi.logistics.addOrder:ok');
  assert.equal(a.orderId, 'cloud-1');
  assert.deepEqual(
    a.waybillData.map((d: { key: string }) => d.key),
    ['TEST_mark'],
  );
  const stored = await s.app.core.store.orders.get(s.appid, 'cloud-1');
  assert.equal(JSON.parse(stored!.body).shop.detail_list[0].goods_img_url, 'https://x/y.png', 'nested keys arrive snake_case');
  assert.equal(bad!.thrown!.errCode, 9300510);
  assert.match(bad!.thrown!.errMsg, /^openapi\.logistics\.addOrder:fail invalid service type rid: /);
  const d = deliveries!.result!;
  assert.equal(d.errMsg, 'openapi.logistics.getAllDelivery:ok');
  assert.equal(d.count, d.data.length);
  const sf = d.data.find((x: any) => x.deliveryId === 'SF');
  assert.deepEqual([sf.canUseCash, sf.cashBizId, sf.serviceType[0].serviceName], [1, 'SF_CASH', '标准快递']);

  const [cancelled, again] = await runFunction('logistics', [
    { api: 'cancelOrder', data: { orderId: 'cloud-1', deliveryId: 'TEST', waybillId: a.waybillId, openid: 'oABC123456' } },
    { api: 'cancelOrder', data: { orderId: 'cloud-1', deliveryId: 'TEST', waybillId: a.waybillId } },
  ]);
  assert.deepEqual(cancelled!.result, {
    errMsg: 'openapi.logistics.cancelOrder:ok',
    errCode: 0,
    deliveryResultcode: 0,
    deliveryResultmsg: '',
  });
  assert.equal(again!.thrown!.errCode, 9300524);
});

test('getPath through the cloud call: camelCase nodes, the same as the HTTPS twin', async () => {
  const a = (await s.post(PATHS.addOrder, testOrder('cloud-path'))).json;
  for (const [type, msg] of [
    [100001, '揽件成功'],
    [200001, '运输中'],
  ] as const) {
    await s.post(PATHS.testUpdateOrder, {
      biz_id: 'test_biz_id',
      order_id: 'cloud-path',
      delivery_id: 'TEST',
      waybill_id: a.waybill_id,
      action_time: 1700000000,
      action_type: type,
      action_msg: msg,
    });
  }
  const [path, wrong] = await runFunction('logistics', [
    { api: 'getPath', data: { openid: 'oABC123456', orderId: 'cloud-path', deliveryId: 'TEST', waybillId: a.waybill_id } },
    { api: 'getPath', data: { orderId: 'cloud-path', deliveryId: 'TEST', waybillId: 'other' } },
  ]);
  const https = (await s.post(PATHS.getPath, { order_id: 'cloud-path', delivery_id: 'TEST', waybill_id: a.waybill_id })).json;
  assert.deepEqual(path!.result, {
    errMsg: 'openapi.logistics.getPath:ok',
    errCode: 0,
    openid: https.openid,
    deliveryId: 'TEST',
    waybillId: a.waybill_id,
    pathItemNum: 2,
    pathItemList: https.path_item_list.map((n: any) => ({ actionTime: n.action_time, actionType: n.action_type, actionMsg: n.action_msg })),
  });
  assert.equal(wrong!.thrown!.errCode, 9300528);
});

test('the gateway refuses a wrong key or an env of another app; an unknown API is -604100', async () => {
  const [wrongKey] = await runFunction('logistics', [{ api: 'getAllDelivery', data: {} }], { TENCENTCLOUD_SECRETKEY: 'not-the-key' });
  assert.equal(wrongKey!.thrown!.errCode, -501008);
  const [wrongEnv] = await runFunction('logistics', [{ api: 'getAllDelivery', data: {} }], { SCF_NAMESPACE: 'someone-else' });
  assert.equal(wrongEnv!.thrown!.errCode, -501005);
  // The 散单 provider endpoints have no cloud form (provider-api.md §5).
  const [unknown] = await runFunction('logistics', [{ api: 'scatterUpdateOrderStatus', data: {} }]);
  assert.equal(unknown!.thrown!.errCode, -604100);
});
