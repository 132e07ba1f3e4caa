/** House rules 4–8: value checks, accounts, finding and cancelling orders. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const errcodeOf = async (path: string, body: unknown) => (await s.post(path, body)).json.errcode as number;

describe('house rule 4: value checks', () => {
  test('unknown delivery_id → 9300503 on every API that takes one', async () => {
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v1', { delivery_id: 'NOPE' })), 9300503);
    assert.equal(await errcodeOf(PATHS.getOrder, { order_id: 'v1', delivery_id: 'NOPE' }), 9300503);
    assert.equal(await errcodeOf(PATHS.cancelOrder, { order_id: 'v1', delivery_id: 'NOPE', waybill_id: 'x' }), 9300503);
    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'bind', biz_id: 'b', delivery_id: 'NOPE' }), 9300503);
    const res = await s.post(PATHS.addOrder, testOrder('v1', { delivery_id: 'NOPE' }));
    assert.match(res.json.errmsg, /^Specified delivery id is not registerred rid: /);
  });

  test('unknown service_type for the carrier → 9300510', async () => {
    const res = await s.post(PATHS.addOrder, testOrder('v2', { service: { service_type: 7, service_name: 'x' } }));
    assert.equal(res.json.errcode, 9300510);
    assert.match(res.json.errmsg, /^invalid service type rid: /);
    const sf = testOrder('v2b', { delivery_id: 'SF', biz_id: 'SF_CASH', service: { service_type: 4, service_name: '顺丰标快(协议)' } });
    assert.equal(await errcodeOf(PATHS.addOrder, sf), 0);
  });

  test('a field over its byte limit → 9300526 (bytes, not characters)', async () => {
    const base = testOrder('v3');
    const receiver = { ...(base.receiver as object), name: '王'.repeat(22) }; // 66 bytes > 64
    assert.equal(await errcodeOf(PATHS.addOrder, { ...base, receiver }), 9300526);
    const ok = { ...(base.receiver as object), name: '王'.repeat(21) }; // 63 bytes
    assert.equal(await errcodeOf(PATHS.addOrder, { ...base, receiver: ok }), 0);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v3b', { custom_remark: 'x'.repeat(1025) })), 9300526);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('x'.repeat(513))), 9300526);
    const res = await s.post(PATHS.addOrder, testOrder('v3c', { sender: { ...(base.sender as object), post_code: '12345678901' } }));
    assert.equal(res.json.errcode, 9300526);
    assert.match(res.json.errmsg, /^arg size exceed limit rid: /);
  });

  test('bad shop → 9300535', async () => {
    for (const shop of [
      { goods_name: 'g', goods_count: 1 },
      { img_url: 'https://x/y', goods_count: 1 },
      { img_url: 'https://x/y', goods_name: 'g', goods_count: 0 },
      { detail_list: [{ goods_name: 'g' }] },
    ]) {
      assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v4', { shop })), 9300535, JSON.stringify(shop));
    }
    const listed = { detail_list: [{ goods_name: 'g', goods_img_url: 'https://x/y', goods_desc: 'd' }] };
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v4ok', { shop: listed })), 0);
  });

  test('add_source 2 needs a valid wx_appid → 9300536', async () => {
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v5', { add_source: 2 })), 9300536);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v5', { add_source: 2, wx_appid: 'nope' })), 9300536);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('v5', { add_source: 2, wx_appid: 'wx1234567890abcdef' })), 0);
  });

  test('anything else wrong → 930561 args error', async () => {
    const base = testOrder('v6');
    const { receiver: _r, ...noReceiver } = base;
    const cases = [
      noReceiver,
      { ...base, order_id: '' },
      { ...base, add_source: 1 },
      { ...base, sender: { name: '张三', tel: '', mobile: '' } },
      { ...base, cargo: { weight: 1, space_x: 1, space_y: 1, space_z: 1, detail_list: [] } },
    ];
    for (const body of cases) {
      const res = await s.post(PATHS.addOrder, body);
      assert.equal(res.json.errcode, 930561, JSON.stringify(body).slice(0, 120));
      assert.match(res.json.errmsg, /^args error rid: /);
    }
    assert.equal(await errcodeOf(PATHS.getOrder, { delivery_id: 'TEST' }), 930561);
    assert.equal(await errcodeOf(PATHS.getOrder, { order_id: 'v6', delivery_id: 'TEST', print_type: 2 }), 930561);
    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'link', biz_id: 'b', delivery_id: 'SF' }), 930561);
    const tooMany = { order_list: Array.from({ length: 101 }, (_, i) => ({ order_id: `${i}`, delivery_id: 'TEST' })) };
    assert.equal(await errcodeOf(PATHS.batchGetOrder, tooMany), 930561);
  });
});

describe('house rule 5: accounts', () => {
  test('a real carrier needs its biz_id bound → 9300525; the cash biz_id and TEST need nothing', async () => {
    const yto = testOrder('a1', { delivery_id: 'YTO', biz_id: 'yto-acct' });
    const res = await s.post(PATHS.addOrder, yto);
    assert.equal(res.json.errcode, 9300525);
    assert.match(res.json.errmsg, /^biz id not bind rid: /);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('a1', { delivery_id: 'SF', biz_id: 'SF_CASH' })), 0);
    assert.equal(
      await errcodeOf(
        PATHS.addOrder,
        testOrder('a2', { delivery_id: 'DB', biz_id: 'DB_CASH', service: { service_type: 1, service_name: '大件快递3.60' } }),
      ),
      0,
    );
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('a3', { delivery_id: 'YTO', biz_id: 'SF_CASH' })), 9300525);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('a4', { biz_id: 'other' })), 9300525);
  });

  test('bound account: order placed, quota decremented; rejected password → 9300531; unbind → 9300525', async () => {
    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'bind', biz_id: 'yto-1', delivery_id: 'YTO', password: 'pw' }), 0);
    const quota = async () => (await s.post(PATHS.getQuota, { delivery_id: 'YTO', biz_id: 'yto-1' })).json.quota_num as number;
    const q0 = await quota();
    const added = await s.post(PATHS.addOrder, testOrder('a5', { delivery_id: 'YTO', biz_id: 'yto-1' }));
    assert.equal(added.json.errcode, 0);
    assert.match(added.json.waybill_id, /^YT\d{13}$/);
    assert.equal(await quota(), q0 - 1);
    const accounts = (await s.get(PATHS.getAllAccount)).json;
    const acct = accounts.list.find((a: any) => a.biz_id === 'yto-1');
    assert.equal(acct.quota_num, q0 - 1);
    assert.deepEqual(acct.service_type, [
      { service_type: 0, service_name: '普通快递' },
      { service_type: 1, service_name: '圆准达' },
    ]);

    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'bind', biz_id: 'zto-bad', delivery_id: 'ZTO', password: 'wrong-pass' }), 0);
    const bad = await s.post(PATHS.addOrder, testOrder('a6', { delivery_id: 'ZTO', biz_id: 'zto-bad' }));
    assert.equal(bad.json.errcode, 9300531);
    assert.match(bad.json.errmsg, /^invalid biz_id or password rid: /);

    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'unbind', biz_id: 'yto-1', delivery_id: 'YTO' }), 0);
    assert.equal(await errcodeOf(PATHS.addOrder, testOrder('a7', { delivery_id: 'YTO', biz_id: 'yto-1' })), 9300525);
  });

  test('a franchise account whose quota is used up → 930564, and no order is left behind', async () => {
    assert.equal(await errcodeOf(PATHS.bindAccount, { type: 'bind', biz_id: 'sto-1', delivery_id: 'STO', password: 'pw' }), 0);
    const acct = (await s.app.core.store.accounts.get(s.appid, 'STO', 'sto-1'))!;
    await s.app.core.store.accounts.upsert({ ...acct, quota_num: 1 });
    assert.equal(
      await errcodeOf(
        PATHS.addOrder,
        testOrder('q1', { delivery_id: 'STO', biz_id: 'sto-1', service: { service_type: 1, service_name: '标准快递' } }),
      ),
      0,
    );
    const res = await s.post(
      PATHS.addOrder,
      testOrder('q2', { delivery_id: 'STO', biz_id: 'sto-1', service: { service_type: 1, service_name: '标准快递' } }),
    );
    assert.equal(res.json.errcode, 930564);
    assert.equal(await s.app.core.store.orders.get(s.appid, 'q2'), undefined, 'the failed order was rolled back');
  });

  test('the carrier refuses an order without goods: 9300501 with delivery_resultcode and waybill_data []', async () => {
    const body = testOrder('c1', { delivery_id: 'SF', biz_id: 'SF_CASH' });
    const res = await s.post(PATHS.addOrder, { ...body, cargo: { count: 1, weight: 1, space_x: 1, space_y: 1, space_z: 1 } });
    assert.equal(res.json.errcode, 9300501);
    assert.match(res.json.errmsg, /^delivery logic fail rid: /);
    assert.equal(res.json.delivery_resultcode, 30001);
    assert.equal(res.json.delivery_resultmsg, 'cargo.detailList is empty');
    assert.deepEqual(res.json.waybill_data, []);
  });
});

describe('house rules 7–8: finding and cancelling', () => {
  test('not found → 930563; a differing waybill_id → 9300528 (get, batchget) or 40199 (cancel)', async () => {
    const added = (await s.post(PATHS.addOrder, testOrder('f1'))).json;
    const missing = await s.post(PATHS.getOrder, { order_id: 'nope', delivery_id: 'TEST' });
    assert.equal(missing.json.errcode, 930563);
    assert.match(missing.json.errmsg, /^order not exists rid: /);
    assert.equal(await errcodeOf(PATHS.getOrder, { order_id: 'f1', delivery_id: 'SF' }), 930563, 'delivery_id is part of the key');
    const wrongWaybill = await s.post(PATHS.getOrder, { order_id: 'f1', delivery_id: 'TEST', waybill_id: 'other' });
    assert.equal(wrongWaybill.json.errcode, 9300528);
    assert.match(wrongWaybill.json.errmsg, /^invalid waybill_id rid: /);
    const cancel = await s.post(PATHS.cancelOrder, { order_id: 'f1', delivery_id: 'TEST', waybill_id: 'other' });
    assert.equal(cancel.json.errcode, 40199);
    assert.match(cancel.json.errmsg, /^waybill_id not found rid: /);
    assert.equal(await errcodeOf(PATHS.cancelOrder, { order_id: 'nope', delivery_id: 'TEST', waybill_id: 'x' }), 930563);

    const batch = await s.post(PATHS.batchGetOrder, {
      order_list: [
        { order_id: 'f1', delivery_id: 'TEST', waybill_id: added.waybill_id },
        { order_id: 'f1', delivery_id: 'TEST', waybill_id: 'other' },
        { order_id: 'nope', delivery_id: 'TEST' },
      ],
    });
    assert.equal(batch.json.errcode, 0);
    assert.deepEqual(
      batch.json.order_list.map((o: any) => o.errcode),
      [0, 9300528, 930563],
    );
    assert.equal(batch.json.order_list[0].waybill_id, added.waybill_id);
    assert.deepEqual(Object.keys(batch.json.order_list[0]).sort(), [
      'delivery_id',
      'errcode',
      'errmsg',
      'order_id',
      'order_status',
      'print_html',
      'waybill_data',
      'waybill_id',
    ]);
  });

  test('cancel sets order_status 1 and keeps the order readable; cancelling again → 9300524', async () => {
    const added = (await s.post(PATHS.addOrder, testOrder('k1'))).json;
    const ref = { order_id: 'k1', delivery_id: 'TEST', waybill_id: added.waybill_id };
    const res = await s.post(PATHS.cancelOrder, ref);
    assert.deepEqual(res.json, { errcode: 0, errmsg: 'ok', delivery_resultcode: 0, delivery_resultmsg: '' });
    const got = await s.post(PATHS.getOrder, ref);
    assert.equal(got.json.errcode, 0);
    assert.equal(got.json.order_status, 1);
    const again = await s.post(PATHS.cancelOrder, ref);
    assert.equal(again.json.errcode, 9300524);
    assert.match(again.json.errmsg, RID);
  });

  test("house rule 7: one app never sees another app's orders (930563)", async () => {
    await s.post(PATHS.addOrder, testOrder('iso-1'));
    const other = await s.app.core.apps.create({ appid: 'wx00000000000000b2', secret: 'other-secret' });
    const tokenB = await s.token(other.appid, other.secret);
    const asB = await s.post(PATHS.getOrder, { order_id: 'iso-1', delivery_id: 'TEST' }, tokenB);
    assert.equal(asB.json.errcode, 930563);
    const cancelB = await s.post(PATHS.cancelOrder, { order_id: 'iso-1', delivery_id: 'TEST', waybill_id: 'x' }, tokenB);
    assert.equal(cancelB.json.errcode, 930563);
    // B may use the same order_id for an order of its own.
    const mine = await s.post(PATHS.addOrder, testOrder('iso-1', { custom_remark: 'B' }), tokenB);
    assert.equal(mine.json.errcode, 0);
    const asA = await s.post(PATHS.getOrder, { order_id: 'iso-1', delivery_id: 'TEST' });
    assert.notEqual(asA.json.waybill_id, mine.json.waybill_id);
  });
});
