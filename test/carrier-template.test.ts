/**
 * Carrier label templates in WeChat's template language (provider-api.md §2): previewTemplate
 * renders with the request's own waybill_id, waybill_data and custom; a carrier registered with
 * a template gets it rendered into print_html for its orders. One label engine for both.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeCarrier, type FakeCarrier } from './support/fake-carrier.ts';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let c: FakeCarrier;
let carrierToken: string;
const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');
const unb64 = (t: string) => Buffer.from(t, 'base64').toString('utf8');
const LABEL =
  '<html><b>##VAR(sys.waybillid)</b>|##VAR(waybilldata.ACME_mark)|##VAR(custom.receiver.name)|##STRBLOAT(VAR(sys.waybillid))|<img src="data:image/jpeg;base64, ##CODE128(VAR(sys.waybillid))"></html>';

before(async () => {
  s = await startTestServer({ carrier: { timeoutMs: 2000, attempts: 1 } });
  c = await startFakeCarrier({ token: 'tplTok1', appid: 'wxtpl000000000001' });
  await s.app.core.carrierRegistry.add({
    delivery_id: 'ACME',
    name: '极速快递',
    url: c.url,
    token: 'tplTok1',
    services: ['0:标准快递'],
    appid: 'wxtpl000000000001',
    secret: 'tpl-secret',
    template: LABEL,
  });
  carrierToken = await s.token('wxtpl000000000001', 'tpl-secret');
});
after(async () => {
  await c.close();
  await s.close();
});

const custom = testOrder('preview-1', { delivery_id: 'ACME', biz_id: 'x' });
const preview = (over: Record<string, unknown>, token = carrierToken) =>
  s.post(
    PATHS.previewTemplate,
    {
      waybill_id: 'W123',
      waybill_template: b64('<html>test</html>'),
      waybill_data: '##ACME_mark##11-22-33##ACME_bagAddr##广州##',
      custom,
      ...over,
    },
    token,
  );

test("previewTemplate: the doc's example renders unchanged; the answer carries waybill_id", async () => {
  const r = (await preview({ waybill_id: '1234567890123', waybill_template: 'PGh0bWw+dGVzdDwvaHRtbD4=' })).json;
  assert.deepEqual(r, { errcode: 0, errmsg: 'ok', waybill_id: '1234567890123', rendered_waybill_template: 'PGh0bWw+dGVzdDwvaHRtbD4=' });
});

test("previewTemplate: VAR, TIME, STRBLOAT, CODE128, QRCODE with the request's waybill_data and custom", async () => {
  const t =
    '##VAR(sys.waybillid)|##VAR(waybilldata.ACME_bagAddr)|##VAR(custom.sender.city)|##VAR(custom.cargo.weight)|##TIME(DATE)|##TIME(TIME)|##STRBLOAT(VAR(sys.waybillid))|##CODE128(VAR(sys.waybillid))|##QRCODE(VAR(custom.order_id))';
  const r = (await preview({ waybill_template: b64(t) })).json;
  assert.equal(r.errcode, 0, JSON.stringify(r));
  const [id, bag, city, weight, date, time, spaced, code128, qr] = unb64(r.rendered_waybill_template).split('|');
  assert.equal(id, 'W123');
  assert.equal(bag, '广州');
  assert.equal(city, '广州市');
  assert.equal(weight, '1.2');
  assert.match(date!, /^\d{4}\/\d{2}\/\d{2}$/);
  assert.match(time!, /^\d{2}:\d{2}:\d{2}$/);
  assert.equal(spaced, 'W 1 2 3');
  for (const img of [code128!, qr!])
    assert.equal(Buffer.from(img, 'base64').subarray(1, 4).toString(), 'PNG', 'an image a browser shows after data:image/jpeg;base64,');
  assert.notEqual(code128, qr);
});

test('previewTemplate errcodes: unknown directive 9300512, not Base64 9300512, bad waybill_data 9300502, a merchant app 48001, no custom 930561', async () => {
  const unknown = (await preview({ waybill_template: b64('<p>##BOGUS(VAR(sys.waybillid))</p>') })).json;
  assert.equal(unknown.errcode, 9300512);
  assert.match(unknown.errmsg, /^invalid waybill template format rid: /);
  assert.equal((await preview({ waybill_template: b64('##VAR(custom.nope)') })).json.errcode, 9300512, 'unknown key');
  assert.equal((await preview({ waybill_template: '%%% not base64 %%%' })).json.errcode, 9300512);
  const bad = (await preview({ waybill_data: 'ACME_mark=1' })).json;
  assert.equal(bad.errcode, 9300502);
  assert.match(bad.errmsg, RID);
  assert.equal((await preview({ waybill_data: '##odd##' })).json.errcode, 9300502);
  assert.equal((await preview({})).json.errcode, 0, 'and the same request with good data renders');
  assert.equal((await preview({}, await s.token())).json.errcode, 48001);
  assert.equal((await preview({ custom: undefined })).json.errcode, 930561);
  assert.equal((await preview({ custom: 'x' })).json.errcode, 47001);
});

test("a carrier registered with a template gets it rendered into its orders' print_html", async () => {
  assert.equal((await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'acme_biz', delivery_id: 'ACME', password: 'p' })).json.errcode, 0);
  const a = (await s.post(PATHS.addOrder, testOrder('tpl-1', { delivery_id: 'ACME', biz_id: 'acme_biz' }))).json;
  assert.equal(a.errcode, 0);
  for (const printType of [0, 1]) {
    const got = (await s.post(PATHS.getOrder, { order_id: 'tpl-1', delivery_id: 'ACME', print_type: printType })).json;
    const html = unb64(got.print_html);
    const [head, mark, name, spaced] = html.split('|');
    assert.equal(head, `<html><b>${a.waybill_id}</b>`);
    assert.equal(mark, '123-456-789', "the carrier's WaybillData");
    assert.equal(name, '王小蒙');
    assert.equal(spaced, a.waybill_id.split('').join(' '));
    assert.match(html, /data:image\/jpeg;base64, iVBOR/);
  }
  // A simulated carrier keeps the built-in label.
  const sim = (await s.post(PATHS.addOrder, testOrder('tpl-sim'))).json;
  const simLabel = unb64(
    (await s.post(PATHS.getOrder, { order_id: 'tpl-sim', delivery_id: 'TEST', waybill_id: sim.waybill_id })).json.print_html,
  );
  assert.match(simLabel, /^<!DOCTYPE html>/i);
});

test('a template that does not compile is refused when the carrier is registered (9300512 as a 400)', async () => {
  const res = await fetch(`${s.url}/_wxl/api/carriers/ACME`, {
    method: 'PUT',
    headers: { 'x-wxl-admin-key': s.app.adminKey },
    body: JSON.stringify({ template: '##NOPE(1)' }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as any).error, /9300512/);
});

test('console API: the registry with its last event, the event log per carrier and per order (raw bodies); the carriers page is served', async () => {
  const api = async (path: string) => (await fetch(`${s.url}/_wxl/console-api${path}`)).json() as Promise<any>;
  const { carriers } = await api('/carriers');
  assert.deepEqual(
    carriers.map((x: any) => [x.delivery_id, x.template]),
    [['ACME', true]],
  );
  assert.equal(carriers[0].recent_events.length, 1);
  const { events } = await api('/carriers/ACME/events');
  assert.deepEqual(events.map((e: any) => e.event).reverse(), ['check_biz', 'add_waybill']);
  assert.match(events[0].request_body, /<Event><!\[CDATA\[add_waybill\]\]><\/Event>/);
  assert.match(events[0].reply_body, /WaybillData/);
  const perOrder = await api(`/apps/${s.appid}/orders/tpl-1/carrier-events`);
  assert.deepEqual(
    perOrder.events.map((e: any) => e.event),
    ['add_waybill'],
  );
  const label = await (await fetch(`${s.url}/_wxl/console-api/apps/${s.appid}/orders/tpl-1/label`)).text();
  assert.match(label, /^<html><b>/, "the console shows the carrier's own label");
  for (const page of ['pages/carriers.js', 'pages/carrier-events.js'])
    assert.equal((await fetch(`${s.url}/console/${page}`)).status, 200, page);
});
