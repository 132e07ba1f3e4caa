import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findField, parseReplyBody, ReplyParseError } from './reply-body.ts';
import { parseWaybillData } from './reply-rules.ts';

test('an XML reply keeps key casing, the root name, and whether a value was CDATA or bare', () => {
  const body = parseReplyBody(
    '<?xml version="1.0"?>\n<xml>\n <ToUserName><![CDATA[oABCD]]></ToUserName><CreateTime>1533042556</CreateTime><resultmsg>a &amp; b</resultmsg><Quota/><Sender><Name>x</Name></Sender></xml>',
  );
  assert.equal(body.format, 'xml');
  assert.equal(body.root, 'xml');
  assert.deepEqual(body.fields, [
    { key: 'ToUserName', value: 'oABCD', kind: 'xml-cdata' },
    { key: 'CreateTime', value: '1533042556', kind: 'xml-text' },
    { key: 'resultmsg', value: 'a & b', kind: 'xml-text' },
    { key: 'Quota', value: '', kind: 'xml-text' },
    { key: 'Sender', value: '<Name>x</Name>', kind: 'xml-element' },
  ]);
  assert.equal(findField(body, 'ResultMsg')?.key, 'resultmsg');
});

test('CDATA may hold markup and a split "]]>"; any root element is read', () => {
  const body = parseReplyBody('<Reply><ResultMsg><![CDATA[<b>]]]]><![CDATA[>]]></ResultMsg></Reply>');
  assert.equal(body.root, 'Reply');
  assert.equal(findField(body, 'ResultMsg')?.value, '<b>]]>');
});

test("a JSON reply records each value's JSON type", () => {
  const body = parseReplyBody('{"ResultCode":"0","Quota":1.5,"x":null,"y":[1],"z":{}}');
  assert.deepEqual(
    body.fields.map((f) => [f.key, f.kind]),
    [
      ['ResultCode', 'string'],
      ['Quota', 'number'],
      ['x', 'null'],
      ['y', 'array'],
      ['z', 'object'],
    ],
  );
});

test('garbage, an empty body and a JSON array are parse errors', () => {
  for (const text of ['', 'success', '[1]', '{"a":', '<xml><A>1</A>', '<xml>text</xml>']) {
    assert.throws(() => parseReplyBody(text), ReplyParseError, JSON.stringify(text));
  }
});

test('WaybillData grammar: ## then key##value## pairs', () => {
  assert.deepEqual(parseWaybillData('##ZTO_bagAddr##广州##ZTO_mark##888-666-666##'), {
    ok: true,
    pairs: [
      { key: 'ZTO_bagAddr', value: '广州' },
      { key: 'ZTO_mark', value: '888-666-666' },
    ],
  });
  assert.deepEqual(parseWaybillData('##'), { ok: true, pairs: [] });
  assert.equal(parseWaybillData('ZTO_mark##1##').ok, false);
  assert.equal(parseWaybillData('##ZTO_mark##1').ok, false);
  assert.equal(parseWaybillData('##ZTO_mark##').ok, false);
  assert.equal(parseWaybillData('##a##1##b##').ok, false);
  assert.equal(parseWaybillData('####1##').ok, false);
});
