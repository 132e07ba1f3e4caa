import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeExchange, type JudgeOptions } from './judge-reply.ts';

// The request and reply examples of events.md §3.4 (get_quota) and §3.1 (add_waybill).
const quotaPush = {
  ToUserName: 'gh_abcdefg',
  FromUserName: 'oABCD',
  CreateTime: 1533042556,
  MsgType: 'event',
  Event: 'get_quota',
  BizID: 'xyz',
  BizPwd: 'xyz123',
  ShopAppID: 'wxABCD',
};
const quotaXml =
  '<xml><ToUserName><![CDATA[oABCD]]></ToUserName><FromUserName><![CDATA[gh_abcdefg]]></FromUserName><CreateTime>1533042556</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[get_quota]]></Event><BizID><![CDATA[xyz]]></BizID><ResultCode>0</ResultCode><ResultMsg><![CDATA[success]]></ResultMsg><Quota>0</Quota></xml>';
const quotaJson =
  '{"ToUserName": "oABCD", "FromUserName": "gh_abcdefg", "CreateTime": 1533042556, "MsgType": "event", "Event": "get_quota", "BizID": "xyz", "ResultCode": 0, "ResultMsg": "success", "Quota": 0}';
const addPush = {
  ...quotaPush,
  Event: 'add_waybill',
  Token: '1234ABC234523451',
  OrderID: '012345678901234567890123456789',
  WayBillID: '123456789',
};
const addJson =
  '{"ToUserName": "oABCD", "FromUserName": "gh_abcdefg", "CreateTime": 1533042556, "MsgType": "event", "Event": "add_waybill", "Token": "1234ABC234523451", "OrderID": "012345678901234567890123456789", "BizID": "xyz", "WayBillID": "123456789", "ResultCode": 0, "ResultMsg": "success", "WaybillData": "##ZTO_bagAddr##广州##ZTO_mark##888-666-666##"}';

const opts = (o: Partial<JudgeOptions>): JudgeOptions => ({
  step: 'get_quota',
  event: 'get_quota',
  push: quotaPush,
  format: 'xml',
  mode: 'plain',
  token: 'AAAAA',
  appid: 'wxcarrier',
  timeoutMs: 5000,
  nowSeconds: 1533042556,
  expectCode: 0,
  ...o,
});
const answered = (body: string) => ({ kind: 'answered' as const, status: 200, body, elapsedMs: 3 });
const statuses = (checks: { status: string; name: string }[]) =>
  Object.fromEntries(checks.map((c) => [c.name.replace(/^.* · /, ''), c.status]));

test("the spec's own reply examples pass every check", () => {
  for (const [body, format] of [
    [quotaXml, 'xml'],
    [quotaJson, 'json'],
  ] as const) {
    const { checks } = judgeExchange(answered(body), opts({ format }));
    assert.deepEqual(
      checks.filter((c) => c.status !== 'PASS'),
      [],
      format,
    );
    assert.equal(checks.length, 8);
  }
  const add = judgeExchange(answered(addJson), opts({ step: 'add_waybill', event: 'add_waybill', push: addPush, format: 'json' }));
  assert.deepEqual(
    add.checks.filter((c) => c.status !== 'PASS'),
    [],
  );
  assert.equal(add.value('WayBillID'), '123456789');
});

test('swapped header, wrong echoes and an undocumented ResultCode each fail their own line', () => {
  const body = quotaXml
    .replace('[CDATA[oABCD]]', '[CDATA[someone]]')
    .replace('[CDATA[xyz]]', '[CDATA[abc]]')
    .replace('<ResultCode>0<', '<ResultCode>42<');
  const s = statuses(judgeExchange(answered(body), opts({})).checks);
  assert.deepEqual(s, {
    'answered in time': 'PASS',
    format: 'PASS',
    'required fields': 'PASS',
    'field casing': 'PASS',
    types: 'PASS',
    header: 'FAIL',
    echoes: 'FAIL',
    ResultCode: 'FAIL',
  });
});

test('a JSON reply to an XML push, a CDATA number and a far-off CreateTime', () => {
  assert.equal(statuses(judgeExchange(answered(quotaJson), opts({ format: 'xml' })).checks).format, 'FAIL');
  const cdataNumber = judgeExchange(answered(quotaXml.replace('<Quota>0</Quota>', '<Quota><![CDATA[0]]></Quota>')), opts({})).checks;
  assert.equal(statuses(cdataNumber).types, 'WARN');
  assert.equal(statuses(judgeExchange(answered(quotaXml), opts({ nowSeconds: 1533042556 + 3600 })).checks).header, 'WARN');
});

test('a timeout, an HTTP error and the merchant opt-out reply each end the judgement with one FAIL', () => {
  const t = judgeExchange({ kind: 'timeout', elapsedMs: 5000 }, opts({}));
  assert.deepEqual(
    t.checks.map((c) => c.status),
    ['FAIL'],
  );
  assert.deepEqual(
    judgeExchange({ kind: 'answered', status: 500, body: 'oops', elapsedMs: 1 }, opts({})).checks.map((c) => c.status),
    ['PASS', 'FAIL'],
  );
  const optOut = judgeExchange(answered('success'), opts({})).checks;
  assert.deepEqual(
    optOut.map((c) => [c.name, c.status]),
    [
      ['get_quota · answered in time', 'PASS'],
      ['get_quota · reply parses', 'FAIL'],
    ],
  );
  assert.match(optOut[1]!.detail, /opt-out/);
});

test('a plain reply to an encrypted push is a warning; an envelope with a bad MsgSignature fails', () => {
  const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const plain = judgeExchange(answered(quotaXml), opts({ mode: 'secure', encodingAesKey: key }));
  assert.equal(statuses(plain.checks)['encrypted reply'], 'WARN');
  const forged =
    '<xml><Encrypt><![CDATA[AAAA]]></Encrypt><MsgSignature><![CDATA[00]]></MsgSignature><TimeStamp>1</TimeStamp><Nonce><![CDATA[2]]></Nonce></xml>';
  const bad = judgeExchange(answered(forged), opts({ mode: 'secure', encodingAesKey: key }));
  assert.deepEqual(
    bad.checks.map((c) => c.status),
    ['PASS', 'FAIL'],
  );
  assert.match(bad.checks[1]!.detail, /MsgSignature does not match/);
});

test('add_waybill: WayBillID "0" needs the carrier\'s own number; a pushed number must come back', () => {
  const zero = judgeExchange(
    answered(addJson),
    opts({ step: 'add_waybill', event: 'add_waybill', push: { ...addPush, WayBillID: '0' }, format: 'json' }),
  );
  assert.equal(statuses(zero.checks).WayBillID, 'PASS');
  const noNumber = judgeExchange(
    answered(addJson.replace('"WayBillID": "123456789"', '"WayBillID": "0"')),
    opts({ step: 'add_waybill', event: 'add_waybill', push: { ...addPush, WayBillID: '0' }, format: 'json' }),
  );
  assert.equal(statuses(noNumber.checks).WayBillID, 'FAIL');
  const other = judgeExchange(
    answered(addJson),
    opts({ step: 'add_waybill', event: 'add_waybill', push: { ...addPush, WayBillID: '987' }, format: 'json' }),
  );
  assert.equal(statuses(other.checks).WayBillID, 'FAIL');
});
