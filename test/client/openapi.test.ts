import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { CloudSdkError, toCamelCase, toSnakeCase } from '../../src/client/index.ts';
import { RecordingHttpClient, startHarness, testOrderBody, type Harness } from './harness.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('camelCasing the documented HTTP answer gives the documented cloud answer, key order included', () => {
  const cloud = { ...(toCamelCase(fixture('seed-getOrder.http.response.json')) as object), errMsg: 'openapi.logistics.getOrder:ok' };
  const expected = fixture('seed-getOrder.cloud.response.json');
  assert.deepEqual(cloud, expected);
  assert.deepEqual(Object.keys(cloud), Object.keys(expected));
  assert.deepEqual(toSnakeCase(fixture('seed-getOrder.cloud.request.json')), fixture('seed-getOrder.http.request.json'));
});

test('case conversion follows wx-server-sdk: keys only, `_` + lower-case letter, unchanged keys keep their place', () => {
  assert.deepEqual(toCamelCase({ count: 1, path_item_list: [{ action_msg: 'a_b' }], item_2: [[{ x_y: 1 }]], tagid_list: ['1_a'] }), {
    count: 1,
    pathItemList: [{ actionMsg: 'a_b' }],
    item_2: [[{ xY: 1 }]],
    tagidList: ['1_a'],
  });
  assert.deepEqual(Object.keys(toCamelCase({ order_id: 1, count: 2 }) as object), ['count', 'orderId']);
  assert.deepEqual(toSnakeCase({ spaceX: 1, OrderId: 2, detailList: [{ goodsImgUrl: 'U' }] }), {
    space_x: 1,
    order_id: 2,
    detail_list: [{ goods_img_url: 'U' }],
  });
});

test('openapi.logistics.addOrder sends snake_case and getOrder answers like wx-server-sdk', async () => {
  const http = new RecordingHttpClient();
  const client = h.client({ httpClient: http });
  const args = toCamelCase(testOrderBody('cloud-1')) as Parameters<typeof client.openapi.logistics.addOrder>[0];
  const added = await client.openapi.logistics.addOrder(args);
  assert.deepEqual(JSON.parse(http.sent.at(-1)?.body ?? ''), testOrderBody('cloud-1'));
  assert.equal(added.errMsg, 'openapi.logistics.addOrder:ok');
  assert.equal(added.errCode, 0);
  assert.equal(added.orderId, 'cloud-1');
  assert.ok(!('errcode' in added) && !('errmsg' in added));

  const ref = { orderId: 'cloud-1', openid: 'oABC', deliveryId: 'TEST', waybillId: added.waybillId };
  const order = await client.openapi.logistics.getOrder(ref);
  assert.deepEqual(
    new Set(Object.keys(order)),
    new Set(['printHtml', 'waybillData', 'orderId', 'deliveryId', 'waybillId', 'orderStatus', 'errMsg', 'errCode']),
  );
  assert.deepEqual(Object.keys(order).slice(-2), ['errMsg', 'errCode']);
  // Exactly the SDK's transformation of the HTTP answer.
  const http_ = { ...(await client.getOrder({ order_id: 'cloud-1', openid: 'oABC', delivery_id: 'TEST', waybill_id: added.waybillId })) };
  delete http_.errcode;
  delete http_.errmsg;
  assert.deepEqual(order, { ...(toCamelCase(http_) as object), errMsg: 'openapi.logistics.getOrder:ok', errCode: 0 });
  assert.equal(order.orderStatus, 0);

  const deliveries = await client.openapi.logistics.getAllDelivery();
  assert.ok(deliveries.data.some((d) => d.deliveryId === 'TEST' && d.serviceType?.[0]?.serviceName === '标准快递'));
  assert.equal(deliveries.errMsg, 'openapi.logistics.getAllDelivery:ok');
});

test('a failure throws what wx-server-sdk throws: errCode, errMsg "…:fail <errmsg with rid>"', async () => {
  const client = h.client();
  const error = await client.openapi.logistics.getOrder({ orderId: 'missing', deliveryId: 'TEST', waybillId: 'x' }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof Error && error instanceof CloudSdkError);
  assert.equal(error.name, 'Error');
  assert.deepEqual(Object.keys(error), ['errCode', 'errMsg']);
  assert.equal(error.errCode, 930563);
  // The SDK passes WeChat's errmsg through whole: the rid stays.
  assert.match(error.errMsg, /^openapi\.logistics\.getOrder:fail order not exists rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  assert.equal(error.message, `errCode: 930563  | errMsg: ${error.errMsg}`);
});

test('testUpdateOrder is not a cloud API: rejects as the SDK does for an unknown API', async () => {
  const client = h.client();
  await assert.rejects(client.openapi.logistics.testUpdateOrder(), {
    errCode: -604100,
    errMsg: 'system error: error code: -604100',
    message: 'errCode: -604100 API not found | errMsg: system error: error code: -604100',
  });
});
