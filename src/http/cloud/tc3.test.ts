import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sign } from '@cloudbase/signature-nodejs';
import { decodeCommApiData } from '../../proto/comm-api.ts';
import { parseMultipart } from './multipart.ts';
import { openApiBodyFromPairs } from './open-api-body.ts';
import { parseTc3Authorization, verifyTc3, type Tc3Request } from './tc3.ts';
import { seedVector } from './testdata/seed-vector.ts';

async function vectorRequest(body = seedVector.body, headers = seedVector.headers()): Promise<Tc3Request> {
  const parts = parseMultipart(body, headers['content-type']!);
  return { method: seedVector.method, url: seedVector.url, headers, params: parts.map((p) => ({ name: p.name, value: p.value })) };
}

test('the captured vector verifies with secretKey y and decodes to the seed arguments', async () => {
  const req = await vectorRequest();
  assert.deepEqual(verifyTc3(req, 'y'), { ok: true, secretId: 'x' });
  const requestData = req.params.find((p) => p.name === 'requestData')!.value as Buffer;
  const body = openApiBodyFromPairs(decodeCommApiData(requestData).pairs);
  assert.deepEqual(body, {
    ok: true,
    body: { openid: 'oABC123456', order_id: '01234567890123456789', delivery_id: 'SF', waybill_id: '123456789' },
  });
});

test('parseTc3Authorization splits the captured header', () => {
  const parsed = parseTc3Authorization(seedVector.headers()['authorization']);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.auth.signedParams, ['action', 'apiname', 'envname', 'requestdata']);
  assert.equal(parsed.auth.signedHeaders.length, 6);
  assert.deepEqual(parseTc3Authorization(undefined), { ok: false, reason: 'missing-authorization' });
  assert.deepEqual(parseTc3Authorization('Bearer x'), { ok: false, reason: 'malformed-authorization' });
});

test('a wrong secretKey is rejected', async () => {
  assert.deepEqual(verifyTc3(await vectorRequest(), 'z'), { ok: false, reason: 'bad-signature' });
});

test('a one-byte change anywhere in a signed field is rejected', async () => {
  const body = Buffer.from(seedVector.body);
  // 0x1f0: inside requestData (waybill_id "123456789"); 0x260: envName "local-env"; 0xe0: apiName.
  for (const offset of [0x1f0, 0x260, 0xe0]) {
    const tampered = Buffer.from(body);
    tampered[offset] = tampered[offset]! ^ 0x01;
    assert.equal((verifyTc3(await vectorRequest(tampered), 'y') as { reason?: string }).reason, 'bad-signature', `offset ${offset}`);
  }
});

test('a changed signed header, host, path or query is rejected', async () => {
  const cases: Array<(h: Record<string, string>, r: { url: string }) => void> = [
    (h) => (h['user-agent'] = 'tcb-node-sdk/3.17.3'),
    (h) => (h['x-client-timestamp'] = '1795882119024'),
    (h) => (h['host'] = '127.0.0.1:18081'),
    (_h, r) => (r.url = '/admin?env=other-env&seqId=1a222ea6f70_1'),
    (_h, r) => (r.url = '/admin2?env=local-env&seqId=1a222ea6f70_1'),
  ];
  for (const change of cases) {
    const req = await vectorRequest();
    const headers = { ...seedVector.headers() };
    const target = { url: req.url };
    change(headers, target);
    assert.deepEqual(verifyTc3({ ...req, headers, url: target.url }, 'y'), { ok: false, reason: 'bad-signature' });
  }
});

test('an unsigned non-empty field is rejected; an unsigned empty one is fine', async () => {
  const req = await vectorRequest();
  const withToken = { ...req, params: req.params.map((p) => (p.name === 'tcb_sessionToken' ? { ...p, value: 'stolen' } : p)) };
  assert.deepEqual(verifyTc3(withToken, 'y'), { ok: false, reason: 'unsigned-param', detail: 'tcb_sessiontoken' });
  const dup = { ...req, params: [...req.params, { name: 'ACTION', value: 'wx.openApi' }] };
  assert.equal((verifyTc3(dup, 'y') as { reason?: string }).reason, 'duplicate-param');
});

test('freshness: within the window passes, outside fails, 0 disables', async () => {
  const req = await vectorRequest();
  const signedAt = 1795882118_000;
  assert.equal(verifyTc3(req, 'y', { freshnessSeconds: 600, now: () => signedAt + 599_000 }).ok, true);
  assert.deepEqual(verifyTc3(req, 'y', { freshnessSeconds: 600, now: () => signedAt - 601_000 }), { ok: false, reason: 'stale' });
  assert.equal(verifyTc3(req, 'y', { freshnessSeconds: 0, now: () => 0 }).ok, true);
  const headers = { ...seedVector.headers(), 'x-timestamp': String(1795882118 + 86400) };
  assert.deepEqual(verifyTc3({ ...req, headers }, 'y'), { ok: false, reason: 'date-mismatch' });
});

test('host and content-type must be signed', async () => {
  const req = await vectorRequest();
  const headers = { ...seedVector.headers() };
  headers['authorization'] = headers['authorization']!.replace('content-type;host;', 'content-type;');
  assert.deepEqual(verifyTc3({ ...req, headers }, 'y'), { ok: false, reason: 'missing-signed-header', detail: 'host' });
});

const SIGNED_URL = 'http://127.0.0.1:8080/admin?env=e&seqId=1';
const SIGNED_AT = 1795882118;

/**
 * A request with these form fields signed by `@cloudbase/signature-nodejs` (secretId x, key y), as
 * the server receives it; `sentUserAgent` is the User-Agent it arrives with, `userAgent` the signed one.
 */
function sdkSignedRequest(
  params: Record<string, string | Buffer>,
  userAgent = 'tcb-node-sdk/3.17.2',
  sentUserAgent = userAgent,
): Tc3Request {
  const headers = { 'content-type': 'multipart/form-data; boundary=b', Host: '127.0.0.1:8080', 'User-Agent': userAgent };
  const { authorization } = sign({
    secretId: 'x',
    secretKey: 'y',
    method: 'post',
    url: SIGNED_URL,
    params,
    headers,
    withSignedParams: true,
    timestamp: SIGNED_AT,
  });
  return {
    method: 'POST',
    url: '/admin?env=e&seqId=1',
    headers: {
      'content-type': headers['content-type'],
      host: headers.Host,
      'user-agent': sentUserAgent,
      'x-timestamp': String(SIGNED_AT),
      authorization,
    },
    params: Object.entries(params).map(([name, value]) => ({ name, value })),
  };
}

test('requests signed by @cloudbase/signature-nodejs verify: UTF-8 text, files among text fields, a payload past the hash scratch, an encoded name', () => {
  const cases: Record<string, string | Buffer>[] = [
    { action: 'wx.openApi', apiName: 'logistics.getOrder', envName: 'e', note: '顺丰 😀 é', requestData: Buffer.from([0, 0xff, 0x80, 10]) },
    { action: 'wx.openApi', big: '运'.repeat(8000), file: Buffer.alloc(20_000, 0xa5) },
    { 'a b': 'spaced name', "it's(a)*!": 'every character encodeURIComponent keeps and the signer does not', action: ' padded ' },
    // Files first, between and after text fields, two files, a file alone, an empty one.
    { file: Buffer.from([0xde, 0xad]), action: 'wx.openApi', z: '后 after the file' },
    { a: 'x', f1: Buffer.from([0xbe, 0xef]), f2: Buffer.from([0x00]), b: 'y' },
    { only: Buffer.from([7, 8, 9]) },
    { a: 'x', empty: Buffer.alloc(0), z: 'z' },
  ];
  for (const params of cases) {
    const req = sdkSignedRequest(params);
    assert.deepEqual(verifyTc3(req, 'y'), { ok: true, secretId: 'x' }, Object.keys(params).join(','));
    // The same fields with one character or byte changed do not.
    const changed = req.params.map((p, i) =>
      i !== req.params.length - 1
        ? p
        : { ...p, value: typeof p.value === 'string' ? `${p.value}!` : Buffer.concat([p.value, Buffer.from([1])]) },
    );
    assert.deepEqual(verifyTc3({ ...req, params: changed }, 'y'), { ok: false, reason: 'bad-signature' });
  }
});

test('a SignedParams list that names a field twice is refused before anything is hashed', async () => {
  const req = await vectorRequest();
  const headers = { ...seedVector.headers() };
  headers['authorization'] = headers['authorization']!.replace('SignedParams=action;', 'SignedParams=requestdata;action;');
  assert.deepEqual(verifyTc3({ ...req, headers }, 'y'), { ok: false, reason: 'duplicate-param', detail: 'requestdata' });
  // The list of the request before is not kept for the next one.
  assert.deepEqual(verifyTc3(req, 'y'), { ok: true, secretId: 'x' });
});

test('a canonical request too long for the reused buffer (a long signed header) is hashed as it is', () => {
  const params = { action: 'wx.openApi', envName: 'e' };
  const long = `agent/${'运'.repeat(6_000)}`;
  assert.deepEqual(verifyTc3(sdkSignedRequest(params, long), 'y'), { ok: true, secretId: 'x' });
  assert.deepEqual(verifyTc3(sdkSignedRequest(params, long, `${long}!`), 'y'), { ok: false, reason: 'bad-signature' });
});
