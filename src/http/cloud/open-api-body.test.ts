import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyValuePair } from '../../proto/comm-api.ts';
import { openApiBodyFromPairs } from './open-api-body.ts';

const pair = (key: string, value: string | Buffer, filename = ''): KeyValuePair => ({
  key,
  value: Buffer.isBuffer(value) ? value : Buffer.from(value),
  contenttype: '',
  filename,
});

test('each pair value is JSON; nested objects stay nested', () => {
  const result = openApiBodyFromPairs([pair('count', '5'), pair('sender', '{"post_code":"510000"}'), pair('note', 'null')]);
  assert.deepEqual(result, { ok: true, body: { count: 5, sender: { post_code: '510000' }, note: null } });
});

test('a pair with a filename is a media file, kept as bytes', () => {
  const result = openApiBodyFromPairs([pair('img', Buffer.from([0x89, 0x50]), 'img.png')]);
  assert.deepEqual(result, { ok: true, body: { img: { filename: 'img.png', contentType: '', value: Buffer.from([0x89, 0x50]) } } });
});

test('a value that is not JSON is reported with its key', () => {
  const result = openApiBodyFromPairs([pair('order_id', 'not json')]);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.key, 'order_id');
});

test('a __proto__ key becomes an own property, not the prototype', () => {
  const result = openApiBodyFromPairs([pair('__proto__', '{"polluted":true}')]);
  assert.ok(result.ok);
  assert.equal(Object.getPrototypeOf(result.body), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(result.body, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('a value with a lone surrogate escape or bytes that are not UTF-8 is refused, as on the HTTPS path', () => {
  const lone = openApiBodyFromPairs([pair('order_id', '"x\\ud800"')]);
  assert.equal(lone.ok, false);
  const bytes = openApiBodyFromPairs([pair('order_id', Buffer.from([0x22, 0xff, 0x22]))]);
  assert.equal(bytes.ok, false);
  const fine = openApiBodyFromPairs([pair('order_id', '"x\\ud83d\\udce6"')]);
  assert.deepEqual(fine, { ok: true, body: { order_id: 'x📦' } });
});

test('string values read as JSON.parse reads them, escapes, raw control characters and all', () => {
  const values = [
    '""',
    '"oABC123456"',
    '"01234567890123456789"',
    '"with space ~!@#$%^&*()_+{}|:<>?`-=[];,./"',
    '"a\\"b"',
    '"a\\\\b"',
    '"\\u0041\\n"',
    '"é and 运"',
    '"\t"',
    '"a\u007fb"',
    '"unterminated',
    '"',
    '"a"b"',
    ` "padded" `,
    `"${'x'.repeat(300)}"`,
  ];
  for (const text of values) {
    let expected: unknown;
    try {
      expected = { ok: true, body: { v: JSON.parse(text) } };
    } catch {
      expected = false;
    }
    const result = openApiBodyFromPairs([pair('v', text)]);
    assert.deepEqual(result.ok ? result : false, expected, text);
  }
});
