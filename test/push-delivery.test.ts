/**
 * Signed (and encrypted) add_express_path pushes to real receivers
 * on 127.0.0.1, verified with an independent receiver implementation
 * (test/push-support, node:crypto only — not the project's push code).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { verifyPlain, verifySecure, xmlElements, xmlField } from './push-support/wechat-receiver-crypto.ts';
import { answer, eventually, startReceiver, type Receiver } from './support/receiver.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const TOKEN = 'pushToken123';

let s: TestServer;
let r: Receiver;
before(async () => {
  s = await startTestServer({ push: { backoffBaseMs: 40, timeoutMs: 400, pollMs: 50 } });
});
after(() => s.close());
afterEach(async () => {
  await r?.close();
});

const update = (order_id: string, waybill_id: string, action_type: number, action_msg: string) =>
  s.post(PATHS.testUpdateOrder, {
    biz_id: 'test_biz_id',
    order_id,
    delivery_id: 'TEST',
    waybill_id,
    action_time: 1700000000,
    action_type,
    action_msg,
  });

const setPush = (over: Record<string, unknown>) =>
  s.app.core.push.set(s.appid, { url: r.url, token: TOKEN, encodingAesKey: AES_KEY, mode: 'plain', format: 'xml', ...over });

describe('signed pushes', () => {
  for (const format of ['xml', 'json'] as const) {
    test(`secure mode, ${format}: signature verifies, ciphertext decrypts, Version/Count/Actions exact`, async () => {
      r = await startReceiver(answer('success'));
      await setPush({ mode: 'secure', format });
      const order = testOrder(`sec-${format}`);
      const added = (await s.post(PATHS.addOrder, order)).json;
      await update(order.order_id as string, added.waybill_id, 100001, '快递员已揽件');
      await update(order.order_id as string, added.waybill_id, 200001, '运输中，<已到达>广州');
      const pushes = await r.waitFor(2);
      const events = pushes.map((p) => {
        assert.equal(p.query.get('encrypt_type'), 'aes');
        assert.ok(verifyPlain(p.query, TOKEN), 'signature');
        const plain = verifySecure(p.query, p.body, TOKEN, AES_KEY, s.appid); // throws on a bad msg_signature / appid
        return plain;
      });
      if (format === 'json') {
        const [first, second] = events.map((e) => JSON.parse(e));
        assert.deepEqual(Object.keys(second), [
          'ToUserName',
          'FromUserName',
          'CreateTime',
          'MsgType',
          'Event',
          'DeliveryID',
          'WayBillId',
          'OrderId',
          'Version',
          'Count',
          'Actions',
        ]);
        assert.equal(second.Event, 'add_express_path');
        assert.equal(second.WayBillId, added.waybill_id);
        assert.equal(second.FromUserName, 'oABC123456');
        assert.deepEqual([first.Version, first.Count, second.Version, second.Count], [1, 1, 2, 2]);
        assert.deepEqual(second.Actions, [
          { ActionTime: 1700000000, ActionType: 100001, ActionMsg: '快递员已揽件' },
          { ActionTime: 1700000000, ActionType: 200001, ActionMsg: '运输中，<已到达>广州' },
        ]);
        assert.match(pushes[0]!.body, /^\{"ToUserName":"gh_[0-9a-f]{12}","Encrypt":"[A-Za-z0-9+/=]+"\}$/);
      } else {
        const second = events[1]!;
        assert.equal(xmlField(second, 'Event'), 'add_express_path');
        assert.equal(xmlField(second, 'WayBillId'), added.waybill_id);
        assert.equal(xmlField(second, 'Version'), '2');
        assert.equal(xmlField(second, 'Count'), '2');
        const actions = xmlElements(second, 'Actions');
        assert.equal(actions.length, 2, 'one <Actions> per node');
        assert.equal(xmlField(actions[1]!, 'ActionMsg'), '运输中，<已到达>广州');
      }
    });
  }

  test('plain mode: only signature, timestamp, nonce; body is the event', async () => {
    r = await startReceiver(answer(''));
    await setPush({ mode: 'plain', format: 'json', encodingAesKey: undefined });
    const added = (await s.post(PATHS.addOrder, testOrder('plain-1'))).json;
    await update('plain-1', added.waybill_id, 100001, '揽件');
    const [p] = await r.waitFor(1);
    assert.deepEqual([...p!.query.keys()], ['signature', 'timestamp', 'nonce']);
    assert.ok(verifyPlain(p!.query, TOKEN));
    assert.equal(JSON.parse(p!.body).OrderId, 'plain-1');
    await eventually(async () => (await s.app.core.store.events.list({ appid: s.appid, limit: 1 }))[0]?.status === 'delivered');
  });
});

describe('failures and dead letters', () => {
  test('receiver down → 3 attempts, then a dead letter; replay delivers it', async () => {
    r = await startReceiver(answer('oops', 500));
    await setPush({ mode: 'plain', format: 'json' });
    const added = (await s.post(PATHS.addOrder, testOrder('dead-1'))).json;
    await update('dead-1', added.waybill_id, 100001, '揽件');
    const stream = `TEST:${added.waybill_id}`;
    await eventually(async () => (await s.app.core.store.events.list({ stream, limit: 1 }))[0]?.status === 'dead');
    const [event] = await s.app.core.store.events.list({ stream, limit: 1 });
    const attempts = await s.app.core.store.events.listAttempts(event!.id);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status_code, a.delivered]),
      [
        [1, 500, false],
        [2, 500, false],
        [3, 500, false],
      ],
    );
    assert.equal(attempts[0]!.response_excerpt, 'oops');
    assert.equal(r.received.length, 3);

    // The same over the admin API: listed as failed, replayed, delivered.
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${s.url}/_wxl/api${path}`, { ...init, headers: { 'x-wxl-admin-key': s.app.adminKey } }).then(
        (res) => res.json() as Promise<any>,
      );
    assert.equal((await fetch(`${s.url}/_wxl/api/events`)).status, 401, 'the admin API needs the key');
    const failed = await admin(`/events?status=dead&appid=${s.appid}`);
    assert.ok(failed.events.some((e: { id: number }) => e.id === event!.id));
    r.behave = answer('success');
    assert.deepEqual(await admin(`/events/${event!.id}/replay`, { method: 'POST' }), { replayed: event!.id });
    await eventually(async () => (await s.app.core.store.events.get(event!.id))?.status === 'delivered');
    assert.equal(r.received.length, 4);
    const detail = await admin(`/events/${event!.id}`);
    assert.equal(detail.attempts.at(-1).delivered, true);
  });

  test('a hanging, resetting or garbage-answering receiver never blocks other deliveries', async () => {
    r = await startReceiver(answer('success'));
    const bad = await Promise.all([
      startReceiver(() => undefined), // hangs
      startReceiver((_p, _res, socket) => socket.destroy()), // resets
      startReceiver(answer('<html>garbage</html>')),
    ]);
    try {
      const apps = [];
      for (const [i, b] of bad.entries()) {
        const app = await s.app.core.apps.create({ appid: `wxbadreceiver0000${i}`, secret: 'x' });
        await s.app.core.push.set(app.appid, { url: b.url, token: TOKEN, mode: 'plain', format: 'json' });
        apps.push(app);
      }
      await setPush({ mode: 'plain', format: 'json' });
      for (const app of apps) {
        const t = await s.token(app.appid, app.secret);
        const a = (await s.post(PATHS.addOrder, testOrder('bad-1'), t)).json;
        await s.post(
          PATHS.testUpdateOrder,
          {
            biz_id: 'test_biz_id',
            order_id: 'bad-1',
            delivery_id: 'TEST',
            waybill_id: a.waybill_id,
            action_time: 1,
            action_type: 100001,
            action_msg: 'x',
          },
          t,
        );
      }
      const good = (await s.post(PATHS.addOrder, testOrder('good-1'))).json;
      await update('good-1', good.waybill_id, 100001, '揽件');
      await r.waitFor(1, 2000);
      for (const app of apps) {
        await eventually(async () => (await s.app.core.store.events.list({ appid: app.appid, limit: 1 }))[0]?.status === 'dead', 10_000);
      }
      const errors = await Promise.all(
        apps.map(async (app) => (await s.app.core.store.events.list({ appid: app.appid, limit: 1 }))[0]!.last_error),
      );
      assert.match(errors[0]!, /no answer within 400 ms/);
      assert.match(errors[2]!, /neither "success" nor empty/);
      assert.equal((await s.get(PATHS.getAllDelivery)).json.errcode, 0, 'the server still answers');
    } finally {
      await Promise.all(bad.map((b) => b.close()));
    }
  });
});

describe('ordering', () => {
  test("10 waybills × 10 updates under concurrency → each waybill's Versions arrive strictly increasing", async () => {
    // A slow, jittery receiver makes overtaking likely if ordering were not enforced.
    r = await startReceiver((_p, res) => void setTimeout(() => res.end('success'), Math.random() * 15));
    await setPush({ mode: 'plain', format: 'json' });
    const orders = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.post(PATHS.addOrder, testOrder(`ord-${i}`)).then((a) => a.json)),
    );
    await Promise.all(
      orders.map(async (o) => {
        for (let v = 0; v < 10; v++) {
          void update(o.order_id, o.waybill_id, 200001, `第${v + 1}次更新`);
        }
      }),
    );
    await r.waitFor(100, 20_000);
    const byWaybill = new Map<string, number[]>();
    for (const p of r.received) {
      const e = JSON.parse(p.body);
      byWaybill.set(e.WayBillId, [...(byWaybill.get(e.WayBillId) ?? []), e.Version]);
    }
    assert.equal(byWaybill.size, 10);
    for (const [waybill, versions] of byWaybill) {
      assert.deepEqual(
        versions,
        Array.from({ length: 10 }, (_, i) => i + 1),
        waybill,
      );
    }
  });
});
