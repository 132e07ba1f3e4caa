/**
 * Every string of every API must be well-formed Unicode: a lone UTF-16 surrogate
 * (a valid JSON escape) or bytes that are not UTF-8 answer 47001 and store nothing,
 * so an order is never kept under a key other than the one the client sends again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let t: string;
before(async () => {
  s = await startTestServer();
  t = await s.token();
});
after(() => s.close());

const postBytes = async (path: string, bytes: Buffer) => {
  const res = await fetch(`${s.url}${path}?access_token=${t}`, { method: 'POST', body: new Uint8Array(bytes) });
  return (await res.json()) as { errcode: number; errmsg: string };
};

test('a lone surrogate escape in order_id answers 47001 and leaves no order behind', async () => {
  for (const escape of ['\\ud800', '\\udfff', '\\uDBFF', '\\ude00\\ud83d']) {
    const body = JSON.stringify(testOrder('x-PLACEHOLDER')).replace('PLACEHOLDER', escape);
    const res = await s.post(PATHS.addOrder, body, t);
    assert.equal(res.json.errcode, 47001, escape);
    assert.match(res.json.errmsg, /^data format error rid: /);
  }
  const search = await s.post(PATHS.getOrder, { order_id: 'x-\ufffd', delivery_id: 'TEST' }, t);
  assert.equal(search.json.errcode, 930563, 'nothing stored under a replacement character either');
});

test('a lone surrogate anywhere in the body (nested value, array item, key) answers 47001', async () => {
  const bodies = [
    JSON.stringify(testOrder('nested-1')).replace('"name":"', '"name":"\\ud800'),
    JSON.stringify(testOrder('nested-2')).replace('"order_id"', '"x\\udc00":1,"order_id"'),
    JSON.stringify({ order_list: [{ order_id: 'LONE', delivery_id: 'TEST' }] }).replace('LONE', '\\ud801'),
  ];
  assert.equal((await s.post(PATHS.addOrder, bodies[0], t)).json.errcode, 47001);
  assert.equal((await s.post(PATHS.addOrder, bodies[1], t)).json.errcode, 47001);
  assert.equal((await s.post(PATHS.batchGetOrder, bodies[2], t)).json.errcode, 47001);
});

test('a surrogate pair written as escapes is well formed: kept and found again exactly', async () => {
  const body = JSON.stringify(testOrder('pair-PLACEHOLDER')).replace('PLACEHOLDER', '\\ud83d\\udce6');
  const created = await s.post(PATHS.addOrder, body, t);
  assert.equal(created.json.errcode, 0, JSON.stringify(created.json));
  const got = await s.post(PATHS.getOrder, { order_id: 'pair-📦', delivery_id: 'TEST' }, t);
  assert.equal(got.json.errcode, 0);
  assert.equal((got.json as unknown as { order_id: string }).order_id, 'pair-📦');
});

test('a body that is not UTF-8 answers 47001 and stores nothing', async () => {
  const text = JSON.stringify(testOrder('bytes-X'));
  const at = Buffer.from(text).indexOf('bytes-X') + 6;
  const bytes = Buffer.from(text);
  bytes[at] = 0xff;
  const res = await postBytes(PATHS.addOrder, bytes);
  assert.equal(res.errcode, 47001);
  assert.equal((await s.post(PATHS.getOrder, { order_id: 'bytes-\ufffd', delivery_id: 'TEST' }, t)).json.errcode, 930563);
});
