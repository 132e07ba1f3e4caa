import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWaybillData, replyProblem } from './carrier-events.ts';
import { issueOrderToken, readOrderToken } from './carrier-token.ts';
import { WxError } from './errors.ts';

test("WaybillData: the spec's example, empty forms, values with spaces and symbols", () => {
  assert.deepEqual(parseWaybillData('##ZTO_bagAddr##广州##ZTO_mark##888-666-666##'), [
    { key: 'ZTO_bagAddr', value: '广州' },
    { key: 'ZTO_mark', value: '888-666-666' },
  ]);
  assert.deepEqual(parseWaybillData(''), []);
  assert.deepEqual(parseWaybillData('##'), []);
  assert.deepEqual(parseWaybillData('##SF_mark##101- 07-03 509##'), [{ key: 'SF_mark', value: '101- 07-03 509' }]);
  assert.deepEqual(parseWaybillData('##k####'), [{ key: 'k', value: '' }]);
});

test('WaybillData outside the grammar is 9300502', () => {
  for (const bad of ['k##v', '##k##v', '##k##', '##k##v##x##', '####v##', 'ZTO_mark=1']) {
    assert.throws(
      () => parseWaybillData(bad),
      (e: unknown) => e instanceof WxError && e.errcode === 9300502,
      bad,
    );
  }
});

test('replyProblem: ResultCode must be numeric; Event and echoes, when present, must match', () => {
  assert.equal(replyProblem({ resultcode: 0 }, 'add_waybill', { Token: 't' }), undefined);
  assert.equal(replyProblem({ resultcode: '20007', event: 'ADD_WAYBILL', token: 't' }, 'add_waybill', { Token: 't' }), undefined);
  assert.match(String(replyProblem({}, 'add_waybill', {})), /ResultCode/);
  assert.match(String(replyProblem({ resultcode: 'x' }, 'add_waybill', {})), /ResultCode/);
  assert.match(String(replyProblem({ resultcode: 0, event: 'get_quota' }, 'add_waybill', {})), /Event/);
  assert.match(String(replyProblem({ resultcode: 0, orderid: 'o2' }, 'add_waybill', { OrderID: 'o1' })), /OrderID/);
});

test('order tokens: the same order gives the same token; a changed byte or another key does not verify', () => {
  const id = { appid: 'wx1', orderId: '订单-1', deliveryId: 'ACME' };
  const t = issueOrderToken('k1', id);
  assert.equal(issueOrderToken('k1', id), t);
  assert.deepEqual(readOrderToken('k1', t), id);
  assert.equal(readOrderToken('k2', t), undefined);
  assert.equal(readOrderToken('k1', `x${t}`), undefined);
  assert.equal(readOrderToken('k1', 'garbage'), undefined);
  assert.notEqual(issueOrderToken('k1', { ...id, deliveryId: 'BETA' }), t);
});
