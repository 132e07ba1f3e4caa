import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyPlain, verifySecure, xmlField, xmlTopLevelNames } from '../../test/push-support/wechat-receiver-crypto.ts';
import { PushError } from './errors.ts';
import { addExpressPathEvent, toJson, toXml } from '../core/push-events.ts';
import { type PushRequestOptions, buildPushRequest, buildUrlCheck, isAcceptedReply } from './push-request.ts';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wx1234567890abcdef';
const event = addExpressPathEvent({
  toUserName: 'gh_97417a04a28d',
  fromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
  createTime: 1714037059,
  deliveryId: 'TEST',
  waybillId: 'wb-1',
  orderId: 'o-1',
  version: 2,
  actions: [
    { actionTime: 1714037000, actionType: 100001, actionMsg: '揽件' },
    { actionTime: 1714037059, actionType: 200001, actionMsg: '运输中' },
  ],
});
const base: PushRequestOptions = {
  url: 'https://merchant.example/wx/push',
  token: 'AAAAA',
  encodingAesKey: KEY,
  mode: 'plain',
  format: 'xml',
  appid: APPID,
  toUserName: 'gh_97417a04a28d',
  event,
  timestamp: '1714037059',
  nonce: '486452656',
};

test('URL check reproduces the events.md §1.2 worked URL', () => {
  assert.equal(
    buildUrlCheck({
      url: 'https://www.qq.com/revice',
      token: 'AAAAA',
      timestamp: '1714036504',
      nonce: '1514711492',
      echostr: '4375120948345356249',
    }),
    'https://www.qq.com/revice?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492',
  );
});

test('plain JSON push reproduces the events.md §1.3 example URL and body', () => {
  const demo = {
    ToUserName: 'gh_97417a04a28d',
    FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
    CreateTime: 1714037059,
    MsgType: 'event',
    Event: 'debug_demo',
    debug_str: 'hello world',
  };
  const req = buildPushRequest({ ...base, url: 'https://www.qq.com/revice', format: 'json', event: demo });
  assert.equal(
    req.url,
    'https://www.qq.com/revice?signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059&nonce=486452656',
  );
  assert.equal(
    req.body,
    '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  );
  assert.equal(req.contentType, 'application/json');
  assert.equal(verifyPlain(new URL(req.url).searchParams, 'AAAAA'), true);
  assert.equal(verifyPlain(new URL(req.url).searchParams, 'BBBBB'), false);
});

test('plain XML push needs no key and keeps existing query parameters', () => {
  const { encodingAesKey: _unused, ...noKey } = base;
  const req = buildPushRequest({ ...noKey, url: 'http://merchant.example/cb?app=1' });
  const q = new URL(req.url).searchParams;
  assert.deepEqual([...q.keys()], ['app', 'signature', 'timestamp', 'nonce']);
  assert.equal(req.body, toXml(event));
  assert.equal(req.contentType, 'text/xml');
});

for (const format of ['xml', 'json'] as const) {
  test(`secure ${format} push carries only ToUserName + Encrypt and decrypts with the independent receiver`, () => {
    const req = buildPushRequest({ ...base, mode: 'secure', format });
    const q = new URL(req.url).searchParams;
    assert.deepEqual([...q.keys()], ['signature', 'timestamp', 'nonce', 'encrypt_type', 'msg_signature']);
    assert.equal(q.get('encrypt_type'), 'aes');
    if (format === 'xml') {
      assert.deepEqual(xmlTopLevelNames(req.body), ['ToUserName', 'Encrypt']);
      assert.equal(xmlField(req.body, 'ToUserName'), 'gh_97417a04a28d');
    } else {
      assert.deepEqual(Object.keys(JSON.parse(req.body) as object), ['ToUserName', 'Encrypt']);
    }
    const plaintext = verifySecure(q, req.body, 'AAAAA', KEY, APPID);
    assert.equal(plaintext, format === 'xml' ? toXml(event) : toJson(event));
    assert.throws(() => verifySecure(q, req.body, 'AAAAA', KEY, 'wxother'), /appid/);
    assert.throws(() => verifySecure(q, req.body, 'BBBBB', KEY, APPID), /signature/);
  });

  test(`compatible ${format} push carries the plaintext fields plus Encrypt`, () => {
    const req = buildPushRequest({ ...base, mode: 'compatible', format });
    const q = new URL(req.url).searchParams;
    const fields = [
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
    ];
    if (format === 'xml') {
      assert.deepEqual(xmlTopLevelNames(req.body), [...fields, 'Actions', 'Actions', 'Encrypt']); // one <Actions> per node
    } else {
      assert.deepEqual(Object.keys(JSON.parse(req.body) as object), [...fields, 'Actions', 'Encrypt']);
    }
    assert.equal(verifySecure(q, req.body, 'AAAAA', KEY, APPID), format === 'xml' ? toXml(event) : toJson(event));
  });
}

test('a fixed random16 makes secure pushes reproducible', () => {
  const random16 = Buffer.alloc(16, 1);
  assert.deepEqual(buildPushRequest({ ...base, mode: 'secure', random16 }), buildPushRequest({ ...base, mode: 'secure', random16 }));
});

test('secure mode without a valid key, or with a mismatched ToUserName, is refused', () => {
  const { encodingAesKey: _unused, ...noKey } = base;
  const code = (c: string) => (e: unknown) => e instanceof PushError && e.code === c;
  assert.throws(() => buildPushRequest({ ...noKey, mode: 'secure' }), code('invalidPushOptions'));
  assert.throws(() => buildPushRequest({ ...base, mode: 'compatible', encodingAesKey: 'short' }), code('invalidEncodingAesKey'));
  assert.throws(() => buildPushRequest({ ...base, mode: 'secure', toUserName: 'gh_other' }), code('invalidPushOptions'));
});

test('isAcceptedReply: 2xx with exactly "success" or an empty body (§1.5)', () => {
  assert.equal(isAcceptedReply(200, 'success'), true);
  assert.equal(isAcceptedReply(200, ''), true);
  assert.equal(isAcceptedReply(204, ''), true);
  assert.equal(isAcceptedReply(200, 'success\n'), false);
  assert.equal(isAcceptedReply(200, ' success'), false);
  assert.equal(isAcceptedReply(200, 'SUCCESS'), false);
  assert.equal(isAcceptedReply(200, 'ok'), false);
  assert.equal(isAcceptedReply(500, 'success'), false);
  assert.equal(isAcceptedReply(302, ''), false);
});
