import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSWER_CACHE_BYTES, base64OfUtf8, LabelCache } from './label-cache.ts';
import { canonicalJson } from './validate.ts';
import type { OrderRecord } from '../storage/types.ts';

const order = (n: number, version = 1): OrderRecord => ({
  appid: 'wxlabelcache00001',
  order_id: `o-${n}`,
  delivery_id: 'TEST',
  waybill_id: `TEST${100000 + n}`,
  biz_id: 'test_biz_id',
  openid: 'o',
  body: canonicalJson({
    order_id: `o-${n}`,
    delivery_id: 'TEST',
    biz_id: 'test_biz_id',
    sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
    receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '广州市', area: '天河区', address: 'YY路' },
    shop: { goods_name: '抱枕', img_url: 'https://x/y.png', goods_count: 1 },
    cargo: { count: 1, weight: 1.2, space_x: 10, space_y: 10, space_z: 10, detail_list: [{ name: '抱枕', count: 1 }] },
  }),
  order_status: 0,
  version,
  waybill_data: [{ key: 'TEST_sortcode', value: 'A01' }],
  last_action_type: 0,
  created_at: 1,
  updated_at: 1,
});

test('answers asked for again outlive a stream of new orders; the cache stays within its byte budget', () => {
  const cache = new LabelCache();
  const again = order(0);
  const first = cache.answerBytes(again, 0);
  cache.answerBytes(order(1), 0); // asked once only
  assert.ok(cache.cachedAnswer(again.appid, again.order_id, 0)?.bytes.equals(first), 'asked a second time');
  const size = first.length;
  const stream = Math.ceil((ANSWER_CACHE_BYTES / size) * 0.6); // more than the once-asked part holds
  for (let n = 2; n < 2 + stream; n++) cache.answerBytes(order(n), 0);
  assert.ok(cache.heldBytes <= ANSWER_CACHE_BYTES, `${cache.heldBytes} bytes held`);
  assert.ok(cache.cachedAnswer(again.appid, again.order_id, 0)?.bytes.equals(first), 'still cached after the stream');
  assert.equal(cache.cachedAnswer(again.appid, 'o-1', 0), undefined, 'the once-asked answer made room');
  // A new version is a new answer, built from the new row.
  const v2 = cache.answerBytes(order(0, 2), 0);
  assert.notEqual(v2, first);
  assert.equal(cache.cachedAnswer(again.appid, again.order_id, 0)?.version, 2);
});

test('an answer asked for once is a view into a shared slab; kept for repeat requests, it has a buffer of its own', () => {
  const cache = new LabelCache();
  const [a, b] = [cache.answerBytes(order(1), 0), cache.answerBytes(order(2), 0)];
  assert.equal(a.buffer, b.buffer, 'first-seen answers share one allocation');
  assert.ok(a.buffer.byteLength > a.length + b.length);
  const kept = cache.cachedAnswer(order(1).appid, 'o-1', 0)!.bytes;
  assert.ok(kept.equals(a));
  assert.equal(kept.buffer.byteLength, kept.length, 'a kept answer does not hold a slab');
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 0)!.bytes, kept, 'and is the same bytes on every hit');
  // Built again while its key is remembered (a new version), an answer goes straight to the kept part.
  const v2 = cache.answerBytes(order(2, 2), 0);
  assert.equal(v2.buffer.byteLength, v2.length);
});

test('base64OfUtf8 is Buffer.from(text).toString("base64") for any length, across the reused buffer growing', () => {
  const texts = ['', 'a', '中文', '😀'.repeat(3), 'x'.repeat(65_533) + '中', '集'.repeat(30_000), 'ok'];
  for (const text of texts) assert.equal(base64OfUtf8(text), Buffer.from(text, 'utf8').toString('base64'), `${text.length} chars`);
});
