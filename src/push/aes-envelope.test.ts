import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { test } from 'node:test';
import { decryptEncrypt } from '../../test/push-support/wechat-receiver-crypto.ts';
import { WXBIZ } from '../../test/push-support/vectors.ts';
import { decodeAesKey, decryptMessage, encryptMessage, isValidEncodingAesKey } from './aes-envelope.ts';
import { PushError } from './errors.ts';

const KEY_TEXT = WXBIZ.encodingAesKey;
const KEY = decodeAesKey(KEY_TEXT);
const APPID = 'wx1234567890abcdef'; // 18 bytes
const R16 = Buffer.alloc(16, 7);

/** Raw decrypt without unpadding, to look at the pad bytes themselves. */
function rawPlain(encrypt: string): Buffer {
  const d = createDecipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
}

const isCode = (code: string) => (e: unknown) => e instanceof PushError && e.code === code;

test('decodeAesKey turns a 43-char EncodingAESKey into 32 bytes', () => {
  assert.equal(KEY.length, 32);
  assert.equal(KEY.subarray(0, 3).toString('hex'), '69b71d'); // base64 "abcd" → 69 b7 1d
});

test('invalid EncodingAESKeys are rejected with invalidEncodingAesKey', () => {
  for (const bad of [
    '',
    KEY_TEXT.slice(0, 42),
    `${KEY_TEXT}A`,
    `${KEY_TEXT.slice(0, 42)}+`,
    `${KEY_TEXT.slice(0, 42)}/`,
    `${KEY_TEXT.slice(0, 42)}=`,
    `${KEY_TEXT.slice(0, 42)}é`,
    ` ${KEY_TEXT.slice(1)}`,
  ]) {
    assert.equal(isValidEncodingAesKey(bad), false, bad);
    assert.throws(() => decodeAesKey(bad), isCode('invalidEncodingAesKey'), bad);
  }
  assert.equal(isValidEncodingAesKey(KEY_TEXT), true);
});

test('decryptMessage reads the WXBizMsgCrypt demo ciphertext', () => {
  assert.equal(decryptMessage(decodeAesKey(WXBIZ.encodingAesKey), WXBIZ.encrypt, WXBIZ.appid), WXBIZ.plaintext);
});

test('encrypt → decrypt round-trips UTF-8 text, and the independent receiver agrees', () => {
  const msg = '<xml><ActionMsg><![CDATA[小哥A揽件成功]]></ActionMsg></xml>';
  const enc = encryptMessage(KEY, msg, APPID);
  assert.equal(decryptMessage(KEY, enc, APPID), msg);
  assert.equal(decryptEncrypt(enc, KEY_TEXT, APPID), msg);
});

test('encryption is deterministic for a given random16 and lays out random16 ‖ len ‖ msg ‖ appid', () => {
  const a = encryptMessage(KEY, 'hello', APPID, R16);
  assert.equal(a, encryptMessage(KEY, 'hello', APPID, R16));
  const plain = rawPlain(a);
  assert.deepEqual(plain.subarray(0, 16), R16);
  assert.equal(plain.readUInt32BE(16), 5);
  assert.equal(plain.subarray(20, 25).toString(), 'hello');
  assert.equal(plain.subarray(25, 25 + APPID.length).toString(), APPID);
});

test('a plaintext on a 32-byte boundary gets a full 32-byte pad block', () => {
  const msg = 'x'.repeat(64 - 16 - 4 - APPID.length); // 16+4+26+18 = 64
  const enc = encryptMessage(KEY, msg, APPID, R16);
  const plain = rawPlain(enc);
  assert.equal(plain.length, 96);
  assert.deepEqual(plain.subarray(64), Buffer.alloc(32, 32));
  assert.equal(decryptMessage(KEY, enc, APPID), msg);
  assert.equal(decryptEncrypt(enc, KEY_TEXT, APPID), msg);
});

test('pad is 1 byte when one short of the boundary, and block size is 32 not 16', () => {
  const one = rawPlain(encryptMessage(KEY, 'x'.repeat(25), APPID, R16)); // 63 bytes
  assert.equal(one.length, 64);
  assert.equal(one[63], 1);
  const sixteen = rawPlain(encryptMessage(KEY, 'x'.repeat(10), APPID, R16)); // 48 bytes
  assert.equal(sixteen.length, 64);
  assert.deepEqual(sixteen.subarray(48), Buffer.alloc(16, 16));
  assert.equal(encryptMessage(KEY, '', APPID, R16).length % 4, 0);
  assert.equal(decryptMessage(KEY, encryptMessage(KEY, '', APPID, R16), APPID), '');
});

test('decryptMessage rejects a foreign appid, bad padding and truncated ciphertext', () => {
  const enc = encryptMessage(KEY, 'hello', APPID, R16);
  assert.throws(() => decryptMessage(KEY, enc, 'wxother'), isCode('appidMismatch'));
  assert.throws(
    () => decryptMessage(KEY, Buffer.from(enc, 'base64').subarray(0, 48).toString('base64'), APPID),
    isCode('invalidCiphertext'),
  );
  assert.throws(() => decryptMessage(KEY, '', APPID), isCode('invalidCiphertext'));
  // Another key yields garbage: the pad, length or appid check must catch it, never return text.
  const otherKey = decodeAesKey('B'.repeat(43));
  assert.throws(
    () => decryptMessage(otherKey, enc, APPID),
    (e: unknown) => e instanceof PushError,
  );
});

test('encryptMessage refuses a key that is not 32 bytes or a random16 that is not 16 bytes', () => {
  assert.throws(() => encryptMessage(KEY.subarray(0, 16), 'x', APPID), isCode('invalidEncodingAesKey'));
  assert.throws(() => encryptMessage(KEY, 'x', APPID, Buffer.alloc(15)), isCode('invalidPushOptions'));
});
