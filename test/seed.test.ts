import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixture, PATHS, startTestServer, type TestServer } from './support/test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

test('the seed getOrder request is answered with exactly the documented keys and JSON types', async () => {
  // The documented addOrder example (business-api.md §1.8) with its bound account "xyz".
  const bind = await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'xyz', delivery_id: 'SF', password: 'secret-pass' });
  assert.deepEqual(bind.json, { errcode: 0, errmsg: 'ok' });
  const added = await s.post(PATHS.addOrder, fixture('addOrder.example.request.json'));
  assert.equal(added.json.errcode, 0, added.text);
  assert.deepEqual(Object.keys(added.json), ['errcode', 'errmsg', 'order_id', 'waybill_id', 'waybill_data']);
  assert.deepEqual(
    added.json.waybill_data.map((d: { key: string }) => d.key),
    ['SF_bagAddr', 'SF_mark'],
  );
  assert.equal(added.json.waybill_data[0].value, '广州');

  // The docs' sample asks for a waybill id the carrier never issued (fixtures/README.md):
  // verbatim it is parsed and refused with the documented code…
  const request = fixture('seed-getOrder.http.request.json');
  const verbatim = await s.post(PATHS.getOrder, request);
  assert.equal(verbatim.json.errcode, 9300528);

  // …and with the waybill id the carrier issued, it is answered.
  const res = await s.post(PATHS.getOrder, { ...request, waybill_id: added.json.waybill_id });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; encoding=utf-8');
  assert.ok(!/\s/.test(res.text.replace(/"(?:[^"\\]|\\.)*"/g, '""')), 'compact JSON: no whitespace between tokens');
  const documented = fixture('seed-getOrder.http.response.json');
  assert.deepEqual(Object.keys(res.json).sort(), ['errcode', 'errmsg', ...Object.keys(documented)].sort());
  for (const [k, v] of Object.entries(documented)) assert.equal(jsonType(res.json[k]), jsonType(v), `type of ${k}`);
  assert.equal(res.json.errcode, 0);
  assert.equal(res.json.errmsg, 'ok');
  assert.equal(res.json.order_id, request.order_id);
  assert.equal(res.json.delivery_id, 'SF');
  assert.equal(res.json.waybill_id, added.json.waybill_id);
  assert.equal(res.json.order_status, 0);
  assert.deepEqual(res.json.waybill_data, added.json.waybill_data);
  for (const item of res.json.waybill_data) assert.deepEqual(Object.keys(item), ['key', 'value']);
  const html = Buffer.from(res.json.print_html, 'base64').toString('utf8');
  assert.equal(Buffer.from(html, 'utf8').toString('base64'), res.json.print_html, 'standard padded base64');
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.match(html, /<\/html>\s*$/);
});

test('getAllDelivery lists the carriers of carriers.md with TEST and cash biz ids', async () => {
  const res = await s.get(PATHS.getAllDelivery);
  assert.equal(res.json.errcode, 0);
  assert.equal(res.json.count, res.json.data.length);
  const byId = new Map<string, any>(res.json.data.map((d: any) => [d.delivery_id, d]));
  for (const id of ['BEST', 'EMS', 'PJ', 'SF', 'YTO', 'YUNDA', 'ZTO', 'DB', 'STO', 'JDL', 'JTSD', 'TEST']) assert.ok(byId.has(id), id);
  assert.deepEqual(byId.get('TEST').service_type, [
    { service_type: 0, service_name: '标准快递' },
    { service_type: 1, service_name: 'test_service_name' },
  ]);
  assert.equal(byId.get('TEST').delivery_name, '测试快递公司');
  assert.deepEqual([byId.get('SF').can_use_cash, byId.get('SF').cash_biz_id], [1, 'SF_CASH']);
  assert.deepEqual([byId.get('DB').can_use_cash, byId.get('DB').cash_biz_id], [1, 'DB_CASH']);
  assert.equal(byId.get('YTO').can_get_quota, 1);
  assert.equal(byId.get('SF').can_get_quota, 0);
  for (const d of res.json.data) {
    assert.deepEqual(Object.keys(d), ['delivery_id', 'delivery_name', 'can_use_cash', 'can_get_quota', 'service_type', 'cash_biz_id']);
  }
});
