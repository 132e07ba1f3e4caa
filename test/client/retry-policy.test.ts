import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpoints } from '../../src/client/endpoints.ts';
import { WxApiError, WxTransportError } from '../../src/client/errors.ts';
import type { HttpClient, HttpRequest } from '../../src/client/http-client.ts';
import { RequestSender } from '../../src/client/request-sender.ts';
import { backOffMs, retryDecision } from '../../src/client/retry-policy.ts';
import { TokenManager } from '../../src/client/token-manager.ts';

const wx = (errcode: number) => new WxApiError({ errcode, errmsg: `e rid: 00000000-00000000-00000000` });
const base = { tokenRefreshed: false, retriesLeft: 2 };

test('retry rules', () => {
  const read = endpoints.getOrder;
  const write = endpoints.addOrder;
  assert.equal(retryDecision({ ...base, endpoint: write, error: wx(40001) }), 'refresh-token');
  assert.equal(retryDecision({ ...base, endpoint: read, error: wx(42001) }), 'refresh-token');
  assert.equal(retryDecision({ ...base, endpoint: read, error: wx(40001), tokenRefreshed: true }), 'give-up');
  assert.equal(retryDecision({ ...base, endpoint: read, error: wx(-1) }), 'back-off');
  assert.equal(retryDecision({ ...base, endpoint: write, error: wx(-1) }), 'give-up');
  assert.equal(retryDecision({ ...base, endpoint: read, error: wx(-1), retriesLeft: 0 }), 'give-up');
  assert.equal(retryDecision({ ...base, endpoint: write, error: new WxTransportError('refused', false) }), 'back-off');
  assert.equal(retryDecision({ ...base, endpoint: write, error: new WxTransportError('reset', true) }), 'give-up');
  assert.equal(retryDecision({ ...base, endpoint: read, error: new WxTransportError('reset', true) }), 'back-off');
  assert.equal(retryDecision({ ...base, endpoint: read, error: wx(930563) }), 'give-up');
  for (let n = 0; n < 10; n++) {
    const ms = backOffMs(n);
    assert.ok(ms >= Math.min(5000, 500 * 2 ** n) / 2 && ms <= 5000, String(ms));
  }
});

class ScriptedHttp implements HttpClient {
  readonly calls: HttpRequest[] = [];
  constructor(private readonly answers: unknown[]) {}
  async request(request: HttpRequest) {
    this.calls.push(request);
    if (request.url.includes('/cgi-bin/token'))
      return { status: 200, text: '{"access_token":"1_aaaaaaaaaaaaaaaaaaaaaaaa","expires_in":7200}' };
    return { status: 200, text: JSON.stringify(this.answers.shift()) };
  }
}

const senderOver = (http: HttpClient, sleeps: number[]) =>
  new RequestSender({
    baseUrl: 'http://wx.invalid',
    http,
    maxRetries: 2,
    sleep: async (ms) => void sleeps.push(ms),
    tokens: new TokenManager({
      appid: 'a',
      secret: 's',
      baseUrl: 'http://wx.invalid',
      http,
      endpoint: 'token',
      refreshBeforeExpirySeconds: 300,
      now: Date.now,
    }),
  });

test('a busy read is retried with back-off; a busy write is not', async () => {
  const sleeps: number[] = [];
  const busy = { errcode: -1, errmsg: 'system error rid: 00000000-00000000-00000000' };
  const readHttp = new ScriptedHttp([busy, busy, { count: 0, data: [] }]);
  assert.deepEqual(await senderOver(readHttp, sleeps).send('getAllDelivery', undefined), { count: 0, data: [] });
  assert.equal(sleeps.length, 2);

  const writeHttp = new ScriptedHttp([busy, { order_id: 'o' }]);
  await assert.rejects(senderOver(writeHttp, sleeps).send('cancelOrder', { order_id: 'o', delivery_id: 'TEST', waybill_id: 'w' }), {
    errcode: -1,
  });
  assert.equal(writeHttp.calls.length, 2); // token + one attempt
});
