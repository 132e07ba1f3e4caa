import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encryptMessage, decodeAesKey } from './aes-envelope.ts';
import { CarrierReplyError, parseReplyBody, readCarrierReply } from './carrier-reply.ts';
import { msgSignature } from './signature.ts';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

test("the spec's get_quota reply, XML and JSON, reads to the same lower-cased fields", () => {
  const xml =
    '<xml><ToUserName><![CDATA[oABCD]]></ToUserName><FromUserName><![CDATA[gh_abcdefg]]></FromUserName><CreateTime>1533042556</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[get_quota]]></Event><BizID><![CDATA[xyz]]></BizID><ResultCode>0</ResultCode><ResultMsg><![CDATA[success]]></ResultMsg><Quota>0</Quota></xml>';
  const json =
    '{"ToUserName": "oABCD", "FromUserName": "gh_abcdefg", "CreateTime": 1533042556, "MsgType": "event", "Event": "get_quota", "BizID": "xyz", "ResultCode": 0, "ResultMsg": "success", "Quota": 0}';
  const x = parseReplyBody(xml);
  const j = parseReplyBody(json);
  assert.deepEqual(Object.keys(x), Object.keys(j));
  assert.equal(x.resultcode, '0');
  assert.equal(j.resultcode, 0);
  assert.equal(x.bizid, 'xyz');
});

test('XML: any root, declaration and comments, entities, CDATA with markup, layout whitespace, nested and repeated elements', () => {
  const r = parseReplyBody(
    `<?xml version="1.0"?>\n<!-- carrier -->\n<AddExpressOrderReturn>\n  <resultcode> 0 </resultcode>\n  <WaybillData>\n    <![CDATA[##a##<b>&##]]>\n  </WaybillData>\n  <Msg>a &amp; b &lt;c&gt; &#20013;</Msg>\n  <Empty/>\n  <Item><Name>x</Name></Item><Item><Name>y</Name></Item>\n</AddExpressOrderReturn>`,
  );
  assert.equal(r.resultcode, '0');
  assert.equal(r.waybilldata, '##a##<b>&##');
  assert.equal(r.msg, 'a & b <c> 中');
  assert.equal(r.empty, '');
  assert.deepEqual(r.item, [{ name: 'x' }, { name: 'y' }]);
});

test('garbage is a CarrierReplyError: empty, success, broken JSON, a JSON array, unclosed XML', () => {
  for (const body of ['', 'success', '{"ResultCode":', '[1]', '<xml><ResultCode>0</xml>', '<xml>text</xml>']) {
    assert.throws(() => parseReplyBody(body), CarrierReplyError, JSON.stringify(body));
  }
});

test('an encrypted reply is verified and decrypted; a wrong MsgSignature, another appid, or no key is garbage; a plain reply passes', () => {
  const inner = '{"ResultCode":0,"Quota":5}';
  const encrypt = encryptMessage(decodeAesKey(KEY), inner, 'wxcarrier');
  const envelope = (sig: string) =>
    `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${sig}]]></MsgSignature><TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[42]]></Nonce></xml>`;
  const good = envelope(msgSignature('tok', '1700000000', '42', encrypt));
  assert.deepEqual(readCarrierReply(good, { token: 'tok', encodingAesKey: KEY, appid: 'wxcarrier' }), { resultcode: 0, quota: 5 });
  assert.throws(
    () => readCarrierReply(envelope('0'.repeat(40)), { token: 'tok', encodingAesKey: KEY, appid: 'wxcarrier' }),
    /MsgSignature/,
  );
  assert.throws(() => readCarrierReply(good, { token: 'tok', encodingAesKey: KEY, appid: 'wxother' }), /decrypt/);
  assert.throws(() => readCarrierReply(good, { token: 'tok', encodingAesKey: '', appid: 'wxcarrier' }), /EncodingAESKey/);
  assert.deepEqual(readCarrierReply(inner, { token: 'tok', encodingAesKey: KEY, appid: 'wxcarrier' }), { resultcode: 0, quota: 5 });
});
