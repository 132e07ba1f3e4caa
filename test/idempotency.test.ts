/** House rule 6: idempotent addOrder, under concurrency. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

test('50 concurrent identical addOrder calls → one order, one waybill id, 50 identical answers', async () => {
  const token = await s.token();
  const body = testOrder('dup-1');
  const answers = await Promise.all(Array.from({ length: 50 }, () => s.post(PATHS.addOrder, body, token)));
  const texts = new Set(answers.map((a) => a.text));
  assert.equal(texts.size, 1, [...texts].join('\n'));
  const first = answers[0]!.json;
  assert.equal(first.errcode, 0);
  assert.equal(first.order_id, 'dup-1');
  const db = (s.app.core.store as unknown as { db: { prepare(sql: string): { get(...a: unknown[]): any } } }).db;
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM orders WHERE appid = ? AND order_id = ?').get(s.appid, 'dup-1').n, 1);
});

test('the same body with keys in another order is the same order', async () => {
  const body = testOrder('dup-2');
  const a = await s.post(PATHS.addOrder, body);
  const reversed = Object.fromEntries(Object.entries(body).reverse());
  const b = await s.post(PATHS.addOrder, reversed);
  assert.equal(b.text, a.text);
});

test('the same order_id with a different body → 9300522, and the first order is unchanged', async () => {
  const first = await s.post(PATHS.addOrder, testOrder('dup-3'));
  const res = await s.post(PATHS.addOrder, testOrder('dup-3', { custom_remark: '不同的备注' }));
  assert.equal(res.json.errcode, 9300522);
  assert.match(res.json.errmsg, /^this orderid is repeated rid: /);
  const again = await s.post(PATHS.addOrder, testOrder('dup-3'));
  assert.equal(again.text, first.text);
});

test('waybill ids are unique across many orders and carriers', async () => {
  const ids = new Set<string>();
  const bodies = Array.from({ length: 60 }, (_, i) =>
    i % 2 ? testOrder(`u-${i}`) : testOrder(`u-${i}`, { delivery_id: 'SF', biz_id: 'SF_CASH' }),
  );
  const answers = await Promise.all(bodies.map((b) => s.post(PATHS.addOrder, b)));
  for (const a of answers) {
    assert.equal(a.json.errcode, 0);
    ids.add(a.json.waybill_id);
  }
  assert.equal(ids.size, 60);
  for (const a of answers.filter((x) => x.json.waybill_id.startsWith('SF'))) assert.match(a.json.waybill_id, /^SF\d{13}$/);
});
