/**
 * WeChat's API-management endpoints over real HTTP, on SQLite and on PostgreSQL
 * (a schema of this run's own, dropped at the end): getRidInfo, getApiQuota,
 * clearQuota, clearQuotaByAppSecret (api-management.md), the quota errors
 * 45009 / 45011 / 48006 on the clock (the day turns at midnight Beijing time),
 * the admin API and console view of limits, and the cloud call's rids through
 * the real wx-server-sdk.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ADMIN_PREFIX } from '../src/http/admin-routes.ts';
import { CONSOLE_API_PREFIX } from '../src/http/console-api.ts';
import { cli } from './support/server-process.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const PG_URL = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `wxl_apimgmt_${process.pid}_${randomBytes(3).toString('hex')}`;

const P = {
  rid: '/cgi-bin/openapi/rid/get',
  quota: '/cgi-bin/openapi/quota/get',
  clear: '/cgi-bin/clear_quota',
  clearV2: '/cgi-bin/clear_quota/v2',
} as const;

const BEIJING = 8 * 3600;
const ridOf = (errmsg: string): string => /rid: ([0-9a-f-]{26})$/.exec(errmsg)![1]!;
const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`API management on ${backend}`, { concurrency: false }, () => {
    let s: TestServer;
    let n = 0;
    before(async () => {
      s = await startTestServer(backend === 'postgres' ? { storeUrl: `${PG_URL}?schema=${SCHEMA}` } : {});
    });
    after(async () => {
      await s.close();
      if (backend === 'postgres') {
        const db = new pg.Client({ connectionString: PG_URL });
        await db.connect();
        await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
        await db.end();
      }
    });

    /** A fresh app of its own (counters start at 0) with a token. */
    async function newApp() {
      const appid = `wxapimgmt${backend.slice(0, 2)}${String(++n).padStart(7, '0')}`;
      const secret = `secret-${appid}`;
      await s.app.core.apps.create({ appid, secret });
      const token = await s.token(appid, secret);
      return { appid, secret, token, fresh: () => s.token(appid, secret) };
    }
    const post = async (path: string, token: string | undefined, body?: unknown, query = '') => {
      const qs = [token ? `access_token=${token}` : '', query].filter(Boolean).join('&');
      const res = await fetch(`${s.url}${path}${qs ? `?${qs}` : ''}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { text, json: JSON.parse(text) as Record<string, any>, headers: res.headers };
    };
    /** WxJava's form: the parameters in the query string, an empty body sent with a JSON content type. */
    const postWxJava = async (path: string, query: string) => {
      const res = await fetch(`${s.url}${path}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '',
      });
      return (await res.json()) as Record<string, any>;
    };
    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${s.url}${ADMIN_PREFIX}${path}`, {
        method,
        headers: { 'x-wxl-admin-key': s.app.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    const getAllDelivery = async (token: string) => {
      const res = await fetch(`${s.url}${PATHS.getAllDelivery}?access_token=${token}`);
      return { json: (await res.json()) as Record<string, any>, rid: res.headers.get('x-wxl-rid') };
    };
    const quotaOf = async (token: string, cgiPath: string) => (await post(P.quota, token, { cgi_path: cgiPath })).json;
    /** Moves the clock to `seconds` after the next midnight in Beijing. */
    const toNextBeijingMidnight = async (seconds: number) => {
      const now = Math.floor(s.clock.nowMs() / 1000);
      const midnight = (Math.floor((now + BEIJING) / 86400) + 1) * 86400 - BEIJING;
      await s.app.advanceClock(midnight + seconds - now);
    };

    test("getApiQuota answers the spec's fields and types, counting the calls of this app and path today", async () => {
      const a = await newApp();
      for (let i = 0; i < 3; i++) assert.equal((await getAllDelivery(a.token)).json.errcode, 0);
      const q = await quotaOf(a.token, PATHS.getAllDelivery);
      assert.deepEqual(q, {
        errcode: 0,
        errmsg: 'ok',
        quota: { daily_limit: 1_000_000, used: 3, remain: 999_997 },
        rate_limit: { call_count: 4_200_000, refresh_second: 60 },
        component_rate_limit: { call_count: 1_050_000, refresh_second: 60 },
      });
      const self = await quotaOf(a.token, P.quota);
      assert.equal(self.quota.used, 2, 'getApiQuota counts itself (this call included)');
      assert.equal((await quotaOf(a.token, '/cgi-bin/token')).quota.used, 1, 'the token the app fetched');
      assert.equal((await quotaOf(a.token, PATHS.getPath)).quota.daily_limit, 500_000, 'getPath without WeChat Pay');
      const stable = await quotaOf(a.token, '/cgi-bin/stable_token');
      assert.deepEqual([stable.quota.daily_limit, stable.rate_limit], [500_000, { call_count: 10_000, refresh_second: 60 }]);
      const other = await newApp();
      assert.equal((await quotaOf(other.token, PATHS.getAllDelivery)).quota.used, 0, 'counters are per app');
    });

    test('getApiQuota: unknown path 76021, carrier-side path 76022, wrong type 47001, WxJava empty body works', async () => {
      const a = await newApp();
      for (const cgi_path of ['/cgi-bin/nope', 'cgi-bin/express/business/order/get', 'https://api.weixin.qq.com/cgi-bin/token', '']) {
        const e = (await post(P.quota, a.token, { cgi_path })).json;
        assert.equal(e.errcode, 76021, cgi_path);
        assert.match(e.errmsg, /^cgi_path not found, please check rid: /);
      }
      assert.equal((await post(P.quota, a.token, {})).json.errcode, 76021, 'no cgi_path');
      const forbidden = (await post(P.quota, a.token, { cgi_path: '/cgi-bin/express/delivery/path/update' })).json;
      assert.equal(forbidden.errcode, 76022);
      assert.match(forbidden.errmsg, /^could not use this cgi_path,no permission rid: /);
      assert.equal((await post(P.quota, a.token, { cgi_path: 1 })).json.errcode, 47001);
      const wxjava = await postWxJava(P.quota, `access_token=${a.token}&cgi_path=${encodeURIComponent(PATHS.getOrder)}`);
      assert.equal(wxjava.errcode, 0, JSON.stringify(wxjava));
      assert.equal(wxjava.quota.daily_limit, 1_000_000);
      const noBody = await post(P.quota, a.token, undefined, `cgi_path=${PATHS.getOrder}`);
      assert.equal(noBody.json.errcode, 0, 'a POST without any body');
      assert.equal((await post(P.quota, undefined, { cgi_path: PATHS.getOrder })).json.errcode, 41001, 'still needs a token');
      assert.equal(
        ((await fetch(`${s.url}${P.quota}?access_token=${a.token}`).then((r) => r.json())) as { errcode: number }).errcode,
        43002,
      );
    });

    test("45009 once the day's calls are used up; the day turns at midnight Beijing time, not UTC", async () => {
      await toNextBeijingMidnight(10);
      const a = await newApp();
      const put = await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getAllDelivery, daily_limit: 3 });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      for (let i = 0; i < 3; i++) assert.equal((await getAllDelivery(a.token)).json.errcode, 0);
      const refused = (await getAllDelivery(a.token)).json;
      assert.equal(refused.errcode, 45009);
      assert.match(refused.errmsg, /^reach max api daily quota limit rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
      assert.deepEqual(
        (await quotaOf(a.token, PATHS.getAllDelivery)).quota,
        { daily_limit: 3, used: 3, remain: 0 },
        'refused calls are not counted',
      );
      assert.equal((await post(P.quota, a.token, { cgi_path: PATHS.getOrder })).json.errcode, 0, 'other paths are not limited');

      // 16:00 UTC is midnight in Beijing: 30 s before it the day is the same, 30 s after it a new one.
      await toNextBeijingMidnight(-30);
      assert.equal(new Date(s.clock.nowMs()).getUTCHours(), 15);
      let token = await a.fresh();
      assert.equal((await getAllDelivery(token)).json.errcode, 45009, 'still the same Beijing day');
      await s.app.advanceClock(60);
      token = await a.fresh();
      assert.equal((await getAllDelivery(token)).json.errcode, 0, 'a new day in Beijing');
      assert.deepEqual((await quotaOf(token, PATHS.getAllDelivery)).quota, { daily_limit: 3, used: 1, remain: 2 });
    });

    test('token endpoints: counted only when they answer a token, 45009 over their own limit', async () => {
      const a = await newApp(); // one token fetched
      const tokenUrl = (secret: string) => `${s.url}/cgi-bin/token?grant_type=client_credential&appid=${a.appid}&secret=${secret}`;
      assert.equal(((await (await fetch(tokenUrl('wrong'))).json()) as { errcode: number }).errcode, 40125);
      await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: '/cgi-bin/token', daily_limit: 2 });
      const second = (await (await fetch(tokenUrl(a.secret))).json()) as { access_token?: string };
      assert.ok(second.access_token, 'the wrong secret did not count');
      const third = (await (await fetch(tokenUrl(a.secret))).json()) as { errcode?: number; errmsg?: string };
      assert.equal(third.errcode, 45009);
      assert.match(third.errmsg!, /^reach max api daily quota limit rid: /);
      assert.deepEqual((await quotaOf(second.access_token, '/cgi-bin/token')).quota, { daily_limit: 2, used: 2, remain: 0 });
    });

    test('45011 when the per-period rate is exceeded; the next period admits calls again', async () => {
      const a = await newApp();
      await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getAllDelivery, rate_limit: { call_count: 2, refresh_second: 60 } });
      assert.deepEqual((await quotaOf(a.token, PATHS.getAllDelivery)).rate_limit, { call_count: 2, refresh_second: 60 });
      await s.app.advanceClock(60); // the start of a fresh period is not known: begin one after this move
      const token = await a.fresh();
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await getAllDelivery(token)).json);
      assert.deepEqual(
        codes.map((c) => c.errcode),
        [0, 0, 45011],
      );
      assert.match(codes[2]!.errmsg, /^api minute-quota reach limit, must slower, retry next minute rid: /);
      await s.app.advanceClock(60);
      assert.equal((await getAllDelivery(await a.fresh())).json.errcode, 0);
    });

    test("clearQuota resets the day's counters of the token's own app; 10 a calendar month, shared with v2 (48006)", async () => {
      // Start of a Beijing month plus a day, so that the 10 resets and the month turn below are unambiguous.
      const now = Math.floor(s.clock.nowMs() / 1000);
      const d = new Date((now + BEIJING) * 1000);
      const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 2) / 1000 - BEIJING;
      await s.app.advanceClock(nextMonth - now);
      const a = await newApp();
      await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getAllDelivery, daily_limit: 1 });
      assert.equal((await getAllDelivery(a.token)).json.errcode, 0);
      assert.equal((await getAllDelivery(a.token)).json.errcode, 45009);

      const other = await newApp();
      const wrong = (await post(P.clear, a.token, { appid: other.appid })).json;
      assert.equal(wrong.errcode, 40013, "another app's appid");
      assert.match(wrong.errmsg, /^invalid appid rid: /);
      assert.equal((await post(P.clear, a.token, {})).json.errcode, 41002);
      assert.equal((await post(P.clear, a.token, { appid: 5 })).json.errcode, 47001);

      // WxJava: ?access_token=…&appid=… with an empty body.
      assert.deepEqual(await postWxJava(P.clear, `access_token=${a.token}&appid=${a.appid}`), { errcode: 0, errmsg: 'ok' });
      assert.equal((await getAllDelivery(a.token)).json.errcode, 0, 'the day starts again after clear_quota');
      assert.equal((await quotaOf(a.token, PATHS.getAllDelivery)).quota.used, 1);

      for (let i = 2; i <= 10; i++) {
        const r =
          i % 2
            ? (await post(P.clear, a.token, { appid: a.appid })).json
            : (await post(P.clearV2, undefined, { appid: a.appid, appsecret: a.secret })).json;
        assert.deepEqual(r, { errcode: 0, errmsg: 'ok' }, `reset ${i}`);
      }
      const eleventh = (await post(P.clear, a.token, { appid: a.appid })).json;
      assert.equal(eleventh.errcode, 48006);
      assert.match(eleventh.errmsg, /^forbid to clear quota because of reaching the limit rid: /);
      assert.equal((await post(P.clearV2, undefined, { appid: a.appid, appsecret: a.secret })).json.errcode, 48006, 'v2 shares the 10');
      assert.deepEqual((await post(P.clear, other.token, { appid: other.appid })).json, { errcode: 0, errmsg: 'ok' }, 'per app');

      const view = await admin('GET', `/apps/${a.appid}/limits`);
      assert.equal(view.json.resets_this_month, 10);
      // The first of next month (Beijing): 10 more.
      const t = Math.floor(s.clock.nowMs() / 1000);
      const m = new Date((t + BEIJING) * 1000);
      await s.app.advanceClock(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1) / 1000 - BEIJING + 5 - t);
      assert.deepEqual((await post(P.clear, await a.fresh(), { appid: a.appid })).json, { errcode: 0, errmsg: 'ok' }, 'a new month');
    });

    test('clearQuotaByAppSecret: query string or JSON body, no token; 41002, 41004, 40013, 40125', async () => {
      const a = await newApp();
      assert.deepEqual(await postWxJava(P.clearV2, `appid=${a.appid}&appsecret=${a.secret}`), { errcode: 0, errmsg: 'ok' });
      assert.deepEqual((await post(P.clearV2, undefined, { appid: a.appid, appsecret: a.secret })).json, { errcode: 0, errmsg: 'ok' });
      assert.deepEqual(
        (await post(P.clearV2, undefined, undefined, `appid=${a.appid}&appsecret=${a.secret}`)).json,
        { errcode: 0, errmsg: 'ok' },
        'no body at all',
      );
      const cases: [unknown, string, number, RegExp][] = [
        [{}, '', 41002, /^appid missing rid: /],
        [{ appid: a.appid }, '', 41004, /^appsecret missing rid: /],
        [undefined, `appid=${a.appid}`, 41004, /^appsecret missing rid: /],
        [{ appid: 'wxnosuchapp0000000', appsecret: 'x' }, '', 40013, /^invalid appid rid: /],
        [{ appid: a.appid, appsecret: 'wrong' }, '', 40125, /^invalid appsecret rid: /],
        ['{"appid":', '', 47001, /^data format error rid: /],
      ];
      for (const [body, query, errcode, errmsg] of cases) {
        const r = (await post(P.clearV2, undefined, body, query)).json;
        assert.equal(r.errcode, errcode, JSON.stringify([body, query]));
        assert.match(r.errmsg, errmsg);
      }
      assert.equal((await admin('GET', `/apps/${a.appid}/limits`)).json.resets_this_month, 3, 'only the successful resets count');
    });

    test("getRidInfo finds an error answer by the rid in its errmsg, with the spec's fields", async () => {
      const a = await newApp();
      const body = '{"order_id":"no-such-order","delivery_id":"TEST"}';
      const failed = await post(PATHS.getOrder, a.token, body);
      assert.equal(failed.json.errcode, 930563);
      assert.equal(failed.headers.get('x-wxl-rid'), null, 'an error carries its rid in errmsg only');
      const rid = ridOf(failed.json.errmsg);
      const info = (await post(P.rid, a.token, { rid })).json;
      assert.deepEqual(Object.keys(info), ['errcode', 'errmsg', 'request']);
      assert.equal(info.errcode, 0);
      assert.equal(info.errmsg, 'ok');
      const r = info.request;
      assert.deepEqual(
        Object.keys(r).sort(),
        ['client_ip', 'cost_in_ms', 'invoke_time', 'request_body', 'request_url', 'response_body'].sort(),
      );
      assert.deepEqual(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonType(v)])), {
        invoke_time: 'number',
        cost_in_ms: 'number',
        request_url: 'string',
        request_body: 'string',
        response_body: 'string',
        client_ip: 'string',
      });
      assert.equal(r.invoke_time, parseInt(rid.slice(0, 8), 16), "the rid's first group");
      assert.ok(Math.abs(r.invoke_time - s.clock.nowMs() / 1000) < 5, 'clock time');
      assert.equal(r.request_url, `access_token=${a.token}`, 'the query string only, the token as sent');
      assert.equal(r.request_body, body);
      assert.equal(r.response_body, failed.text);
      assert.equal(r.client_ip, '127.0.0.1');
      assert.ok(Number.isInteger(r.cost_in_ms) && r.cost_in_ms >= 0);
      // The 45009 of the spec's example is itself findable.
      await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getQuota, daily_limit: 0 });
      const refused = await post(PATHS.getQuota, a.token, { delivery_id: 'YTO', biz_id: 'x' });
      assert.equal(refused.json.errcode, 45009);
      assert.equal((await post(P.rid, a.token, { rid: ridOf(refused.json.errmsg) })).json.request.response_body, refused.text);
    });

    test('getRidInfo finds success answers (rid in the x-wxl-rid header), token answers included, also once written to the store', async () => {
      const a = await newApp();
      const ok = await getAllDelivery(a.token);
      assert.equal(ok.json.errcode, 0);
      assert.match(ok.rid ?? '', /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
      assert.equal('rid' in ok.json, false, "the body stays WeChat's");
      const tokenRes = await fetch(`${s.url}/cgi-bin/token?grant_type=client_credential&appid=${a.appid}&secret=${a.secret}`);
      const tokenText = await tokenRes.text();
      const tokenRid = tokenRes.headers.get('x-wxl-rid')!;
      const stable = await fetch(`${s.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: a.appid, secret: 'wrong' }),
      });
      const stableText = await stable.text();
      const token = (JSON.parse(tokenText) as { access_token: string }).access_token;
      await new Promise((r) => setTimeout(r, 600)); // past a flush: now read from the store
      const info = (await post(P.rid, token, { rid: ok.rid })).json;
      assert.equal(info.errcode, 0, JSON.stringify(info));
      assert.equal(info.request.request_body, '', 'GET: empty string');
      assert.equal(info.request.request_url, `access_token=${a.token}`);
      assert.equal(JSON.parse(info.request.response_body).errcode, 0);
      assert.equal(JSON.parse(info.request.response_body).count, ok.json.count);
      const t = (await post(P.rid, token, { rid: tokenRid })).json.request;
      assert.equal(t.response_body, tokenText);
      assert.equal(t.request_url, `grant_type=client_credential&appid=${a.appid}&secret=${a.secret}`);
      const st = (await post(P.rid, token, { rid: ridOf(JSON.parse(stableText).errmsg) })).json;
      assert.equal(st.request.response_body, stableText, 'an error of the token endpoint, attributed to the appid it names');
      assert.equal(st.request.request_url, '');
    });

    test("getRidInfo: 76002 malformed, 76001 unknown, 76003 another app's, 76001 after 7 days of clock time", async () => {
      const a = await newApp();
      const b = await newApp();
      for (const rid of ['', 'xyz', '61725984-6126f6f9', '61725984-6126f6f9-040f19c4-1', '6172598g-6126f6f9-040f19c4']) {
        const e = (await post(P.rid, a.token, { rid })).json;
        assert.equal(e.errcode, 76002, rid);
        assert.match(e.errmsg, /^rid is error rid: /);
      }
      assert.equal((await post(P.rid, a.token, {})).json.errcode, 76002, 'no rid');
      assert.equal((await post(P.rid, a.token, { rid: 1 })).json.errcode, 47001);
      assert.equal((await post(P.rid, a.token, '')).json.errcode, 44002);
      const unknown = (await post(P.rid, a.token, { rid: '61725984-6126f6f9-040f19c4' })).json;
      assert.equal(unknown.errcode, 76001);
      assert.match(unknown.errmsg, /^rid not found rid: /);

      const failed = await post(PATHS.getOrder, a.token, { order_id: 'x', delivery_id: 'TEST' });
      const rid = ridOf(failed.json.errmsg);
      const foreign = (await post(P.rid, b.token, { rid })).json;
      assert.equal(foreign.errcode, 76003);
      assert.match(foreign.errmsg, /^could not query this rid,no permission rid: /);
      assert.equal((await post(P.rid, a.token, { rid: rid.toUpperCase() })).json.errcode, 0, 'case does not matter');

      await s.app.advanceClock(7 * 86400 - 60);
      assert.equal((await post(P.rid, await a.fresh(), { rid })).json.errcode, 0, 'still there just before 7 days');
      await s.app.advanceClock(120);
      assert.equal((await post(P.rid, await a.fresh(), { rid })).json.errcode, 76001, 'gone after 7 days');
    });

    test("admin API: limits are validated, listed with today's use, removed; the console shows today's use per API", async () => {
      const a = await newApp();
      assert.equal((await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: '/nope', daily_limit: 1 })).status, 400);
      assert.equal((await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getOrder, daily_limit: -1 })).status, 400);
      assert.equal(
        (await admin('PUT', `/apps/${a.appid}/limits`, { cgi_path: PATHS.getOrder, rate_limit: { refresh_second: 0 } })).status,
        400,
      );
      assert.equal((await admin('PUT', '/apps/wxnosuchapp/limits', { cgi_path: PATHS.getOrder, daily_limit: 1 })).status, 404);
      const put = await admin('PUT', `/apps/${a.appid}/limits`, {
        limits: [
          { cgi_path: '*', daily_limit: 7 },
          { cgi_path: PATHS.getOrder, daily_limit: 9, rate_limit: { call_count: 5 } },
        ],
      });
      assert.equal(put.status, 200);
      assert.deepEqual(
        put.json.limits.map((l: any) => [l.cgi_path, l.daily_limit, l.call_count, l.refresh_second]),
        [
          ['*', 7, null, null],
          [PATHS.getOrder, 9, 5, null],
        ],
      );
      const byPath = new Map(put.json.usage.map((u: any) => [u.cgi_path, u]));
      assert.equal((byPath.get(PATHS.getOrder) as any).daily_limit, 9);
      assert.deepEqual((byPath.get(PATHS.getOrder) as any).rate_limit, { call_count: 5, refresh_second: 60 });
      assert.equal((byPath.get(PATHS.addOrder) as any).daily_limit, 7, '* applies to every other path');
      assert.equal((await quotaOf(a.token, PATHS.addOrder)).quota.daily_limit, 7);
      await getAllDelivery(a.token);

      const consoleApps = (await (await fetch(`${s.url}${CONSOLE_API_PREFIX}/apps`)).json()) as { apps: any[] };
      const mine = consoleApps.apps.find((x) => x.appid === a.appid);
      const shown = new Map(mine.api_quota.paths.map((u: any) => [u.cgi_path, u]));
      assert.equal((shown.get(PATHS.getAllDelivery) as any).used, 1);
      assert.equal((shown.get(PATHS.getOrder) as any).overridden, true);
      assert.equal(mine.api_quota.all_paths_override, true);

      const del = await admin('DELETE', `/apps/${a.appid}/limits?cgi_path=${encodeURIComponent('*')}`);
      assert.equal(del.status, 200);
      assert.equal((await quotaOf(a.token, PATHS.addOrder)).quota.daily_limit, 1_000_000);
      assert.equal((await admin('DELETE', `/apps/${a.appid}/limits?cgi_path=${encodeURIComponent('*')}`)).status, 404);
    });

    test('cloud call: wx-server-sdk answers, failed and successful, are found by their rids', async () => {
      const a = await newApp();
      const keys = await s.app.core.cloud.enable(a.appid, ['rid-env']);
      await s.post(PATHS.addOrder, testOrder('cloud-rid-1'), a.token);
      const dir = mkdtempSync(join(tmpdir(), 'wxl-rid-'));
      try {
        const ridFile = join(dir, 'rids');
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [
            runner,
            fn('getOrder'),
            JSON.stringify([
              { openid: 'oABC123456', orderId: 'cloud-rid-1', deliveryId: 'TEST' },
              { openid: 'oABC123456', orderId: 'no-such-order', deliveryId: 'TEST' },
            ]),
          ],
          {
            env: {
              PATH: process.env.PATH ?? '',
              NODE_OPTIONS: `--require ${captureHeaders}`,
              WXL_RID_FILE: ridFile,
              TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${s.url}/admin` }),
              TENCENTCLOUD_SECRETID: keys.secretId,
              TENCENTCLOUD_SECRETKEY: keys.secretKey,
              SCF_NAMESPACE: 'rid-env',
            },
            timeout: 30_000,
          },
        );
        const [ok, missing] = JSON.parse(stdout) as { result?: Record<string, any>; thrown?: { errCode: number; errMsg: string } }[];
        assert.equal(ok!.result!.errCode, 0);
        assert.equal(missing!.thrown!.errCode, 930563);
        const failedRid = ridOf(missing!.thrown!.errMsg);
        const f = (await post(P.rid, a.token, { rid: failedRid })).json;
        assert.equal(f.errcode, 0, JSON.stringify(f));
        assert.equal(JSON.parse(f.request.response_body).errcode, 930563);
        assert.deepEqual(JSON.parse(f.request.request_body), { openid: 'oABC123456', order_id: 'no-such-order', delivery_id: 'TEST' });
        const [successRid] = readFileSync(ridFile, 'utf8').trim().split('\n');
        const g = (await post(P.rid, a.token, { rid: successRid })).json;
        assert.equal(g.errcode, 0, JSON.stringify(g));
        const answer = JSON.parse(g.request.response_body);
        assert.equal(answer.errcode, 0);
        assert.equal(answer.print_html, ok!.result!.printHtml);
        assert.equal((await quotaOf(a.token, PATHS.getOrder)).quota.used, 2, "cloud calls count on their API's path");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const fn = (name: string) => fileURLToPath(new URL(`./fixtures/cloud-functions/${name}/index.js`, import.meta.url));
const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));
const captureHeaders = fileURLToPath(new URL('./support/capture-rid-header.cjs', import.meta.url));

describe('wxlogistics app limits (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-limits-cli-'));
  const pgStore = `${PG_URL}?schema=${SCHEMA}_cli`;
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}_cli" CASCADE`);
    await db.end();
  });
  for (const [name, where] of [
    ['--data', ['--data', dir]],
    ['--store', ['--store', pgStore]],
  ] as const) {
    test(`sets, shows and removes a limit on ${name}`, async () => {
      const appid = 'wxlimitscli0000001';
      await cli(['app', 'create', ...where, '--appid', appid, '--secret', 's3cret']);
      const set = JSON.parse(
        await cli([
          'app',
          'limits',
          ...where,
          '--appid',
          appid,
          '--cgi-path',
          PATHS.getOrder,
          '--daily-limit',
          '5',
          '--rate-count',
          '2',
          '--rate-seconds',
          '10',
          '--json',
        ]),
      ) as Record<string, any>;
      assert.deepEqual(
        set.limits.map((l: any) => [l.cgi_path, l.daily_limit, l.call_count, l.refresh_second]),
        [[PATHS.getOrder, 5, 2, 10]],
      );
      const usage = set.usage.find((u: any) => u.cgi_path === PATHS.getOrder);
      assert.deepEqual([usage.daily_limit, usage.used, usage.rate_limit], [5, 0, { call_count: 2, refresh_second: 10 }]);
      const removed = JSON.parse(
        await cli(['app', 'limits', ...where, '--appid', appid, '--cgi-path', PATHS.getOrder, '--remove', '--json']),
      ) as Record<string, any>;
      assert.deepEqual(removed.limits, []);
      await assert.rejects(
        cli(['app', 'limits', ...where, '--appid', appid, '--cgi-path', '/nope', '--daily-limit', '1']),
        /not an API with a call quota/,
      );
    });
  }
});
