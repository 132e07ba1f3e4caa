/**
 * Fault injection on the HTTPS path: every effect of a rule (errcode, delay,
 * reset, hang), how often it fires (times, seeded probability), what it
 * matches (api, '*', appid, order_id, delivery_id), that a faulted write
 * changes nothing, and the admin API round trip. Real server on loopback.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { seededRandom } from '../src/faults/seeded-random.ts';
import { PATHS, RID, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
// One token for the whole file: every /cgi-bin/token call retires the token two generations back.
let defaultToken: string;
before(async () => {
  s = await startTestServer();
  defaultToken = await s.token();
});
const post = (path: string, body: unknown, token = defaultToken) => s.post(path, body, token);
const get = (path: string, token = defaultToken) => s.get(path, token);
after(() => s.close());
afterEach(() => s.app.faults.clear());

const getOrder = (orderId: string, token = defaultToken) => post(PATHS.getOrder, { order_id: orderId, delivery_id: 'TEST' }, token);

/** The error fetch rejects with, and its cause's code. */
async function failure(p: Promise<unknown>): Promise<{ name: string; code: string | undefined }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; cause?: { code?: string } };
    return { name: e.name, code: e.cause?.code };
  }
  assert.fail('the call was answered');
}

describe('errcode rules', () => {
  test('answer the errcode with the table errmsg and a fresh rid, then stop after times', async () => {
    await post(PATHS.addOrder, testOrder('e-1'));
    s.app.faults.add({ api: 'getOrder', errcode: 45009, times: 2 });
    const first = await getOrder('e-1');
    const second = await getOrder('e-1');
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.json), ['errcode', 'errmsg']);
    assert.equal(first.json.errcode, 45009);
    assert.match(first.json.errmsg, /^reach max api daily quota limit rid: /);
    assert.match(first.json.errmsg, RID);
    assert.notEqual(first.json.errmsg, second.json.errmsg, 'each answer has its own rid');
    assert.equal((await getOrder('e-1')).json.errcode, 0, 'the third call runs normally');
    const [rule] = s.app.faults.list();
    assert.equal(rule?.hits, 2);
    assert.equal(rule?.remaining, 0);
  });

  test('a custom errmsg and an errcode outside the table', async () => {
    s.app.faults.add({ api: 'getAllDelivery', errcode: -1, errmsg: 'system busy, try later' });
    s.app.faults.add({ api: 'getAllAccount', errcode: 61450, errmsg: 'system error (custom)' });
    const a = await get(PATHS.getAllDelivery);
    assert.equal(a.json.errcode, -1);
    assert.match(a.json.errmsg, /^system busy, try later rid: [0-9a-f-]{26}$/);
    const b = await get(PATHS.getAllAccount);
    assert.deepEqual([b.json.errcode, b.json.errmsg.replace(RID, '')], [61450, 'system error (custom)']);
  });

  test('9300501 on addOrder carries delivery_resultcode, delivery_resultmsg and waybill_data: [], and writes nothing', async () => {
    s.app.faults.add({ api: 'addOrder', errcode: 9300501, delivery_resultcode: 10002, delivery_resultmsg: '客户密码不正确', times: 1 });
    const failed = await post(PATHS.addOrder, testOrder('f-1'));
    assert.deepEqual(
      { ...failed.json, errmsg: failed.json.errmsg.replace(RID, '') },
      {
        errcode: 9300501,
        errmsg: 'delivery logic fail',
        delivery_resultcode: 10002,
        delivery_resultmsg: '客户密码不正确',
        waybill_data: [],
      },
    );
    assert.equal((await getOrder('f-1')).json.errcode, 930563, 'no order was created');
    // The same order_id afterwards creates normally (not 9300522: the faulted call left no trace).
    const retried = await post(PATHS.addOrder, testOrder('f-1'));
    assert.equal(retried.json.errcode, 0);
    assert.match(retried.json.waybill_id, /^\d+$|^[A-Z0-9]+$/);
    assert.equal((await getOrder('f-1')).json.waybill_id, retried.json.waybill_id);
  });

  test('9300501 without carrier fields gets the defaults; cancelOrder gets no waybill_data', async () => {
    await post(PATHS.addOrder, testOrder('f-2'));
    s.app.faults.add({ api: 'cancelOrder', errcode: 9300501 });
    const answer = await post(PATHS.cancelOrder, {
      order_id: 'f-2',
      delivery_id: 'TEST',
      waybill_id: (await getOrder('f-2')).json.waybill_id,
      openid: 'oABC123456',
    });
    assert.equal(answer.json.errcode, 9300501);
    assert.equal(answer.json.delivery_resultcode, -1);
    assert.equal(answer.json.delivery_resultmsg, 'fault injected');
    assert.equal('waybill_data' in answer.json, false);
    s.app.faults.clear();
    assert.equal((await getOrder('f-2')).json.order_status, 0, 'not cancelled');
  });

  test('requests that fail the house-rule checks keep their own errcode (faults apply to valid calls)', async () => {
    s.app.faults.add({ api: 'getOrder', errcode: -1 });
    assert.equal((await post(PATHS.getOrder, '{"order_id": 1}')).json.errcode, 47001);
    assert.equal((await post(PATHS.getOrder, { order_id: 'x', delivery_id: 'TEST' }, 'bad-token')).json.errcode, 40001);
  });
});

describe('delay_ms', () => {
  test('alone, delays a normal answer', async () => {
    await post(PATHS.addOrder, testOrder('d-1'));
    s.app.faults.add({ api: 'getOrder', delay_ms: 300 });
    const started = Date.now();
    const answer = await getOrder('d-1');
    assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
    assert.equal(answer.json.errcode, 0);
    assert.equal(answer.json.order_id, 'd-1');
  });

  test('with errcode, delays the error', async () => {
    s.app.faults.add({ api: 'getPath', errcode: -1, delay_ms: 250 });
    const started = Date.now();
    const answer = await post(PATHS.getPath, { order_id: 'd-x', delivery_id: 'TEST' });
    assert.ok(Date.now() - started >= 240);
    assert.equal(answer.json.errcode, -1);
  });

  test('on addOrder, the order is created even when the client gives up first; the retry is idempotent', async () => {
    s.app.faults.add({ api: 'addOrder', delay_ms: 1500, times: 1 });
    const token = defaultToken;
    const gaveUp = await failure(
      fetch(`${s.url}${PATHS.addOrder}?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify(testOrder('d-2')),
        signal: AbortSignal.timeout(300),
      }),
    );
    assert.equal(gaveUp.name, 'TimeoutError');
    const retried = await post(PATHS.addOrder, testOrder('d-2'), token);
    assert.equal(retried.json.errcode, 0);
    assert.equal((await getOrder('d-2', token)).json.waybill_id, retried.json.waybill_id);
  });
});

describe('connection rules', () => {
  test('reset: the client sees ECONNRESET and nothing is written', async () => {
    s.app.faults.add({ api: 'addOrder', connection: 'reset', times: 1 });
    const token = defaultToken;
    const reset = await failure(
      fetch(`${s.url}${PATHS.addOrder}?access_token=${token}`, { method: 'POST', body: JSON.stringify(testOrder('r-1')) }),
    );
    assert.equal(reset.code, 'ECONNRESET');
    assert.equal((await getOrder('r-1', token)).json.errcode, 930563);
    assert.equal((await post(PATHS.addOrder, testOrder('r-1'), token)).json.errcode, 0);
    assert.equal(s.app.faults.list()[0]?.hits, 1);
  });

  test('reset after delay_ms', async () => {
    s.app.faults.add({ api: 'getAllDelivery', connection: 'reset', delay_ms: 200 });
    const started = Date.now();
    const token = defaultToken;
    assert.equal((await failure(fetch(`${s.url}${PATHS.getAllDelivery}?access_token=${token}`))).code, 'ECONNRESET');
    assert.ok(Date.now() - started >= 190);
  });

  test('hang: no answer until the client gives up; nothing is written', async () => {
    s.app.faults.add({ api: 'addOrder', connection: 'hang' });
    const token = defaultToken;
    const started = Date.now();
    const hung = await failure(
      fetch(`${s.url}${PATHS.addOrder}?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify(testOrder('h-1')),
        signal: AbortSignal.timeout(400),
      }),
    );
    assert.equal(hung.name, 'TimeoutError');
    assert.ok(Date.now() - started >= 390);
    s.app.faults.clear();
    assert.equal((await getOrder('h-1', token)).json.errcode, 930563);
  });

  test('hang: closing the server destroys the hung connection instead of waiting for it', async () => {
    const own = await startTestServer();
    own.app.faults.add({ api: 'getAllDelivery', connection: 'hang' });
    const token = await own.token();
    const ended = new Promise<string>((resolve) => {
      const req = http.get(`${own.url}${PATHS.getAllDelivery}?access_token=${token}`, (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await own.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.equal(await ended, 'ECONNRESET');
  });
});

describe('matching', () => {
  test("'*' matches every business API, not the token endpoints; named token rules do", async () => {
    s.app.faults.add({ api: '*', errcode: -1 });
    assert.equal((await get(PATHS.getAllDelivery)).json.errcode, -1);
    assert.equal((await post(PATHS.getQuota, { delivery_id: 'YTO', biz_id: 'x' })).json.errcode, -1);
    const token = defaultToken; // still issued
    assert.equal((await get(PATHS.getAllAccount, token)).json.errcode, -1);
    s.app.faults.clear();
    s.app.faults.add({ api: 'getAccessToken', errcode: -1, times: 1 });
    s.app.faults.add({ api: 'getStableAccessToken', errcode: 45009, times: 1 });
    const q = new URLSearchParams({ grant_type: 'client_credential', appid: s.appid, secret: s.secret });
    const t = (await (await fetch(`${s.url}/cgi-bin/token?${q}`)).json()) as Record<string, any>;
    assert.equal(t.errcode, -1);
    assert.match(t.errmsg, /^system error rid: /);
    const st = (await (
      await fetch(`${s.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: s.appid, secret: s.secret }),
      })
    ).json()) as Record<string, any>;
    assert.equal(st.errcode, 45009);
    assert.equal(typeof ((await (await fetch(`${s.url}/cgi-bin/token?${q}`)).json()) as Record<string, any>).access_token, 'string');
  });

  test('appid, order_id and delivery_id narrow a rule', async () => {
    const other = await s.app.core.apps.create({ appid: 'wx00000000000000c3', secret: 'other-secret' });
    const otherToken = await s.token(other.appid, other.secret);
    await post(PATHS.addOrder, testOrder('m-1'));
    await post(PATHS.addOrder, testOrder('m-2'));
    await post(PATHS.addOrder, testOrder('m-1'), otherToken);
    s.app.faults.add({ api: 'getOrder', appid: s.appid, order_id: 'm-1', errcode: 930563, errmsg: 'order not exists' });
    assert.equal((await getOrder('m-1')).json.errcode, 930563);
    assert.equal((await getOrder('m-2')).json.errcode, 0, 'another order');
    assert.equal((await getOrder('m-1', otherToken)).json.errcode, 0, 'another app');
    s.app.faults.clear();
    s.app.faults.add({ api: 'getOrder', delivery_id: 'SF', errcode: -1 });
    assert.equal((await getOrder('m-1')).json.errcode, 0, 'another carrier');
    assert.equal((await post(PATHS.getOrder, { order_id: 'm-1', delivery_id: 'SF' })).json.errcode, -1);
  });

  test('probability with a seed fires on the calls the seed predicts, and again after re-adding it', async () => {
    const predicted = (() => {
      const draw = seededRandom('flaky-getall');
      return Array.from({ length: 12 }, () => (draw() < 0.4 ? -1 : 0));
    })();
    assert.ok(predicted.includes(-1) && predicted.includes(0), 'the seed gives a mix');
    const observe = async () => {
      s.app.faults.clear();
      s.app.faults.add({ api: 'getAllDelivery', errcode: -1, probability: 0.4, seed: 'flaky-getall' });
      const seen: number[] = [];
      for (let i = 0; i < 12; i++) seen.push((await get(PATHS.getAllDelivery)).json.errcode as number);
      return seen;
    };
    assert.deepEqual(await observe(), predicted);
    assert.deepEqual(await observe(), predicted);
    const [rule] = s.app.faults.list();
    assert.equal(rule?.matched, 12);
    assert.equal(rule?.hits, predicted.filter((c) => c === -1).length);
  });
});

describe('admin API /_wxl/api/faults', () => {
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${s.url}/_wxl/api/faults${path}`, {
      ...init,
      headers: { 'x-wxl-admin-key': s.app.adminKey, 'content-type': 'application/json', ...init.headers },
    });

  test('POST adds (answering the stored rule), GET lists with hits, DELETE removes one or all', async () => {
    const created = await admin('', { method: 'POST', body: JSON.stringify({ api: 'getAllDelivery', errcode: -1, times: 3 }) });
    assert.equal(created.status, 201);
    const rule = (await created.json()) as Record<string, any>;
    assert.deepEqual(
      { ...rule, created_at: 0 },
      { id: rule.id, api: 'getAllDelivery', errcode: -1, times: 3, hits: 0, matched: 0, remaining: 3, created_at: 0 },
    );
    assert.equal((await get(PATHS.getAllDelivery)).json.errcode, -1);
    const listed = (await (await admin('')).json()) as { faults: Record<string, any>[] };
    assert.deepEqual(
      listed.faults.map((f) => [f.id, f.hits, f.remaining]),
      [[rule.id, 1, 2]],
    );
    assert.equal(((await (await admin(`/${rule.id}`)).json()) as Record<string, any>).hits, 1);
    assert.deepEqual(await (await admin(`/${rule.id}`, { method: 'DELETE' })).json(), { removed: rule.id });
    assert.equal((await admin(`/${rule.id}`, { method: 'DELETE' })).status, 404);
    await admin('', { method: 'POST', body: JSON.stringify({ api: 'push', push: 'drop' }) });
    await admin('', { method: 'POST', body: JSON.stringify({ api: '*', delay_ms: 1 }) });
    assert.deepEqual(
      await (await fetch(`${s.url}/_wxl/api/faults`, { method: 'DELETE', headers: { 'x-wxl-admin-key': s.app.adminKey } })).json(),
      { cleared: 2 },
    );
    assert.equal(s.app.faults.size, 0);
  });

  test('an invalid rule is a 400 naming the problem; no key is a 401', async () => {
    const bad = await admin('', { method: 'POST', body: JSON.stringify({ api: 'getOrder', errcode: 'x' }) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'invalid fault rule: errcode must be an integer from -2147483648 to 2147483647' });
    const notJson = await admin('', { method: 'POST', body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.equal((await fetch(`${s.url}/_wxl/api/faults`)).status, 401);
    assert.equal(s.app.faults.size, 0);
  });
});

test('--explain names the rule in errmsg; the request log explains the faulted call', async () => {
  const explained = await startTestServer({ explain: true });
  try {
    const rule = explained.app.faults.add({ api: 'getAllDelivery', errcode: 9300502 });
    const answer = await explained.get(PATHS.getAllDelivery);
    assert.match(answer.json.errmsg, new RegExp(`^Delivery side sys error \\(fault injected by rule ${rule.id}\\) rid: `));
    const log = (await (await fetch(`${explained.url}/_wxl/console-api/log`)).json()) as {
      entries: { errcode: number; explanation: string }[];
    };
    const entry = log.entries.find((e) => e.errcode === 9300502);
    assert.equal(entry?.explanation, `fault injected by rule ${rule.id}`);
  } finally {
    await explained.close();
  }
});
