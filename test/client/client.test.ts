import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WxApiError } from '../../src/client/index.ts';
import { RecordingHttpClient, RID, startHarness, testOrderBody, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('addOrder then getOrder round-trips a TEST order', async () => {
  const client = h.client();
  const added = await client.addOrder(testOrderBody('round-trip-1'));
  assert.equal(added.errcode, 0);
  assert.equal(added.order_id, 'round-trip-1');
  assert.equal(typeof added.waybill_id, 'string');
  assert.ok(Array.isArray(added.waybill_data));

  const order = await client.getOrder({ order_id: 'round-trip-1', openid: 'oABC', delivery_id: 'TEST', waybill_id: added.waybill_id });
  assert.equal(order.order_id, 'round-trip-1');
  assert.equal(order.delivery_id, 'TEST');
  assert.equal(order.waybill_id, added.waybill_id);
  assert.equal(order.order_status, 0);
  assert.deepEqual(order.waybill_data, added.waybill_data);
  assert.match(Buffer.from(order.print_html, 'base64').toString('utf8'), /^<!DOCTYPE html>/i);

  const batch = await client.batchGetOrder({
    order_list: [{ order_id: 'round-trip-1', delivery_id: 'TEST', waybill_id: added.waybill_id }],
  });
  assert.equal(batch.order_list.length, 1);
  assert.equal(batch.order_list[0]?.waybill_id, added.waybill_id);
});

test('the exact requests sent: token fetch, a GET API without body, a POST API with raw UTF-8 JSON', async () => {
  const http = new RecordingHttpClient();
  const client = h.client({ httpClient: http });
  await client.getAllDelivery();
  await client.getQuota({ delivery_id: 'YTO', biz_id: 'nobody' }).catch(() => undefined);
  const [tokenReq, getAll, quota] = http.sent;
  assert.equal(http.sent.length, 3);

  assert.equal(tokenReq?.method, 'GET');
  const tokenUrl = new URL(tokenReq.url);
  assert.equal(tokenUrl.pathname, '/cgi-bin/token');
  assert.deepEqual(Object.fromEntries(tokenUrl.searchParams), { grant_type: 'client_credential', appid: h.appid, secret: h.secret });
  assert.equal(tokenReq.body, undefined);

  assert.equal(getAll?.method, 'GET');
  const getAllUrl = new URL(getAll.url);
  assert.equal(getAllUrl.origin + getAllUrl.pathname, `${h.baseUrl}/cgi-bin/express/business/delivery/getall`);
  assert.deepEqual([...getAllUrl.searchParams.keys()], ['access_token']);
  assert.equal(getAll.body, undefined);

  assert.equal(quota?.method, 'POST');
  const quotaUrl = new URL(quota.url);
  assert.equal(quotaUrl.pathname, '/cgi-bin/express/business/quota/get');
  assert.equal(quotaUrl.searchParams.get('access_token'), getAllUrl.searchParams.get('access_token'));
  assert.equal(quota.body, '{"delivery_id":"YTO","biz_id":"nobody"}');
  assert.equal(quota.headers['content-type'], 'application/json');

  // Non-ASCII goes out as raw UTF-8, not \u escapes (business-api.md: 9300501 note).
  await client.addOrder(testOrderBody('utf8-1'));
  assert.match(http.sent.at(-1)?.body ?? '', /"name":"张三"/);
});

test('a missing order rejects with WxApiError: errcode, errmsg without rid, rid', async () => {
  const client = h.client();
  const error = await client.getOrder({ order_id: 'no-such-order', delivery_id: 'TEST', waybill_id: 'x' }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WxApiError);
  assert.equal(error.name, 'WxApiError');
  assert.equal(error.errcode, 930563);
  assert.equal(error.errmsg, 'order not exists');
  assert.match(error.rid ?? '', RID);
  assert.equal(error.body.errmsg, `order not exists rid: ${error.rid}`);
  assert.equal(error.message, `930563 order not exists (rid: ${error.rid})`);
});

test('the APIs the server lacks still go to their documented paths', async () => {
  const http = new RecordingHttpClient();
  const client = h.client({ httpClient: http });
  await client.getPrinter().catch(() => undefined);
  await client.updatePrinter({ openid: 'oP', update_type: 'bind' }).catch(() => undefined);
  const paths = http.sent.slice(1).map((r) => `${r.method} ${new URL(r.url).pathname}`);
  assert.deepEqual(paths, ['GET /cgi-bin/express/business/printer/getall', 'POST /cgi-bin/express/business/printer/update']);
});
