import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSWER_CACHE_BYTES, base64OfUtf8, LabelCache, SEEN_KEYS } from './label-cache.ts';
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
  const second = cache.answerBytes(again, 0); // asked again: rendered once more, and kept
  assert.ok(second.equals(first), 'the same bytes when built again');
  assert.equal(cache.cachedAnswer(again.appid, again.order_id, 0)?.bytes, second);
  const size = first.length;
  const stream = Math.ceil((ANSWER_CACHE_BYTES / size) * 1.5); // more than the cache could hold
  for (let n = 2; n < 2 + stream; n++) cache.answerBytes(order(n), 0);
  assert.ok(cache.heldBytes <= ANSWER_CACHE_BYTES, `${cache.heldBytes} bytes held`);
  assert.equal(cache.cachedAnswer(again.appid, again.order_id, 0)?.bytes, second, 'still cached after the stream');
  // A new version is a new answer, built from the new row, and kept in the old one's place.
  const v2 = cache.answerBytes(order(0, 2), 0);
  assert.notEqual(v2, first);
  assert.equal(cache.cachedAnswer(again.appid, again.order_id, 0)?.version, 2);
});

test('an answer asked for once is not kept; asked for again, it is, and every hit is the same buffer', () => {
  const cache = new LabelCache();
  const once = cache.answerBytes(order(1), 0);
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 0), undefined, 'a first request keeps no bytes');
  assert.equal(cache.heldBytes, 0);
  const twice = cache.answerBytes(order(1), 0);
  assert.ok(twice.equals(once));
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 0)!.bytes, twice);
  assert.equal(cache.answerBytes(order(1), 0), twice, 'answered from the cache');
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 1), undefined, 'print types are kept apart');
  cache.clear();
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 0), undefined);
  cache.answerBytes(order(1), 0);
  assert.equal(cache.cachedAnswer(order(1).appid, 'o-1', 0), undefined, 'clear forgets the keys too');
});

test('a second request is kept only within the last SEEN_KEYS first prints: a stream of first prints keeps next to nothing', () => {
  const cache = new LabelCache();
  const soon = order(0);
  const late = order(1);
  cache.answerBytes(late, 0);
  cache.answerBytes(soon, 0);
  // SEEN_KEYS − 1 other first prints: `soon` is still remembered, `late` (one older) is not.
  for (let n = 2; n < 2 + SEEN_KEYS - 1; n++) cache.answerBytes(order(n), 0);
  assert.equal(cache.heldBytes, 0, 'first prints keep no bytes');
  cache.answerBytes(soon, 0);
  cache.answerBytes(late, 0);
  assert.ok(cache.cachedAnswer(soon.appid, soon.order_id, 0), 'asked again within the window: kept');
  assert.equal(cache.cachedAnswer(late.appid, late.order_id, 0), undefined, 'asked again after the window: not kept');
  cache.answerBytes(late, 0);
  assert.ok(cache.cachedAnswer(late.appid, late.order_id, 0), 'its next request is within the window again');
});

test('base64OfUtf8 is Buffer.from(text).toString("base64") for any length, across the reused buffer growing', () => {
  const texts = ['', 'a', '中文', '😀'.repeat(3), 'x'.repeat(65_533) + '中', '集'.repeat(30_000), 'ok'];
  for (const text of texts) assert.equal(base64OfUtf8(text), Buffer.from(text, 'utf8').toString('base64'), `${text.length} chars`);
});
