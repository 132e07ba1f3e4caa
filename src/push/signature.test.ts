import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WXBIZ } from '../../test/push-support/vectors.ts';
import { msgSignature, signature } from './signature.ts';

test('URL-check signature reproduces the events.md §1.2 worked example', () => {
  assert.equal(signature('AAAAA', '1714036504', '1514711492'), 'f464b24fc39322e44b38aa78f5edd27bd1441696');
});

test('plain-mode push signature reproduces the events.md §1.3 example', () => {
  assert.equal(signature('AAAAA', '1714037059', '486452656'), '899cf89e464efb63f54ddac96b0a0a235f53aa78');
});

test('signature does not depend on argument order (parts are sorted)', () => {
  assert.equal(signature('1514711492', 'AAAAA', '1714036504'), signature('AAAAA', '1714036504', '1514711492'));
});

test('msgSignature reproduces the WXBizMsgCrypt demo vector', () => {
  assert.equal(msgSignature(WXBIZ.token, WXBIZ.timestamp, WXBIZ.nonce, WXBIZ.encrypt), WXBIZ.msgSignature);
});
