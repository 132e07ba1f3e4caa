import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { WxApiError } from '../../src/client/index.ts';
import { isTokenRequest, startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
beforeEach(() => {
  h.received.length = 0;
});
after(() => h.close());

const tokenRequests = () => h.received.filter(isTokenRequest).length;

test('100 concurrent calls share one token request', async () => {
  const client = h.client();
  const answers = await Promise.all(Array.from({ length: 100 }, () => client.getAllDelivery()));
  assert.equal(answers.length, 100);
  for (const a of answers) assert.ok(a.count > 0);
  assert.equal(tokenRequests(), 1);
  assert.equal(h.received.length, 101);
});

test('a superseded token (40001) is refreshed once and the call retried', async () => {
  const client = h.client();
  const first = await client.getAccessToken();
  // Another process fetches twice: our cached token is superseded, then the overlap runs out.
  const other = h.client();
  await other.getAllDelivery();
  await other.getAllDelivery(); // cached: still one fetch
  const direct = `${h.baseUrl}/cgi-bin/token?grant_type=client_credential&appid=${h.appid}&secret=${h.secret}`;
  await fetch(direct);
  await fetch(direct);
  h.clock.advance(301_000);
  h.received.length = 0;

  // 50 concurrent calls all hit 40001 with the old token: one refresh, all retried.
  const answers = await Promise.all(Array.from({ length: 50 }, () => client.getAllDelivery()));
  assert.equal(answers.length, 50);
  assert.equal(tokenRequests(), 1);
  assert.equal(h.received.length, 50 + 1 + 50);
  assert.notEqual(await client.getAccessToken(), first);
});

test('42001 (expired) is refreshed and retried too', async () => {
  const client = h.client();
  await client.getAllDelivery();
  h.clock.advance(7_201_000); // server-side expiry; the client's own clock still says fresh
  h.received.length = 0;
  await client.getAllDelivery();
  assert.deepEqual(
    h.received.map((r) => r.url.split('?')[0]),
    ['/cgi-bin/express/business/delivery/getall', '/cgi-bin/token', '/cgi-bin/express/business/delivery/getall'],
  );
});

test('the token is refreshed before it expires, by the client clock', async () => {
  let nowMs = 1_000_000;
  const client = h.client({ now: () => nowMs });
  const first = await client.getAccessToken();
  nowMs += (7200 - 301) * 1000;
  assert.equal(await client.getAccessToken(), first);
  nowMs += 2000; // inside the last 300 s
  assert.notEqual(await client.getAccessToken(), first);
  assert.equal(tokenRequests(), 2);
});

test('tokenEndpoint "stable" uses POST /cgi-bin/stable_token', async () => {
  const client = h.client({ tokenEndpoint: 'stable' });
  await Promise.all([client.getAllAccount(), client.getAllDelivery()]);
  assert.deepEqual(
    h.received.filter(isTokenRequest).map((r) => `${r.method} ${r.url}`),
    ['POST /cgi-bin/stable_token'],
  );
});

test('a wrong secret rejects with the token endpoint error, and the next call tries again', async () => {
  const client = h.client({ secret: 'wrong' });
  await assert.rejects(client.getAllDelivery(), (e: unknown) => e instanceof WxApiError && e.errcode === 40125);
  await assert.rejects(client.getAllDelivery(), (e: unknown) => e instanceof WxApiError && e.errcode === 40125);
  assert.equal(tokenRequests(), 2);
});
