import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipartError, parseMultipart } from './multipart.ts';
import { seedVector } from './testdata/seed-vector.ts';

test('the captured SDK body parses into its eight fields, requestData as bytes', async () => {
  const parts = await parseMultipart(seedVector.body, seedVector.headers()['content-type']!);
  assert.deepEqual(
    parts.map((p) => [p.name, p.kind, p.kind === 'text' ? p.value : p.value.length]),
    [
      ['action', 'text', 'wx.openApi'],
      ['apiName', 'text', 'logistics.getOrder'],
      ['requestData', 'file', 112],
      ['envName', 'text', 'local-env'],
      ['wxCloudApiToken', 'text', ''],
      ['wxCloudbaseAccesstoken', 'text', ''],
      ['tcb_sessionToken', 'text', ''],
      ['crossAuthorizationToken', 'text', ''],
    ],
  );
});

test('text fields keep UTF-8 and a truncated body is rejected', async () => {
  const boundary = 'b0undary';
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="envName"\r\n\r\n广州\r\n--${boundary}--\r\n`);
  const parts = await parseMultipart(body, `multipart/form-data; boundary=${boundary}`);
  assert.deepEqual(parts, [{ name: 'envName', kind: 'text', value: '广州' }]);
  await assert.rejects(parseMultipart(body.subarray(0, 40), `multipart/form-data; boundary=${boundary}`), MultipartError);
  await assert.rejects(parseMultipart(body, 'multipart/form-data'), MultipartError);
});

test('a field over the size limit is rejected rather than truncated', async () => {
  const boundary = 'xyz';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="apiName"\r\n\r\n${'a'.repeat(50)}\r\n--${boundary}--\r\n`,
  );
  await assert.rejects(parseMultipart(body, `multipart/form-data; boundary=${boundary}`, { fieldSize: 10 }), /too large/);
});
