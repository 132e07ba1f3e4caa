/**
 * Fault injection on the cloud-call path: the same rules, seen through the
 * real wx-server-sdk 4.0.2 in a child process. An errcode becomes what the
 * SDK throws for a WeChat error (`openapi.logistics.<name>:fail <errmsg> rid: …`);
 * a reset or hung connection becomes the SDK's transport failure.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, afterEach, before, test } from 'node:test';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let keys: { secretId: string; secretKey: string };
let token: string;
before(async () => {
  s = await startTestServer();
  keys = await s.app.core.cloud.enable(s.appid, ['local-env']);
  token = await s.token();
});
after(() => s.close());
afterEach(() => s.app.faults.clear());

const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));
const fn = fileURLToPath(new URL('./fixtures/cloud-functions/logistics-with-timeout/index.js', import.meta.url));

type Outcome = { result?: Record<string, any>; thrown?: { errCode: number; errMsg: string }; ms: number };

async function viaSdk(calls: { api: string; data?: unknown }[]): Promise<Outcome[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [runner, fn, JSON.stringify(calls)], {
    env: {
      PATH: process.env.PATH ?? '',
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${s.url}/admin` }),
      TENCENTCLOUD_SECRETID: keys.secretId,
      TENCENTCLOUD_SECRETKEY: keys.secretKey,
      SCF_NAMESPACE: 'local-env',
      WXL_RUNNER_TIMES: '1',
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Outcome[];
}

const camelOrder = (orderId: string) => ({
  addSource: 0,
  orderId,
  openid: 'oABC123456',
  deliveryId: 'TEST',
  bizId: 'test_biz_id',
  sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
  receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '深圳市', area: '南山区', address: 'YY路' },
  shop: { goodsName: '抱枕', imgUrl: 'https://x/y.png', goodsCount: 1 },
  cargo: { count: 1, weight: 1.2, spaceX: 20, spaceY: 15, spaceZ: 10, detailList: [{ name: '抱枕', count: 1 }] },
  insured: { useInsured: 0, insuredValue: 0 },
  service: { serviceType: 0, serviceName: '标准快递' },
});

const getOrderHttps = (orderId: string) => s.post(PATHS.getOrder, { order_id: orderId, delivery_id: 'TEST' }, token);

test('errcode rules throw what the SDK throws for a WeChat error: table errmsg, custom errmsg, times', async () => {
  await s.post(PATHS.addOrder, testOrder('c-1'), token);
  s.app.faults.add({ api: 'getOrder', errcode: -1, times: 1 });
  s.app.faults.add({ api: 'getAllDelivery', errcode: 45009, errmsg: 'too many calls today', times: 1 });
  const [first, second, all, allAgain] = await viaSdk([
    { api: 'getOrder', data: { orderId: 'c-1', deliveryId: 'TEST' } },
    { api: 'getOrder', data: { orderId: 'c-1', deliveryId: 'TEST' } },
    { api: 'getAllDelivery', data: {} },
    { api: 'getAllDelivery', data: {} },
  ]);
  assert.equal(first?.thrown?.errCode, -1);
  assert.match(first!.thrown!.errMsg, /^openapi\.logistics\.getOrder:fail system error rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  assert.equal(second?.result?.errMsg, 'openapi.logistics.getOrder:ok', 'times: 1 fired once');
  assert.equal(all?.thrown?.errCode, 45009);
  assert.match(all!.thrown!.errMsg, /^openapi\.logistics\.getAllDelivery:fail too many calls today rid: /);
  assert.equal(allAgain?.result?.errCode, 0);
});

test('a faulted cloud addOrder (9300501) writes nothing; the same order_id then creates normally', async () => {
  s.app.faults.add({ api: 'addOrder', errcode: 9300501, times: 1 });
  const [failed, retried] = await viaSdk([
    { api: 'addOrder', data: camelOrder('c-2') },
    { api: 'addOrder', data: camelOrder('c-2') },
  ]);
  assert.equal(failed?.thrown?.errCode, 9300501);
  assert.match(failed!.thrown!.errMsg, /^openapi\.logistics\.addOrder:fail delivery logic fail rid: /);
  assert.equal(retried?.result?.errCode, 0);
  assert.equal(retried?.result?.orderId, 'c-2');
  assert.equal((await getOrderHttps('c-2')).json.waybill_id, retried?.result?.waybillId);
});

test('one rule covers both paths: order_id matching, hits counted across HTTPS and the cloud call', async () => {
  await s.post(PATHS.addOrder, testOrder('c-3'), token);
  await s.post(PATHS.addOrder, testOrder('c-4'), token);
  const rule = s.app.faults.add({ api: 'getOrder', order_id: 'c-3', errcode: 930563, errmsg: 'order not exists' });
  const [three, four] = await viaSdk([
    { api: 'getOrder', data: { orderId: 'c-3', deliveryId: 'TEST' } },
    { api: 'getOrder', data: { orderId: 'c-4', deliveryId: 'TEST' } },
  ]);
  assert.equal(three?.thrown?.errCode, 930563);
  assert.equal(four?.result?.orderId, 'c-4');
  assert.equal((await getOrderHttps('c-3')).json.errcode, 930563);
  assert.equal(s.app.faults.get(rule.id)?.hits, 2);
});

test('delay_ms delays the answer (alone and with an errcode)', async () => {
  s.app.faults.add({ api: 'getAllDelivery', delay_ms: 600, times: 1 });
  s.app.faults.add({ api: 'getAllAccount', errcode: -1, delay_ms: 600, times: 1 });
  const [baseline, delayed, delayedError] = await viaSdk([
    { api: 'getPrinter', data: {} },
    { api: 'getAllDelivery', data: {} },
    { api: 'getAllAccount', data: {} },
  ]);
  assert.equal(delayed?.result?.errCode, 0);
  assert.ok(delayed!.ms >= 590, `delayed answer after ${delayed!.ms} ms`);
  assert.equal(delayedError?.thrown?.errCode, -1);
  assert.ok(delayedError!.ms >= 590, `delayed error after ${delayedError!.ms} ms`);
  assert.ok(baseline!.ms < delayed!.ms);
});

test('reset and hang: the SDK throws its transport failure (-501001) and nothing is written', async () => {
  s.app.faults.add({ api: 'addOrder', order_id: 'c-5', connection: 'reset', times: 1 });
  s.app.faults.add({ api: 'addOrder', order_id: 'c-6', connection: 'hang', times: 1 });
  const [reset, hung] = await viaSdk([
    { api: 'addOrder', data: camelOrder('c-5') },
    { api: 'addOrder', data: camelOrder('c-6') },
  ]);
  assert.equal(reset?.thrown?.errCode, -501001);
  assert.match(reset!.thrown!.errMsg, /ECONNRESET|socket hang up/);
  assert.equal(hung?.thrown?.errCode, -501001);
  assert.ok(hung!.ms >= 1400, `gave up after ${hung!.ms} ms (the function's 1.5 s timeout)`);
  assert.match(hung!.thrown!.errMsg, /timeout|TIMEDOUT/i);
  assert.equal((await getOrderHttps('c-5')).json.errcode, 930563);
  assert.equal((await getOrderHttps('c-6')).json.errcode, 930563);
});
