/** Tracking and printer endpoints: testUpdateOrder (house rule 9), getPath, getQuota, updatePrinter, getPrinter. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const update = (order_id: string, waybill_id: string, action_type: number, action_msg: string, over: Record<string, unknown> = {}) =>
  s.post(PATHS.testUpdateOrder, {
    biz_id: 'test_biz_id',
    order_id,
    delivery_id: 'TEST',
    waybill_id,
    action_time: 1700000000 + action_type,
    action_type,
    action_msg,
    ...over,
  });

describe('testUpdateOrder and getPath', () => {
  test('each call appends one node; getPath lists them in the order added', async () => {
    const added = (await s.post(PATHS.addOrder, testOrder('p1'))).json;
    const steps: [number, string][] = [
      [100001, '揽件成功'],
      [300002, '派送中'],
      [200001, '运输中（顺序不按类型）'],
    ];
    for (const [type, msg] of steps) assert.deepEqual((await update('p1', added.waybill_id, type, msg)).json, { errcode: 0, errmsg: 'ok' });
    const path = (await s.post(PATHS.getPath, { order_id: 'p1', delivery_id: 'TEST', waybill_id: added.waybill_id, openid: 'oABC123456' }))
      .json;
    assert.deepEqual(Object.keys(path), ['errcode', 'errmsg', 'openid', 'delivery_id', 'waybill_id', 'path_item_num', 'path_item_list']);
    assert.equal(path.openid, 'oABC123456');
    assert.equal(path.path_item_num, 3);
    assert.deepEqual(
      path.path_item_list,
      steps.map(([t, m]) => ({ action_time: 1700000000 + t, action_type: t, action_msg: m })),
    );
  });

  test('only TEST + test_biz_id → else 40097; enum and required fields → 930561; unknown order/waybill → 930563', async () => {
    const added = (await s.post(PATHS.addOrder, testOrder('p2'))).json;
    const sf = await update('p2', added.waybill_id, 100001, 'x', { biz_id: 'SF_CASH', delivery_id: 'SF' });
    assert.equal(sf.json.errcode, 40097);
    assert.match(sf.json.errmsg, /^invalid args rid: /);
    assert.equal((await update('p2', added.waybill_id, 100001, 'x', { biz_id: 'other' })).json.errcode, 40097);
    assert.equal((await update('p2', added.waybill_id, 300001, 'x')).json.errcode, 930561, '300001 is not in the enum');
    assert.equal((await update('p2', added.waybill_id, 100001, '')).json.errcode, 930561);
    assert.equal((await update('nope', added.waybill_id, 100001, 'x')).json.errcode, 930563);
    assert.equal((await update('p2', 'other-waybill', 100001, 'x')).json.errcode, 930563);
    assert.equal((await update('p2', added.waybill_id, '100001' as never, 'x')).json.errcode, 47001);
  });

  test('400001 cancels the order; a waybill with path nodes cannot be cancelled (9300506)', async () => {
    const a = (await s.post(PATHS.addOrder, testOrder('p3'))).json;
    await update('p3', a.waybill_id, 100001, '揽件');
    const cancel = await s.post(PATHS.cancelOrder, { order_id: 'p3', delivery_id: 'TEST', waybill_id: a.waybill_id });
    assert.equal(cancel.json.errcode, 9300506);
    const b = (await s.post(PATHS.addOrder, testOrder('p4'))).json;
    await update('p4', b.waybill_id, 400001, '订单取消');
    assert.equal((await s.post(PATHS.getOrder, { order_id: 'p4', delivery_id: 'TEST' })).json.order_status, 1);
  });

  test('getPath errors: 930563, 9300528, 9300503, 930561', async () => {
    const a = (await s.post(PATHS.addOrder, testOrder('p5'))).json;
    assert.equal((await s.post(PATHS.getPath, { order_id: 'nope', delivery_id: 'TEST', waybill_id: a.waybill_id })).json.errcode, 930563);
    assert.equal((await s.post(PATHS.getPath, { order_id: 'p5', delivery_id: 'TEST', waybill_id: 'x' })).json.errcode, 9300528);
    assert.equal((await s.post(PATHS.getPath, { order_id: 'p5', delivery_id: 'NOPE', waybill_id: 'x' })).json.errcode, 9300503);
    assert.equal((await s.post(PATHS.getPath, { order_id: 'p5', delivery_id: 'TEST' })).json.errcode, 930561);
    const empty = (await s.post(PATHS.getPath, { order_id: 'p5', delivery_id: 'TEST', waybill_id: a.waybill_id })).json;
    assert.deepEqual([empty.path_item_num, empty.path_item_list], [0, []]);
  });
});

describe('printers and quota', () => {
  test('updatePrinter bind/unbind and getPrinter', async () => {
    const upd = (body: object) => s.post('/cgi-bin/express/business/printer/update', body);
    assert.deepEqual((await upd({ openid: 'oPrinter1', update_type: 'bind', tagid_list: '123,456' })).json, { errcode: 0, errmsg: 'ok' });
    assert.equal((await upd({ openid: 'oPrinter2', update_type: 'bind' })).json.errcode, 0);
    assert.equal((await upd({ openid: 'oPrinter3', update_type: 'link' })).json.errcode, 930561);
    assert.equal((await upd({ openid: 'oPrinter3', update_type: 'bind', tagid_list: '1, 2' })).json.errcode, 930561);
    assert.equal(
      (await upd({ openid: 'oPrinter3', update_type: 'bind', tagid_list: Array.from({ length: 11 }, (_, i) => i).join(',') })).json.errcode,
      930561,
    );
    assert.equal((await upd({ openid: 'oPrinter3', update_type: 'bind', tagid_list: [1] })).json.errcode, 47001);
    const got = (await s.get('/cgi-bin/express/business/printer/getall')).json;
    assert.deepEqual(got, { errcode: 0, errmsg: 'ok', count: 2, openid: ['oPrinter1', 'oPrinter2'], tagid_list: ['123', '456'] });
    assert.equal((await upd({ openid: 'oPrinter2', update_type: 'bind', tagid_list: '456,789' })).json.errcode, 0);
    assert.deepEqual((await s.get('/cgi-bin/express/business/printer/getall')).json.tagid_list, ['123', '456', '789'], 'each tag id once');
    assert.equal((await upd({ openid: 'oPrinter1', update_type: 'unbind' })).json.errcode, 0);
    const left = (await s.get('/cgi-bin/express/business/printer/getall')).json;
    assert.equal(left.count, 1);
    assert.deepEqual(left.tagid_list, ['456', '789']);
  });

  test('getQuota answers the balance of a bound franchise account; errors otherwise', async () => {
    await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'zto-q', delivery_id: 'ZTO', password: 'pw' });
    const q = (await s.post(PATHS.getQuota, { delivery_id: 'ZTO', biz_id: 'zto-q' })).json;
    assert.deepEqual(q, { errcode: 0, errmsg: 'ok', quota_num: 1000 });
    assert.equal((await s.post(PATHS.getQuota, { delivery_id: 'ZTO', biz_id: 'unbound' })).json.errcode, 9300525);
    assert.equal((await s.post(PATHS.getQuota, { delivery_id: 'NOPE', biz_id: 'x' })).json.errcode, 9300503);
    assert.equal((await s.post(PATHS.getQuota, { delivery_id: 'ZTO' })).json.errcode, 930561);
  });
});
