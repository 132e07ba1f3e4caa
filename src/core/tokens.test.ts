import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { hashSecret, verifySecret } from './tokens.ts';

test('verifySecret: only the exact secret matches, NUL padding included', () => {
  const stored = hashSecret('s3cret');
  assert.equal(verifySecret('s3cret', stored), true);
  for (const other of ['s3cret\0', 's3cret\0\0', 's3cre', 's3cret ', '', 'S3cret'])
    assert.equal(verifySecret(other, stored), false, JSON.stringify(other));
});

test('verifySecret: hashes of the raw-secret scheme still verify, never with a NUL appended', () => {
  const salt = randomBytes(16);
  const key = scryptSync('s3cret', salt, 32, { N: 1 << 14, r: 8, p: 1 });
  const legacy = `scrypt$${1 << 14}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  assert.equal(verifySecret('s3cret', legacy), true);
  assert.equal(verifySecret('s3cret\0', legacy), false);
  assert.equal(verifySecret('other', legacy), false);
  assert.equal(verifySecret('s3cret', 'md5$x$y$z'), false, 'unknown scheme');
});
