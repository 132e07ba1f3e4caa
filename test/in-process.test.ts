/**
 * startWxLogistics: the in-process server a test suite starts, over real HTTP on
 * 127.0.0.1 — the ready app (HTTPS and the real wx-server-sdk cloud call),
 * createApp, the clock, reset back to the state at start (memory, SQLite file
 * and PostgreSQL stores), the push inbox, fault rules, several instances in one
 * process, and POST /_wxl/api/reset.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { after, test } from 'node:test';
import { createApplication } from '../src/app.ts';
import { LogisticsClient } from '../src/client/index.ts';
import { PushWaitTimeoutError, startWxLogistics, type WxApp, type WxLogistics } from '../src/index.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { startReceiver } from './support/receiver.ts';
import { PATHS, testOrder } from './support/test-server.ts';

const started: WxLogistics[] = [];
after(async () => {
  for (const wx of started) await wx.stop();
});

async function start(options: Parameters<typeof startWxLogistics>[0] = {}): Promise<WxLogistics> {
  const wx = await startWxLogistics(options);
  started.push(wx);
  return wx;
}

/** A WeChat caller over fetch (no client-side token refresh: a refused token must show). */
function caller(wx: WxLogistics, app: WxApp = wx.app) {
  const token = async (): Promise<Record<string, any>> => {
    const res = await fetch(`${wx.baseUrl}/cgi-bin/token?grant_type=client_credential&appid=${app.appid}&secret=${app.secret}`);
    return (await res.json()) as Record<string, any>;
  };
  const post = async (path: string, body: unknown, accessToken: string): Promise<Record<string, any>> => {
    const res = await fetch(`${wx.baseUrl}${path}?access_token=${accessToken}`, { method: 'POST', body: JSON.stringify(body) });
    return (await res.json()) as Record<string, any>;
  };
  return { token, post, accessToken: async () => (await token()).access_token as string };
}

/** An admin API call; `key: null` sends none. */
const admin = (wx: WxLogistics, method: string, path: string, body?: unknown, key: string | null = wx.adminKey) =>
  fetch(`${wx.baseUrl}/_wxl/api${path}`, {
    method,
    headers: { ...(key === null ? {} : { 'x-wxl-admin-key': key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));
const cloudFunction = fileURLToPath(new URL('./fixtures/cloud-functions/logistics/index.js', import.meta.url));

/** The fixture cloud function on the real wx-server-sdk, configured as the README says. */
async function runCloud(wx: WxLogistics, app: WxApp, events: unknown[]) {
  const { stdout } = await promisify(execFile)(process.execPath, [runner, cloudFunction, JSON.stringify(events)], {
    env: {
      PATH: process.env.PATH ?? '',
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: wx.cloudServiceUrl }),
      TENCENTCLOUD_SECRETID: app.cloud.secretId,
      TENCENTCLOUD_SECRETKEY: app.cloud.secretKey,
      SCF_NAMESPACE: app.cloud.env,
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { result?: Record<string, any>; thrown?: { errCode: number; errMsg: string } }[];
}

const labelText = (printHtml: string): string => Buffer.from(printHtml, 'base64').toString('utf8');

test('startWxLogistics on the memory store answers on 127.0.0.1 with a ready app, and writes nothing to disk', async () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'wxl-inproc-'));
  process.chdir(dir);
  try {
    const wx = await startWxLogistics();
    assert.match(wx.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(wx.cloudServiceUrl, `${wx.baseUrl}/admin`);
    assert.match(wx.app.appid, /^wx[0-9a-f]{16}$/);
    assert.equal(wx.app.cloud.env, 'local-env');
    const answer = await caller(wx).token();
    assert.equal(typeof answer.access_token, 'string');
    assert.equal(answer.expires_in, 7200);
    await wx.stop();
    await wx.stop(); // twice is harmless
    await assert.rejects(fetch(`${wx.baseUrl}/cgi-bin/token`), 'nothing listens after stop()');
    assert.deepEqual(readdirSync(dir), [], 'no data directory was created');
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wx.app works with the typed client over HTTPS and with the real wx-server-sdk cloud call', async () => {
  const wx = await start();
  const client = new LogisticsClient({ appid: wx.app.appid, secret: wx.app.secret, baseUrl: wx.baseUrl });
  const added = await client.addOrder(testOrder('inproc-https-1') as never);
  assert.equal(added.errcode, 0);
  const [got, delivery, missing] = await runCloud(wx, wx.app, [
    { api: 'getOrder', data: { orderId: 'inproc-https-1', deliveryId: 'TEST', waybillId: added.waybill_id } },
    { api: 'getAllDelivery', data: {} },
    { api: 'getOrder', data: { orderId: 'no-such-order', deliveryId: 'TEST' } },
  ]);
  assert.equal(got!.result!.errMsg, 'openapi.logistics.getOrder:ok');
  assert.equal(got!.result!.waybillId, added.waybill_id);
  assert.ok((delivery!.result!.count as number) > 0);
  assert.equal(missing!.thrown!.errCode, 930563);
});

test('apps given at start and createApp give apps with their own appid, secret and cloud env', async () => {
  const wx = await start({ apps: [{ appid: 'wxinproc00000001', secret: 'first-secret', cloudEnv: 'env-a' }, {}] });
  assert.deepEqual(
    { appid: wx.app.appid, secret: wx.app.secret, env: wx.app.cloud.env },
    { appid: 'wxinproc00000001', secret: 'first-secret', env: 'env-a' },
  );
  assert.match(wx.app.cloud.secretId, /^AKID[0-9a-f]{32}$/);
  const made = await wx.createApp({ cloudEnv: 'env-b' });
  assert.notEqual(made.appid, wx.app.appid);
  assert.equal(typeof (await caller(wx, made).token()).access_token, 'string');
  const [deliveries] = await runCloud(wx, made, [{ api: 'getAllDelivery', data: {} }]);
  assert.equal(deliveries!.result!.errMsg, 'openapi.logistics.getAllDelivery:ok');
  await assert.rejects(wx.createApp({ appid: 'wxinproc00000001' }), /already exists/);
});

test('clock.advance moves the server clock: tokens expire and auto-progress paths advance', async () => {
  const wx = await start();
  const c = caller(wx);
  const before = wx.clock.now();
  assert.ok(Math.abs(before - Date.now() / 1000) < 5);
  const token = await c.accessToken();
  assert.equal((await admin(wx, 'PUT', `/apps/${wx.app.appid}/auto-progress`, { enabled: true })).status, 200);
  const added = await c.post(PATHS.addOrder, testOrder('inproc-clock-1'), token);
  assert.equal(added.errcode, 0);
  const now = await wx.clock.advance(7201);
  assert.ok(now >= before + 7201 && wx.clock.now() >= now);
  assert.equal(
    (await c.post(PATHS.getPath, { order_id: 'inproc-clock-1', delivery_id: 'TEST', waybill_id: added.waybill_id }, token)).errcode,
    42001,
  );
  const path = await c.post(
    PATHS.getPath,
    { order_id: 'inproc-clock-1', delivery_id: 'TEST', waybill_id: added.waybill_id },
    await c.accessToken(),
  );
  assert.ok(path.path_item_num >= 2, `auto-progress appended nodes after 2 hours (got ${path.path_item_num})`);
  const pushed = await wx
    .pushes(wx.app.appid)
    .waitFor((e) => e.Event === 'add_express_path' && e.Count === path.path_item_num, { timeoutMs: 3000 });
  assert.equal(pushed.Event === 'add_express_path' && pushed.WayBillId, added.waybill_id);
});

test('reset(): orders, tokens, accounts, pushes, faults, the clock and created apps are gone; the apps of the start stay with the same secret and cloud keys', async () => {
  const wx = await start();
  const c = caller(wx);
  const token = await c.accessToken();
  const added = await c.post(PATHS.addOrder, testOrder('inproc-reset-1'), token);
  assert.equal(added.errcode, 0);
  // Its label is cached for (app, order, version 1) now.
  const label = (await c.post(PATHS.getOrder, { order_id: 'inproc-reset-1', delivery_id: 'TEST' }, token)).print_html as string;
  assert.match(labelText(label), /王小蒙/);
  assert.equal((await c.post(PATHS.bindAccount, { type: 'bind', biz_id: 'yto-1', delivery_id: 'YTO', password: 'pw' }, token)).errcode, 0);
  assert.equal(
    (
      await c.post(
        PATHS.testUpdateOrder,
        {
          biz_id: 'test_biz_id',
          order_id: 'inproc-reset-1',
          delivery_id: 'TEST',
          waybill_id: added.waybill_id,
          action_time: wx.clock.now(),
          action_type: 100001,
          action_msg: '揽件',
        },
        token,
      )
    ).errcode,
    0,
  );
  await wx.pushes().waitFor((e) => e.Event === 'add_express_path');
  await wx.faults.add({ api: 'getAllDelivery', errcode: 45009 });
  assert.equal((await (await fetch(`${wx.baseUrl}${PATHS.getAllDelivery}?access_token=${token}`)).json()).errcode, 45009, 'the rule fires');
  assert.equal(wx.faults.list()[0]!.hits, 1);
  const extra = await wx.createApp();
  const startedAt = wx.clock.now();
  await wx.clock.advance(3600);

  await wx.reset();

  assert.ok(wx.clock.now() < startedAt + 3600, 'the clock is back');
  assert.deepEqual(wx.pushes().events, [], 'the inbox is empty');
  assert.deepEqual(wx.faults.list(), [], 'no fault rules');
  assert.equal(
    (await c.post(PATHS.getOrder, { order_id: 'inproc-reset-1', delivery_id: 'TEST' }, token)).errcode,
    40001,
    'tokens are gone',
  );
  assert.equal((await caller(wx, extra).token()).errcode, 40013, 'an app created after start is gone');
  const fresh = await c.accessToken(); // the same secret works
  assert.equal(
    (await c.post(PATHS.getOrder, { order_id: 'inproc-reset-1', delivery_id: 'TEST' }, fresh)).errcode,
    930563,
    'orders are gone',
  );
  const accounts = await (await fetch(`${wx.baseUrl}${PATHS.getAllAccount}?access_token=${fresh}`)).json();
  assert.deepEqual(accounts.list, [], 'accounts are gone');
  const deliveries = await (await fetch(`${wx.baseUrl}${PATHS.getAllDelivery}?access_token=${fresh}`)).json();
  assert.equal(deliveries.errcode, 0, 'the fault rule no longer fires');
  // The same order_id comes back with the same waybill number and version: its label must be the new body's.
  const again = await c.post(
    PATHS.addOrder,
    testOrder('inproc-reset-1', {
      receiver: { name: '李四', mobile: '18610000001', province: '上海市', city: '上海市', area: '浦东新区', address: 'ZZ路' },
    }),
    fresh,
  );
  assert.equal(again.errcode, 0);
  assert.equal(again.waybill_id, added.waybill_id, 'waybill counters are back too');
  const relabel = labelText(
    (await c.post(PATHS.getOrder, { order_id: 'inproc-reset-1', delivery_id: 'TEST' }, fresh)).print_html as string,
  );
  assert.match(relabel, /李四/);
  assert.doesNotMatch(relabel, /王小蒙/, 'no label from before the reset');
  const [cloud] = await runCloud(wx, wx.app, [{ api: 'getAllDelivery', data: {} }]);
  assert.equal(cloud!.result!.errMsg, 'openapi.logistics.getAllDelivery:ok', 'the cloud keys of the start still work');
});

test('the inbox captures add_express_path from testUpdateOrder and update_business_bind_result, without any receiver', async () => {
  const wx = await start();
  const c = caller(wx);
  const token = await c.accessToken();
  const added = await c.post(PATHS.addOrder, testOrder('inproc-push-1'), token);
  for (const [type, msg] of [
    [100001, '揽件'],
    [200001, '运输中'],
  ] as const) {
    const r = await c.post(
      PATHS.testUpdateOrder,
      {
        biz_id: 'test_biz_id',
        order_id: 'inproc-push-1',
        delivery_id: 'TEST',
        waybill_id: added.waybill_id,
        action_time: wx.clock.now(),
        action_type: type,
        action_msg: msg,
      },
      token,
    );
    assert.equal(r.errcode, 0);
  }
  const inbox = wx.pushes(wx.app.appid);
  const second = await inbox.waitFor((e) => e.Event === 'add_express_path' && e.Version === 2);
  assert.ok(second.Event === 'add_express_path');
  assert.equal(second.Count, 2);
  assert.deepEqual(
    second.Actions.map((a) => [a.ActionType, a.ActionMsg]),
    [
      [100001, '揽件'],
      [200001, '运输中'],
    ],
  );
  assert.equal(second.OrderId, 'inproc-push-1');
  assert.equal(second.WayBillId, added.waybill_id);
  assert.deepEqual(
    inbox.events.map((e) => e.Event === 'add_express_path' && e.Version),
    [1, 2],
    'in order',
  );

  // EMS reviews a binding for 60 s of clock time, then pushes the result.
  assert.equal(
    (await c.post(PATHS.bindAccount, { type: 'bind', biz_id: 'ems-1', delivery_id: 'EMS', password: 'pw', remark_content: '申请' }, token))
      .errcode,
    0,
  );
  const waiting = inbox.waitFor((e) => e.Event === 'update_business_bind_result', { timeoutMs: 3000 });
  await wx.clock.advance(61);
  const bound = await waiting;
  assert.ok(bound.Event === 'update_business_bind_result');
  assert.deepEqual([bound.errcode, bound.delivery_id, bound.biz_id], [0, 'EMS', 'ems-1']);

  assert.equal(wx.pushes('wx-some-other-app').events.length, 0, 'an inbox of one app holds only its events');
  inbox.clear();
  assert.deepEqual(wx.pushes().events, []);
});

test('waitFor rejects with a clear error when nothing matches in time', async () => {
  const wx = await start();
  const startedAt = Date.now();
  await assert.rejects(
    wx.pushes(wx.app.appid).waitFor((e) => e.Event === 'add_express_path', { timeoutMs: 150 }),
    (error: unknown) => {
      assert.ok(error instanceof PushWaitTimeoutError);
      assert.match(error.message, new RegExp(`^no push matched within 150 ms for app ${wx.app.appid}; captured: none$`));
      return true;
    },
  );
  assert.ok(Date.now() - startedAt < 2000);
});

test('two instances in one process share nothing: orders, clocks, faults, pushes, resets', async () => {
  const [a, b] = await Promise.all([
    start({ apps: [{ appid: 'wxsameappid00001', secret: 's-a' }] }),
    start({ apps: [{ appid: 'wxsameappid00001', secret: 's-b' }] }),
  ]);
  assert.notEqual(a.baseUrl, b.baseUrl);
  const ca = caller(a);
  const cb = caller(b);
  const [ta, tb] = [await ca.accessToken(), await cb.accessToken()];
  assert.equal((await ca.token()).errcode, undefined);
  assert.equal((await caller(b, { ...b.app, secret: 's-a' }).token()).errcode, 40125, "a's secret is not b's");
  const added = await ca.post(PATHS.addOrder, testOrder('inproc-two-1'), ta);
  assert.equal(added.errcode, 0);
  assert.equal((await cb.post(PATHS.getOrder, { order_id: 'inproc-two-1', delivery_id: 'TEST' }, tb)).errcode, 930563);
  assert.equal((await cb.post(PATHS.getOrder, { order_id: 'x', delivery_id: 'TEST' }, ta)).errcode, 40001, "a's token means nothing to b");
  await a.faults.add({ api: 'getOrder', errcode: -1 });
  assert.equal(b.faults.list().length, 0);
  assert.equal((await cb.post(PATHS.addOrder, testOrder('inproc-two-2'), tb)).errcode, 0);
  assert.equal((await cb.post(PATHS.getOrder, { order_id: 'inproc-two-2', delivery_id: 'TEST' }, tb)).errcode, 0);
  assert.equal((await ca.post(PATHS.getOrder, { order_id: 'inproc-two-1', delivery_id: 'TEST' }, ta)).errcode, -1);
  const bBefore = b.clock.now();
  await a.clock.advance(86_400);
  assert.ok(b.clock.now() < bBefore + 100);
  await cb.post(
    PATHS.testUpdateOrder,
    {
      biz_id: 'test_biz_id',
      order_id: 'inproc-two-2',
      delivery_id: 'TEST',
      waybill_id: (await cb.post(PATHS.getOrder, { order_id: 'inproc-two-2', delivery_id: 'TEST' }, tb)).waybill_id,
      action_time: b.clock.now(),
      action_type: 100001,
      action_msg: 'm',
    },
    tb,
  );
  await b.pushes().waitFor();
  assert.equal(a.pushes().events.length, 0);
  await a.reset();
  assert.equal(
    (await cb.post(PATHS.getOrder, { order_id: 'inproc-two-2', delivery_id: 'TEST' }, tb)).errcode,
    0,
    "a's reset leaves b alone",
  );
  assert.equal(b.pushes().events.length, 1);
});

test('POST /_wxl/api/reset does what reset() does, behind the admin key', async () => {
  const wx = await start();
  const c = caller(wx);
  const token = await c.accessToken();
  assert.equal((await c.post(PATHS.addOrder, testOrder('inproc-admin-1'), token)).errcode, 0);
  await wx.faults.add({ api: 'getQuota', errcode: -1 });
  assert.equal((await admin(wx, 'POST', '/reset', undefined, null)).status, 401);
  assert.equal((await admin(wx, 'POST', '/reset', undefined, 'wrong-key')).status, 401);
  const res = await admin(wx, 'POST', '/reset');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { reset: true });
  assert.deepEqual(wx.faults.list(), []);
  assert.equal((await c.post(PATHS.getOrder, { order_id: 'inproc-admin-1', delivery_id: 'TEST' }, await c.accessToken())).errcode, 930563);
});

test('a server in a worker thread and one in the main thread are separate servers', async () => {
  const main = await start({ apps: [{ appid: 'wxworkerthread001', secret: 'main-secret' }] });
  const worker = new Worker(new URL('./support/in-process-worker.mjs', import.meta.url));
  try {
    const info = await new Promise<{ baseUrl: string; appid: string; secret: string; waybill_id: string; now: number }>(
      (resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      },
    );
    assert.notEqual(info.baseUrl, main.baseUrl);
    assert.ok(main.clock.now() < info.now - 3000, "the worker's clock moved, not ours");
    const workerSide = caller({ ...main, baseUrl: info.baseUrl } as WxLogistics, { ...main.app, secret: info.secret });
    const wt = await workerSide.accessToken();
    assert.equal((await workerSide.post(PATHS.getOrder, { order_id: 'in-worker-1', delivery_id: 'TEST' }, wt)).waybill_id, info.waybill_id);
    const c = caller(main);
    assert.equal((await c.post(PATHS.getOrder, { order_id: 'in-worker-1', delivery_id: 'TEST' }, await c.accessToken())).errcode, 930563);
    assert.equal((await caller(main, { ...main.app, secret: info.secret }).token()).errcode, 40125, 'same appid, separate secrets');
  } finally {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
});

test('POST /_wxl/api/reset answers 409 when the store held more rows at start than a baseline keeps', async () => {
  const application = await createApplication({ memory: true, baselineMaxRows: 3 });
  try {
    for (let i = 0; i < 4; i++) await application.core.apps.create();
    const url = await application.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${url}/_wxl/api/reset`, { method: 'POST', headers: { 'x-wxl-admin-key': application.adminKey } });
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: string }).error, /^reset is not available: the store holds more than 3 rows/);
    assert.equal((await application.core.apps.list()).length, 4, 'nothing was touched');
  } finally {
    await application.close();
  }
});

test('after a reset, pushes to a receiver flow again (the dispatcher restarts), and the inbox sees them as well', async () => {
  const receiver = await startReceiver();
  try {
    const wx = await start();
    const c = caller(wx);
    const push = { url: receiver.url, token: 'tok', mode: 'plain', format: 'json' };
    const pathPush = async (orderId: string) => {
      const token = await c.accessToken();
      const added = await c.post(PATHS.addOrder, testOrder(orderId), token);
      const r = await c.post(
        PATHS.testUpdateOrder,
        {
          biz_id: 'test_biz_id',
          order_id: orderId,
          delivery_id: 'TEST',
          waybill_id: added.waybill_id,
          action_time: wx.clock.now(),
          action_type: 100001,
          action_msg: 'm',
        },
        token,
      );
      assert.equal(r.errcode, 0);
    };
    assert.equal((await admin(wx, 'PUT', `/apps/${wx.app.appid}/push`, push)).status, 200);
    await pathPush('inproc-recv-1');
    await receiver.waitFor(1);
    await wx.reset();
    const settings = await admin(wx, 'GET', `/apps/${wx.app.appid}/push`);
    assert.equal(settings.status, 404, 'push settings made after start are gone');
    assert.equal((await admin(wx, 'PUT', `/apps/${wx.app.appid}/push`, push)).status, 200);
    await pathPush('inproc-recv-2');
    const got = await receiver.waitFor(2);
    assert.equal((JSON.parse(got[1]!.body) as { OrderId: string }).OrderId, 'inproc-recv-2');
    assert.deepEqual(
      wx.pushes().events.map((e) => e.Event === 'add_express_path' && e.OrderId),
      ['inproc-recv-2'],
    );
  } finally {
    await receiver.close();
  }
});

/** The reset cases every persistent store must pass too. */
async function resetRoundTrip(wx: WxLogistics): Promise<void> {
  const c = caller(wx);
  const token = await c.accessToken();
  const added = await c.post(PATHS.addOrder, testOrder('inproc-store-1'), token);
  assert.equal(added.errcode, 0);
  await c.post(
    PATHS.testUpdateOrder,
    {
      biz_id: 'test_biz_id',
      order_id: 'inproc-store-1',
      delivery_id: 'TEST',
      waybill_id: added.waybill_id,
      action_time: wx.clock.now(),
      action_type: 100001,
      action_msg: 'm',
    },
    token,
  );
  await wx.pushes().waitFor();
  await wx.reset();
  assert.deepEqual(wx.pushes().events, []);
  const fresh = await c.accessToken();
  assert.equal((await c.post(PATHS.getOrder, { order_id: 'inproc-store-1', delivery_id: 'TEST' }, fresh)).errcode, 930563);
  assert.equal((await c.post(PATHS.getOrder, { order_id: 'inproc-store-1', delivery_id: 'TEST' }, token)).errcode, 40001);
  const again = await c.post(PATHS.addOrder, testOrder('inproc-store-1'), fresh);
  assert.equal(again.waybill_id, added.waybill_id);
  await c.post(
    PATHS.testUpdateOrder,
    {
      biz_id: 'test_biz_id',
      order_id: 'inproc-store-1',
      delivery_id: 'TEST',
      waybill_id: again.waybill_id,
      action_time: wx.clock.now(),
      action_type: 100001,
      action_msg: 'after',
    },
    fresh,
  );
  const pushed = await wx.pushes().waitFor();
  assert.ok(
    pushed.Event === 'add_express_path' && pushed.Actions[0]!.ActionMsg === 'after',
    'an event written after the reset is captured once',
  );
  assert.equal(wx.pushes().events.length, 1);
}

test('reset() on an SQLite data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-inproc-sqlite-'));
  try {
    const wx = await startWxLogistics({ store: { dataDir: dir } });
    try {
      await resetRoundTrip(wx);
    } finally {
      await wx.stop();
    }
    assert.ok(readdirSync(dir).includes('wxlogistics.sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reset() on PostgreSQL (a schema of its own)', async () => {
  const url = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `wxl_test_inproc_${process.pid}_${randomBytes(3).toString('hex')}`;
  const full = `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
  try {
    const wx = await startWxLogistics({ store: { url: full } });
    try {
      await resetRoundTrip(wx);
    } finally {
      await wx.stop();
    }
  } finally {
    const store = new PostgresStore({ connectionString: full });
    await store.dropSchema();
    await store.close();
  }
});

test('reset(): call counters and daily-limit refusals go back too (counted before the reset, or still in memory)', async () => {
  const wx = await start();
  const c = caller(wx);
  let token = await c.accessToken();
  await admin(wx, 'PUT', `/apps/${wx.app.appid}/limits`, { cgi_path: PATHS.getAllDelivery, daily_limit: 3 });
  const delivery = async () =>
    (await fetch(`${wx.baseUrl}${PATHS.getAllDelivery}?access_token=${token}`)).json() as Promise<Record<string, any>>;
  for (let i = 0; i < 3; i++) assert.equal((await delivery()).errcode, 0);
  assert.equal((await delivery()).errcode, 45009, "the day's calls are used up");
  await wx.reset();
  token = await c.accessToken();
  assert.equal((await delivery()).errcode, 0, 'the limit set after start is gone, and so are the counts');
  const quota = await c.post('/cgi-bin/openapi/quota/get', { cgi_path: PATHS.getAllDelivery }, token);
  assert.equal(quota.errcode, 0);
  assert.equal(quota.quota.used, 1, 'only the call made after the reset');
});
