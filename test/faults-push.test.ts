/**
 * Fault rules on our own pushes (`api: 'push'`): a dropped attempt is retried
 * by the normal policy (a late event), dropped every time it dead-letters,
 * a delayed one arrives late while other waybills overtake it, a duplicated
 * one arrives twice — the second copy possibly after the waybill's next event.
 * Real receiver on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { answer, eventually, startReceiver, type Receiver } from './support/receiver.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let r: Receiver;
let token: string;
before(async () => {
  s = await startTestServer({ push: { backoffBaseMs: 300, timeoutMs: 400, pollMs: 50 } });
  token = await s.token();
  r = await startReceiver(answer('success'));
  await s.app.core.push.set(s.appid, { url: r.url, token: 'pushToken123', mode: 'plain', format: 'json' });
});
after(async () => {
  await s.close();
  await r.close();
});
afterEach(() => {
  s.app.faults.clear();
  r.received.length = 0;
});

/** Creates an order and appends one node per action: one add_express_path push each. */
async function orderWithNodes(orderId: string, actions: number[]): Promise<string> {
  const added = (await s.post(PATHS.addOrder, testOrder(orderId), token)).json;
  for (const action_type of actions) {
    await s.post(
      PATHS.testUpdateOrder,
      {
        biz_id: 'test_biz_id',
        order_id: orderId,
        delivery_id: 'TEST',
        waybill_id: added.waybill_id,
        action_time: 1700000000,
        action_type,
        action_msg: `node ${action_type}`,
      },
      token,
    );
  }
  return added.waybill_id as string;
}

const pushesOf = (orderId: string) =>
  r.received
    .map((p) => ({ ...(JSON.parse(p.body) as { OrderId: string; Version: number }), at: p.at }))
    .filter((e) => e.OrderId === orderId);

const eventsOf = async (orderId: string) =>
  (await s.app.core.store.events.list({ limit: 50, appid: s.appid })).filter((e) => JSON.parse(e.payload).OrderId === orderId);

test('drop with times: 1 fails the first attempt without sending it; the retry delivers it late', async () => {
  const rule = s.app.faults.add({ api: 'push', order_id: 'p-drop', push: 'drop', times: 1 });
  const started = Date.now();
  await orderWithNodes('p-drop', [100001]);
  await eventually(() => pushesOf('p-drop').length === 1);
  const [push] = pushesOf('p-drop');
  assert.ok(push!.at - started >= 290, `arrived after the 300 ms backoff (${push!.at - started} ms)`);
  await eventually(async () => (await eventsOf('p-drop'))[0]?.status === 'delivered');
  const [event] = await eventsOf('p-drop');
  const attempts = await s.app.core.store.events.listAttempts(event!.id);
  assert.deepEqual(
    attempts.map((a) => [a.attempt, a.delivered, a.status_code]),
    [
      [1, false, null],
      [2, true, 200],
    ],
  );
  assert.match(attempts[0]!.error ?? '', new RegExp(`dropped by fault rule ${rule.id}`));
  assert.equal(s.app.faults.get(rule.id)?.hits, 1);
});

test('drop every attempt: the event becomes a dead letter the receiver never saw; replay delivers it', async () => {
  s.app.faults.add({ api: 'push', order_id: 'p-lost', push: 'drop' });
  await orderWithNodes('p-lost', [100001]);
  await eventually(async () => (await eventsOf('p-lost'))[0]?.status === 'dead', 15_000);
  assert.equal(pushesOf('p-lost').length, 0);
  const [event] = await eventsOf('p-lost');
  assert.equal(event!.attempts, 3);
  s.app.faults.clear();
  assert.equal(await s.app.core.store.events.replay(event!.id, Date.now()), true);
  s.app.dispatcher.nudge();
  await eventually(() => pushesOf('p-lost').length === 1);
});

test('delay_ms holds a delivery; another waybill overtakes it', async () => {
  s.app.faults.add({ api: 'push', order_id: 'p-slow', delay_ms: 800, times: 1 });
  const started = Date.now();
  await orderWithNodes('p-slow', [100001]);
  await orderWithNodes('p-fast', [100001]);
  await eventually(() => pushesOf('p-slow').length === 1 && pushesOf('p-fast').length === 1);
  const slow = pushesOf('p-slow')[0]!;
  const fast = pushesOf('p-fast')[0]!;
  assert.ok(slow.at - started >= 790, `held ${slow.at - started} ms`);
  assert.ok(fast.at < slow.at, 'the other waybill was not held');
  // The receiver has the push before the dispatcher has written down its answer.
  await eventually(async () => (await eventsOf('p-slow'))[0]?.status === 'delivered');
  const [event] = await eventsOf('p-slow');
  assert.equal(event!.attempts, 1, 'one attempt: a late push, not a retry');
});

test('duplicate delivers the same event twice; with delay_ms the copy arrives after the next Version', async () => {
  s.app.faults.add({ api: 'push', order_id: 'p-dup', push: 'duplicate', times: 1 });
  await orderWithNodes('p-dup', [100001]);
  await eventually(() => pushesOf('p-dup').length === 2);
  const [a, b] = pushesOf('p-dup');
  assert.deepEqual([a!.Version, b!.Version], [1, 1]);
  const [first, second] = r.received.filter((p) => JSON.parse(p.body).OrderId === 'p-dup');
  assert.equal(first!.body, second!.body, 'the same event');
  assert.notEqual(
    first!.query.get('nonce') + first!.query.get('signature')!,
    second!.query.get('nonce') + second!.query.get('signature')!,
    'signed afresh',
  );

  s.app.faults.add({ api: 'push', order_id: 'p-late', push: 'duplicate', delay_ms: 700, times: 1 });
  await orderWithNodes('p-late', [100001, 200001]);
  await eventually(() => pushesOf('p-late').length === 3);
  assert.deepEqual(
    pushesOf('p-late').map((e) => e.Version),
    [1, 2, 1],
    'the late duplicate of Version 1 comes after Version 2',
  );
  // The receiver has the pushes before the dispatcher has written down their answers.
  await eventually(async () => {
    const events = await eventsOf('p-late');
    return events.length === 2 && events.every((e) => e.status === 'delivered');
  });
});

test('event, appid and delivery_id narrow a push rule', async () => {
  s.app.faults.add({ api: 'push', event: 'update_business_bind_result', push: 'drop' });
  s.app.faults.add({ api: 'push', appid: 'wx-someone-else', push: 'drop' });
  s.app.faults.add({ api: 'push', delivery_id: 'SF', push: 'drop' });
  await orderWithNodes('p-other', [100001]);
  await eventually(() => pushesOf('p-other').length === 1);
  assert.deepEqual(
    s.app.faults.list().map((f) => f.hits),
    [0, 0, 0],
  );
});
