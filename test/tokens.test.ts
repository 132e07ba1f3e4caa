/** House rule 12: /cgi-bin/token and /cgi-bin/stable_token. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { shanghaiDay } from '../src/core/tokens.ts';
import { PATHS, startTestServer, type TestServer } from './support/test-server.ts';

let s: TestServer;
beforeEach(async () => {
  s = await startTestServer();
});
afterEach(() => s.close());

const getToken = async (query: string) => (await (await fetch(`${s.url}/cgi-bin/token?${query}`)).json()) as Record<string, any>;
const stable = async (body: Record<string, unknown>) =>
  (await (await fetch(`${s.url}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, any>;
const works = async (token: string) => (await s.get(PATHS.getAllDelivery, token)).json.errcode as number;
const creds = () => ({ grant_type: 'client_credential', appid: s.appid, secret: s.secret });

describe('/cgi-bin/token', () => {
  test('errors: 40002 grant_type, 41002 appid missing, 41004 secret missing, 40013 unknown appid, 40125 wrong secret', async () => {
    const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
    assert.equal((await getToken(q({ appid: s.appid, secret: s.secret }))).errcode, 40002);
    assert.equal((await getToken(q({ grant_type: 'password', appid: s.appid, secret: s.secret }))).errcode, 40002);
    assert.equal((await getToken(q({ grant_type: 'client_credential', secret: s.secret }))).errcode, 41002);
    assert.equal((await getToken(q({ grant_type: 'client_credential', appid: s.appid }))).errcode, 41004);
    const unknown = await getToken(q({ grant_type: 'client_credential', appid: 'wxffffffffffffffff', secret: 'x' }));
    assert.equal(unknown.errcode, 40013);
    assert.match(unknown.errmsg, /^invalid appid rid: /);
    const wrong = await getToken(q({ grant_type: 'client_credential', appid: s.appid, secret: 'nope' }));
    assert.equal(wrong.errcode, 40125);
    assert.match(wrong.errmsg, /^invalid appsecret rid: /);
  });

  test('a secret is compared byte for byte: trailing NULs, a prefix or an extra byte give 40125', async () => {
    const q = (secret: string) => `grant_type=client_credential&appid=${s.appid}&secret=${encodeURIComponent(secret)}`;
    for (const secret of [`${s.secret}\u0000`, `${s.secret}\u0000\u0000`, s.secret.slice(0, -1), `${s.secret}0`, `${s.secret} `]) {
      assert.equal((await getToken(q(secret))).errcode, 40125, JSON.stringify(secret));
      assert.equal((await stable({ ...creds(), secret })).errcode, 40125, JSON.stringify(secret));
    }
    assert.ok((await getToken(q(s.secret))).access_token, 'the exact secret still works');
  });

  test("tokens look like WeChat's and are random", async () => {
    const a = await s.token();
    const b = await s.token();
    for (const t of [a, b]) {
      assert.match(t, /^\d+_[A-Za-z0-9_-]+$/);
      assert.ok(t.length >= 136 && t.length <= 157, `length ${t.length}`);
    }
    assert.notEqual(a, b);
  });

  test('a new token is issued each call; the previous keeps working 5 minutes, older ones stop', async () => {
    const t1 = await s.token();
    const answer = await getToken(new URLSearchParams(creds()).toString());
    assert.equal(answer.expires_in, 7200);
    const t2 = answer.access_token as string;
    assert.equal(await works(t1), 0, 'previous token still works');
    assert.equal(await works(t2), 0);
    const t3 = await s.token();
    assert.equal(await works(t1), 40001, 'two generations back: dead at once');
    assert.equal(await works(t2), 0);
    // 298 s of clock, plus the real time the calls take: a second boundary may pass on the way.
    s.clock.advance(298_000);
    assert.equal(await works(t2), 0);
    s.clock.advance(3_000);
    assert.equal(await works(t2), 40001, 'superseded more than 5 minutes ago');
    assert.equal(await works(t3), 0);
    s.clock.advance(7200_000);
    assert.equal(await works(t3), 42001, 'expired');
  });
});

describe('/cgi-bin/stable_token', () => {
  test('returns the current token unchanged while it has 5 minutes or more left, then rotates with overlap', async () => {
    const a = await stable(creds());
    assert.deepEqual(Object.keys(a), ['access_token', 'expires_in']);
    assert.equal(a.expires_in, 7200);
    s.clock.advance(1000_000);
    const b = await stable({ ...creds(), force_refresh: false });
    assert.equal(b.access_token, a.access_token);
    // 1,000 s of clock later, plus the real time the calls took (a second boundary may pass).
    assert.ok(b.expires_in === 6200 || b.expires_in === 6199, `expires_in ${b.expires_in}`);
    s.clock.advance((6200 - 299) * 1000);
    const c = await stable(creds());
    assert.notEqual(c.access_token, a.access_token, 'less than 5 minutes left: rotated');
    assert.equal(c.expires_in, 7200);
    assert.equal(await works(a.access_token), 0, 'old one works until its own expiry');
    s.clock.advance(300_000);
    assert.notEqual(await works(a.access_token), 0);
    assert.equal(await works(c.access_token), 0);
  });

  test('is separate from /cgi-bin/token: neither invalidates the other', async () => {
    const st = (await stable(creds())).access_token as string;
    await s.token();
    await s.token();
    await s.token();
    assert.equal(await works(st), 0);
    assert.equal((await stable(creds())).access_token, st);
  });

  test('force_refresh: a new token; within 30 s no refresh; two forced calls kill a leaked token; 20 a day', async () => {
    // The calls below move the clock ~10 minutes; the daily count starts again at midnight in
    // Shanghai (16:00 UTC), so a run begun just before it would count over two days: start after it.
    const seconds = () => Math.floor(s.clock.nowMs() / 1000);
    if (shanghaiDay(seconds() + 15 * 60) !== shanghaiDay(seconds())) s.clock.advance(16 * 60_000);
    const leaked = (await stable(creds())).access_token as string;
    const f1 = (await stable({ ...creds(), force_refresh: true })).access_token as string;
    assert.notEqual(f1, leaked);
    assert.equal(await works(leaked), 0, 'the previous one overlaps');
    s.clock.advance(10_000);
    const soon = (await stable({ ...creds(), force_refresh: true })).access_token as string;
    assert.equal(soon, f1, 'less than 30 s apart: no refresh');
    s.clock.advance(30_000);
    const f2 = (await stable({ ...creds(), force_refresh: true })).access_token as string;
    assert.notEqual(f2, f1);
    assert.equal(await works(leaked), 40001, 'two forced calls 30 s apart kill the leaked token');
    assert.equal(await works(f1), 0);
    // 3 forced calls so far today; 17 more are allowed, the 21st is refused.
    for (let i = 0; i < 17; i++) {
      s.clock.advance(31_000);
      assert.ok((await stable({ ...creds(), force_refresh: true })).access_token, `call ${i + 4}`);
    }
    s.clock.advance(31_000);
    const refused = await stable({ ...creds(), force_refresh: true });
    assert.equal(refused.errcode, 45009);
    assert.match(refused.errmsg, /^reach max api daily quota limit rid: /);
    assert.ok((await stable(creds())).access_token, 'normal calls still work');
  });

  test('errors and bad bodies', async () => {
    assert.equal((await stable({ ...creds(), grant_type: 'x' })).errcode, 40002);
    assert.equal((await stable({ ...creds(), appid: undefined })).errcode, 41002);
    assert.equal((await stable({ ...creds(), secret: undefined })).errcode, 41004);
    assert.equal((await stable({ ...creds(), appid: 'wxffffffffffffffff' })).errcode, 40013);
    assert.equal((await stable({ ...creds(), secret: 'nope' })).errcode, 40125);
    assert.equal((await stable({ ...creds(), force_refresh: 'true' })).errcode, 47001);
    const empty = (await (await fetch(`${s.url}/cgi-bin/stable_token`, { method: 'POST' })).json()) as { errcode: number };
    assert.equal(empty.errcode, 44002);
  });
});
