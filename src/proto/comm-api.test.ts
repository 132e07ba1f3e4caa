import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCommApiData, decodeCommOpenApiResp, encodeCommApiData, encodeCommOpenApiResp } from './comm-api.ts';

// The 112 bytes of the seed call's requestData (cloud-call.md §3).
const SEED_REQUEST_DATA = Buffer.from(
  '0800126c0a160a066f70656e6964120c226f414243313233343536220a220a086f726465725f69641216223031323334353637383930313233343536373839220a' +
    '130a0b64656c69766572795f69641204225346220a190a0a77617962696c6c5f6964120b2231323334353637383922',
  'hex',
);

test('decodeCommApiData reads the seed call as four JSON pairs', () => {
  assert.equal(SEED_REQUEST_DATA.length, 112);
  const data = decodeCommApiData(SEED_REQUEST_DATA);
  assert.equal(data.apiType, 0);
  assert.equal(data.appid, '');
  assert.deepEqual(
    data.pairs.map((p) => [p.key, p.value.toString('utf8'), p.filename]),
    [
      ['openid', '"oABC123456"', ''],
      ['order_id', '"01234567890123456789"', ''],
      ['delivery_id', '"SF"', ''],
      ['waybill_id', '"123456789"', ''],
    ],
  );
});

test('a call without arguments is 08 00 12 00 and decodes to zero pairs', () => {
  const bytes = encodeCommApiData({ pairs: [] });
  assert.equal(bytes.toString('hex'), '08001200');
  assert.deepEqual(decodeCommApiData(bytes).pairs, []);
});

test('decodeCommApiData throws on bytes that are not protobuf', () => {
  assert.throws(() => decodeCommApiData(Buffer.from('0a05ff', 'hex')));
});

test('encodeCommOpenApiResp writes fields 1–4 as the SDK decodes them', () => {
  const bytes = encodeCommOpenApiResp({ respData: '{"errcode":0}', contentType: 'application/json', errorCode: 0, httpCode: 200 });
  // resp_data (1), content_type (2), error_code (3) = 0 (written: it was set), http_code (4) = 200.
  assert.equal(bytes.toString('hex'), '0a0d7b22657272636f6465223a307d12106170706c69636174696f6e2f6a736f6e180020c801');
  assert.deepEqual(decodeCommOpenApiResp(bytes), {
    respData: Buffer.from('{"errcode":0}'),
    contentType: 'application/json',
    errorCode: 0,
    httpCode: 200,
  });
  assert.equal(decodeCommOpenApiResp(encodeCommOpenApiResp({ errorCode: -604100 })).errorCode, -604100);
});
