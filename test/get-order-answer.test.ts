/**
 * getOrder's cached and freshly built answers: the bytes on the wire are
 * exactly JSON.stringify of the answer object, whether built, cached, rebuilt
 * after a change, or after another connection changed the order under a
 * running server (the answer cache is checked against the order's version
 * without a read where the store knows it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getOrderAnswer, getOrderAnswerBytes } from '../src/core/get-order-answer.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import type { OrderRecord } from '../src/storage/types.ts';
import { PATHS, startTestServer, testOrder } from './support/test-server.ts';

const order = (over: Partial<OrderRecord>): OrderRecord => ({
  appid: 'wx1',
  order_id: 'o-1',
  delivery_id: 'TEST',
  waybill_id: 'TEST123',
  biz_id: 'b',
  openid: 'o',
  body: '{}',
  order_status: 0,
  version: 1,
  waybill_data: [{ key: 'TEST_sortcode', value: '广州 A01' }],
  last_action_type: 0,
  created_at: 1,
  updated_at: 1,
  ...over,
});

test('getOrderAnswerBytes is byte for byte JSON.stringify of the answer, also for strings JSON must escape', () => {
  const label = Buffer.from('<html>标签 "x" \\ </html>', 'utf8').toString('base64');
  for (const o of [
    order({}),
    order({ order_id: 'a"b\\c\u0000\u001f\u2028\ud83d\ude00\ud800', waybill_data: [{ key: 'k"', value: '\n\t€' }], order_status: 1 }),
    order({ waybill_data: [] }),
  ]) {
    assert.deepEqual(getOrderAnswerBytes(o, label), Buffer.from(JSON.stringify(getOrderAnswer(o, label)), 'utf8'));
  }
});

test('HTTP getOrder answers JSON.stringify(getOrder) when built, when cached, after a change, and after another connection writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-getorder-'));
  const server = await startTestServer({ dataDir: dir });
  try {
    const refs: { order_id: string; delivery_id: string; waybill_id: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const body = i % 2 ? testOrder(`g-${i}`) : testOrder(`g-${i}`, { delivery_id: 'SF', biz_id: 'SF_CASH' });
      const added = (await server.post(PATHS.addOrder, body)).json;
      assert.equal(added.errcode, 0);
      refs.push({ order_id: body.order_id as string, delivery_id: body.delivery_id as string, waybill_id: added.waybill_id as string });
    }
    const expected = async (ref: (typeof refs)[number], print_type: 0 | 1) =>
      JSON.stringify(await server.app.core.orders.getOrder(server.appid, { ...ref, print_type }));
    const wire = async (ref: (typeof refs)[number], print_type: 0 | 1) => (await server.post(PATHS.getOrder, { ...ref, print_type })).text;

    for (const ref of refs) {
      for (const pt of [0, 1] as const) {
        const first = await wire(ref, pt);
        assert.equal(first, await expected(ref, pt), 'built');
        assert.equal(await wire(ref, pt), first, 'cached');
      }
    }
    // A change through the API: the next answer is rebuilt, not the cached one.
    const cancelled = (await server.post(PATHS.cancelOrder, refs[0]!)).json;
    assert.equal(cancelled.errcode, 0);
    const after = JSON.parse(await wire(refs[0]!, 0));
    assert.equal(after.order_status, 1);
    assert.equal(JSON.stringify(after), await expected(refs[0]!, 0));

    // A change by another connection (as a second process would make it) is seen too.
    const other = new SqliteStore({ filename: join(dir, 'wxlogistics.sqlite') });
    await other.init();
    try {
      await other.orders.setStatus(server.appid, refs[1]!.order_id, 1, 123);
    } finally {
      await other.close();
    }
    const changed = JSON.parse(await wire(refs[1]!, 0));
    assert.equal(changed.order_status, 1, 'the other connection’s write is seen');
    assert.equal(JSON.stringify(changed), await expected(refs[1]!, 0));

    // Errors on the cached path are the same as on the cold one.
    const wrongWaybill = (await server.post(PATHS.getOrder, { ...refs[2]!, waybill_id: 'nope' })).json;
    assert.equal(wrongWaybill.errcode, 9300528);
    const wrongCarrier = (await server.post(PATHS.getOrder, { ...refs[2]!, delivery_id: 'YTO' })).json;
    assert.equal(wrongCarrier.errcode, 930563);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
