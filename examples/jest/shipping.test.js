// The shop's shipping module against an in-process wxlogistics, with jest (CommonJS).
const { startWxLogistics } = require('wxlogistics');
const { LogisticsClient, WxApiError } = require('wxlogistics/client');
const { Shipping } = require('./shipping.js');

const shopOrder = (id) => ({
  id,
  buyerOpenid: 'oBuyer0001',
  // TEST is WeChat's test carrier: no account binding, testUpdateOrder moves its orders.
  carrier: { deliveryId: 'TEST', bizId: 'test_biz_id' },
  from: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: '新港中路 397 号' },
  to: { name: '王小蒙', mobile: '18610000000', province: '北京市', city: '北京市', area: '朝阳区', address: '建国路 88 号' },
  items: [{ name: '微信气泡狗抱枕', imageUrl: 'https://example.com/dog.png' }],
  weightKg: 1.2,
});

let wx;
let client;
let shipping;
beforeAll(async () => {
  wx = await startWxLogistics();
});
beforeEach(async () => {
  await wx.reset();
  client = new LogisticsClient({ appid: wx.app.appid, secret: wx.app.secret, baseUrl: wx.baseUrl });
  shipping = new Shipping(client, { backoffMs: 10 });
});
afterAll(() => wx.stop());

test('ships an order and prints its label', async () => {
  const shipment = await shipping.ship(shopOrder('shop-3001'));
  expect(shipment.attempts).toBe(1);
  const label = await shipping.label(shipment);
  expect(label).toContain('王小蒙');
  expect(label).toContain(shipment.waybillId);
});

test('a carrier error (9300501) on the first addOrder is retried and books the order once', async () => {
  await wx.faults.add({ api: 'addOrder', times: 1, errcode: 9300501, delivery_resultcode: 10002, delivery_resultmsg: '运力不足' });
  const shipment = await shipping.ship(shopOrder('shop-3002'));
  expect(shipment.attempts).toBe(2);
  const { order_list } = await client.batchGetOrder({
    order_list: [{ order_id: 'shop-3002', delivery_id: 'TEST', waybill_id: shipment.waybillId }],
  });
  expect(order_list).toHaveLength(1);
});

test('WeChat busy (-1) twice, then the third attempt books the order', async () => {
  await wx.faults.add({ api: 'addOrder', times: 2, errcode: -1 });
  expect((await shipping.ship(shopOrder('shop-3003'))).attempts).toBe(3);
});

test('after three carrier errors the shop sees the carrier message', async () => {
  await wx.faults.add({ api: 'addOrder', times: 3, errcode: 9300501, delivery_resultcode: 10002, delivery_resultmsg: '运力不足' });
  const error = await shipping.ship(shopOrder('shop-3004')).catch((e) => e);
  expect(error).toBeInstanceOf(WxApiError);
  expect(error.errcode).toBe(9300501);
  expect(error.body).toMatchObject({ delivery_resultmsg: '运力不足' });
});

test('a pushed tracking update moves the shipment to picked up', async () => {
  const shipment = await shipping.ship(shopOrder('shop-3005'));
  const pushed = wx
    .pushes(wx.app.appid)
    .waitFor((e) => e.Event === 'add_express_path' && e.WayBillId === shipment.waybillId, { timeoutMs: 5000 });
  await client.testUpdateOrder({
    biz_id: 'test_biz_id',
    order_id: shipment.orderId,
    delivery_id: 'TEST',
    waybill_id: shipment.waybillId,
    action_time: Math.floor(Date.now() / 1000),
    action_type: 100001,
    action_msg: '快递员已揽件',
  });
  shipping.handlePush(await pushed);
  expect(shipping.status(shipment.waybillId)).toBe('picked up');
});

test('a cancelled shipment is cancelled at WeChat', async () => {
  const shipment = await shipping.ship(shopOrder('shop-3006'));
  await shipping.cancel(shipment);
  const order = await client.getOrder({
    order_id: shipment.orderId,
    openid: shipment.openid,
    delivery_id: 'TEST',
    waybill_id: shipment.waybillId,
  });
  expect(order.order_status).toBe(1);
});
