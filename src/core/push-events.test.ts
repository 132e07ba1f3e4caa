import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xmlElements, xmlField, xmlTopLevelNames } from '../../test/push-support/wechat-receiver-crypto.ts';
import { addExpressPathEvent, toJson, toXml, updateBusinessBindResultEvent } from './push-events.ts';

const header = { toUserName: 'toUser', fromUserName: 'fromUser', createTime: 1546924844 };
const actions = [
  { actionTime: 1546924840, actionType: 100001, actionMsg: '小哥A揽件成功' },
  { actionTime: 1546924841, actionType: 200001, actionMsg: '到达广州集包地' },
  { actionTime: 1546924842, actionType: 300002, actionMsg: '派件中' },
];
const pathEvent = addExpressPathEvent({ ...header, deliveryId: 'SF', waybillId: '123456789', orderId: '123456', version: 3, actions });

test('add_express_path has the events.md §2.1 fields in documented order and casing', () => {
  assert.deepEqual(Object.keys(pathEvent), [
    'ToUserName',
    'FromUserName',
    'CreateTime',
    'MsgType',
    'Event',
    'DeliveryID',
    'WayBillId',
    'OrderId',
    'Version',
    'Count',
    'Actions',
  ]);
  assert.equal(pathEvent.MsgType, 'event');
  assert.equal(pathEvent.Event, 'add_express_path');
  assert.equal(pathEvent.Count, 3);
  assert.deepEqual(Object.keys(pathEvent.Actions[0] ?? {}), ['ActionTime', 'ActionType', 'ActionMsg']);
});

test('add_express_path without an order id omits the OrderId key', () => {
  const e = addExpressPathEvent({ ...header, deliveryId: 'SF', waybillId: '1', version: 1, actions: [] });
  assert.equal('OrderId' in e, false);
  assert.equal(e.Count, 0);
  assert.equal(toXml(e).includes('OrderId'), false);
});

test('add_express_path XML with 3 actions has three repeated <Actions> elements, strings in CDATA, numbers bare', () => {
  const xml = toXml(pathEvent);
  assert.ok(
    xml.startsWith(
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1546924844</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[add_express_path]]></Event><DeliveryID><![CDATA[SF]]></DeliveryID><WayBillId><![CDATA[123456789]]></WayBillId><OrderId><![CDATA[123456]]></OrderId><Version>3</Version><Count>3</Count>',
    ),
  );
  assert.ok(
    xml.includes(
      '<Actions><ActionTime>1546924840</ActionTime><ActionType>100001</ActionType><ActionMsg><![CDATA[小哥A揽件成功]]></ActionMsg></Actions>',
    ),
  );
  assert.ok(xml.endsWith('</Actions></xml>'));
  assert.equal(xml.match(/<Actions>/g)?.length, 3);
  assert.equal(xml.includes('<Action>'), false);
  assert.deepEqual(xmlTopLevelNames(xml).filter((n) => n === 'Actions').length, 3);
  assert.deepEqual(xmlElements(xml, 'ActionTime'), ['1546924840', '1546924841', '1546924842']);
});

test('toXml keeps a literal "]]>" inside CDATA readable', () => {
  const xml = toXml({ ActionMsg: 'a]]>b' });
  assert.equal(xml, '<xml><ActionMsg><![CDATA[a]]]]><![CDATA[>b]]></ActionMsg></xml>');
  assert.equal(xmlField(xml, 'ActionMsg'), 'a]]>b');
});

test('toXml refuses non-finite numbers', () => {
  assert.throws(() => toXml({ Version: Number.NaN }), TypeError);
});

test('add_express_path JSON is compact with an Actions array and JSON numbers', () => {
  const json = toJson(pathEvent);
  assert.equal(/\s/.test(json.replace(/"[^"]*"/g, '')), false);
  assert.ok(
    json.startsWith(
      '{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1546924844,"MsgType":"event","Event":"add_express_path","DeliveryID":"SF","WayBillId":"123456789","OrderId":"123456","Version":3,"Count":3,"Actions":[{"ActionTime":1546924840,"ActionType":100001,"ActionMsg":"小哥A揽件成功"},',
    ),
  );
  assert.deepEqual(JSON.parse(json), pathEvent);
});

test('update_business_bind_result uses the §2.2 snake-case fields in order', () => {
  const e = updateBusinessBindResultEvent({ ...header, errcode: 0, errmsg: 'ok', deliveryId: 'EMS', bizId: '1234567' });
  assert.equal(
    toJson(e),
    '{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1546924844,"MsgType":"event","Event":"update_business_bind_result","errcode":0,"errmsg":"ok","delivery_id":"EMS","biz_id":"1234567"}',
  );
  assert.equal(
    toXml(e),
    '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1546924844</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[update_business_bind_result]]></Event><errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg><delivery_id><![CDATA[EMS]]></delivery_id><biz_id><![CDATA[1234567]]></biz_id></xml>',
  );
});
