/** House rules 1–3: envelope, rid, and the order of request checks. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { MAX_BODY_BYTES } from '../src/http/read-body.ts';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const raw = async (method: string, path: string, body?: string) => {
  const res = await fetch(`${s.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as { errcode: number; errmsg: string } };
};

describe('house rule 1–2: envelope', () => {
  test('a business success carries errcode 0 and errmsg ok; a token success does not', async () => {
    const res = await s.get(PATHS.getAllDelivery);
    assert.equal(res.json.errcode, 0);
    assert.equal(res.json.errmsg, 'ok');
    const tok = await fetch(`${s.url}/cgi-bin/token?grant_type=client_credential&appid=${s.appid}&secret=${s.secret}`);
    assert.deepEqual(Object.keys((await tok.json()) as object), ['access_token', 'expires_in']);
  });

  test('an error is HTTP 200 with errmsg "<text> rid: <unix time hex>-<hex>-<hex>"', async () => {
    const before = Math.floor(s.clock.nowMs() / 1000);
    const res = await raw('GET', '/nope');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), ['errcode', 'errmsg']);
    assert.match(res.json.errmsg, /^invalid url rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    const ridTime = parseInt(res.json.errmsg.slice(' rid: '.length + 'invalid url'.length, -18), 16);
    assert.ok(ridTime >= before && ridTime <= before + 5, `rid time ${ridTime} vs ${before}`);
    const again = await raw('GET', '/nope');
    assert.notEqual(again.json.errmsg, res.json.errmsg, 'rids are random');
  });
});

describe('house rule 3: request checks in order', () => {
  test('unknown path → 40066 invalid url, even under /cgi-bin/express', async () => {
    for (const path of ['/', '/cgi-bin/express/business/order/nope', '/cgi-bin/express/business/accountService/bind']) {
      const res = await raw('POST', `${path}?access_token=x`, '{}');
      assert.equal(res.json.errcode, 40066, path);
    }
  });

  test('wrong method → 43002 on a POST endpoint, 43001 on a GET endpoint, before the token check', async () => {
    assert.equal((await raw('GET', PATHS.getOrder)).json.errcode, 43002);
    assert.match((await raw('PUT', PATHS.addOrder)).json.errmsg, /^require POST method rid: /);
    const get = await raw('POST', PATHS.getAllDelivery, '{}');
    assert.equal(get.json.errcode, 43001);
    assert.match(get.json.errmsg, /^require GET method rid: /);
    assert.equal((await raw('POST', '/cgi-bin/token', '{}')).json.errcode, 43001);
    assert.equal((await raw('GET', '/cgi-bin/stable_token')).json.errcode, 43002);
  });

  test('access_token absent → 41001, unknown or malformed → 40001, expired → 42001', async () => {
    assert.equal((await raw('POST', PATHS.getOrder, '{}')).json.errcode, 41001);
    assert.equal((await raw('POST', `${PATHS.getOrder}?access_token=`, '{}')).json.errcode, 41001);
    assert.equal((await raw('POST', `${PATHS.getOrder}?access_token=garbage`, '{}')).json.errcode, 40001);
    const forged = '86_' + 'A'.repeat(134);
    const unknown = await raw('POST', `${PATHS.getOrder}?access_token=${forged}`, '{}');
    assert.equal(unknown.json.errcode, 40001);
    assert.match(unknown.json.errmsg, /^invalid credential, access_token is invalid or not latest/);
    const token = await s.token();
    s.clock.advance(7200 * 1000);
    const expired = await s.post(PATHS.getOrder, {}, token);
    assert.equal(expired.json.errcode, 42001);
    assert.match(expired.json.errmsg, /^access_token expired rid: /);
  });

  test('empty body → 44002; not JSON, not an object, or a wrong JSON type → 47001', async () => {
    const t = await s.token();
    assert.equal((await s.post(PATHS.getOrder, '', t)).json.errcode, 44002);
    assert.match((await s.post(PATHS.getOrder, '', t)).json.errmsg, /^empty post data rid: /);
    for (const body of ['{', 'nope', '[1,2]', '"str"', '42', 'null']) {
      assert.equal((await s.post(PATHS.getOrder, body, t)).json.errcode, 47001, body);
    }
    const wrongType = [
      testOrder('t1', { sender: '{"name":"张三"}' }),
      testOrder('t2', { add_source: '0' }),
      testOrder('t3', { cargo: { ...(testOrder('x').cargo as object), weight: '1.2' } }),
      testOrder('t4', { order_id: 12345 }),
    ];
    for (const body of wrongType) {
      const res = await s.post(PATHS.addOrder, body, t);
      assert.equal(res.json.errcode, 47001, JSON.stringify(body).slice(0, 80));
      assert.match(res.json.errmsg, /^data format error rid: /);
    }
    assert.equal((await s.post(PATHS.getOrder, { order_id: 'x', delivery_id: 'TEST', print_type: '1' }, t)).json.errcode, 47001);
    assert.equal((await s.post(PATHS.batchGetOrder, { order_list: {} }, t)).json.errcode, 47001);
  });

  test('a body of exactly 1 MiB is accepted; one byte more is 47001', async () => {
    const t = await s.token();
    const base = JSON.stringify({ order_id: 'none', delivery_id: 'TEST' });
    const exact = base.slice(0, -1) + ' '.repeat(MAX_BODY_BYTES - base.length) + '}';
    assert.equal(Buffer.byteLength(exact), MAX_BODY_BYTES);
    assert.equal((await s.post(PATHS.getOrder, exact, t)).json.errcode, 930563);
    const over = base.slice(0, -1) + ' '.repeat(MAX_BODY_BYTES - base.length + 1) + '}';
    assert.equal((await s.post(PATHS.getOrder, over, t)).json.errcode, 47001);
  });

  test('an oversized body is answered early and the connection stays usable', async () => {
    const t = await s.token();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(`${s.url}${PATHS.getOrder}?access_token=${t}`);
    const send = (body: Buffer, chunked: boolean) =>
      new Promise<{ json: { errcode: number }; reused: boolean }>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: chunked ? {} : { 'content-length': body.length } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ json: JSON.parse(text), reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const big = Buffer.alloc(3 * MAX_BODY_BYTES, 0x20);
    assert.equal((await send(big, false)).json.errcode, 47001);
    assert.equal((await send(big, true)).json.errcode, 47001, 'chunked, no content-length');
    const next = await send(Buffer.from('{"order_id":"none","delivery_id":"TEST"}'), false);
    assert.equal(next.json.errcode, 930563);
    agent.destroy();
  });
});

test('errmsg texts carry the rid suffix on every error', async () => {
  const res = await s.post(PATHS.getOrder, { order_id: 'missing', delivery_id: 'TEST' });
  assert.match(res.json.errmsg, RID);
});
