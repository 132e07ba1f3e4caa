/** Auto-progress moves simulated orders as the clock advances, exactly as a carrier would report. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answer, eventually, startReceiver, type Receiver } from './support/receiver.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

let s: TestServer;
let r: Receiver;
before(async () => {
  s = await startTestServer({ push: { pollMs: 50 } });
  r = await startReceiver(answer('success'));
  await s.app.core.push.set(s.appid, { url: r.url, token: 'autoToken', mode: 'plain', format: 'json' });
});
after(async () => {
  await s.close();
  await r.close();
});

// The clock moves by days here: every call after a move takes a fresh token (the old one expired).
const call = async (path: string, body: unknown) => s.post(path, body, await s.token());

const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${s.url}/_wxl/api${path}`, {
    method,
    body: JSON.stringify(body),
    headers: { 'x-wxl-admin-key': s.app.adminKey, 'content-type': 'application/json' },
  }).then((res) => res.json() as Promise<any>);

test('advancing the clock by a day takes a TEST order to 300003, with consistent getPath and pushes', async () => {
  await admin(`/apps/${s.appid}/auto-progress`, { enabled: true }, 'PUT');
  const a = (await call(PATHS.addOrder, testOrder('auto-1'))).json;
  const ref = { order_id: 'auto-1', delivery_id: 'TEST', waybill_id: a.waybill_id };
  assert.equal((await call(PATHS.getPath, ref)).json.path_item_num, 0);

  const moved = await admin('/clock/advance', { seconds: 3600 + 1 });
  assert.ok(moved.now > 0);
  let path = (await call(PATHS.getPath, ref)).json;
  assert.deepEqual(
    path.path_item_list.map((n: any) => n.action_type),
    [100003, 100001],
    'pickup after an hour',
  );

  await admin('/clock/advance', { seconds: 86400 });
  path = (await call(PATHS.getPath, ref)).json;
  const types = path.path_item_list.map((n: any) => n.action_type);
  assert.deepEqual(types, [100003, 100001, 200001, 200001, 300002, 300003]);
  const times = path.path_item_list.map((n: any) => n.action_time);
  assert.deepEqual(
    [...times].sort((x, y) => x - y),
    times,
    'action times in order',
  );
  assert.match(path.path_item_list[1].action_msg, /广州市.*已揽收/);
  assert.match(path.path_item_list[3].action_msg, /北京市转运中心/);
  assert.match(path.path_item_list[4].action_msg, /快递员\S+（1\d{10}）正在为您派件/);

  // Every node was pushed, Version = Count = nodes so far, the last carrying the whole path.
  await eventually(() => r.received.filter((p) => JSON.parse(p.body).WayBillId === a.waybill_id).length === 6);
  const pushes = r.received.map((p) => JSON.parse(p.body)).filter((e) => e.WayBillId === a.waybill_id);
  assert.deepEqual(
    pushes.map((e) => e.Version),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    pushes.at(-1).Actions.map((x: any) => x.ActionType),
    types,
  );
  assert.deepEqual(
    pushes.at(-1).Actions.map((x: any) => x.ActionMsg),
    path.path_item_list.map((n: any) => n.action_msg),
  );

  // Nothing more happens to a signed order.
  await admin('/clock/advance', { seconds: 86400 });
  assert.equal((await call(PATHS.getPath, ref)).json.path_item_num, 6);
});

test('the exception branch ends the story with 100002, 400002 or 300004; a cancelled order stops', async () => {
  await admin(`/apps/${s.appid}/auto-progress`, { enabled: true, exception_probability: 1, seed: 'storm' }, 'PUT');
  const orders = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => call(PATHS.addOrder, testOrder(`exc-${i}`)).then((x) => x.json)));
  const cancelled = (await call(PATHS.addOrder, testOrder('exc-cancelled'))).json;
  await call(PATHS.cancelOrder, { order_id: 'exc-cancelled', delivery_id: 'TEST', waybill_id: cancelled.waybill_id });
  await admin('/clock/advance', { seconds: 2 * 86400 });
  const finals = new Set<number>();
  for (const o of orders) {
    const list = (await call(PATHS.getPath, { order_id: o.order_id, delivery_id: 'TEST', waybill_id: o.waybill_id })).json.path_item_list;
    const last = list.at(-1).action_type;
    assert.ok([100002, 400002, 300004].includes(last), `${o.order_id} ended with ${last}`);
    finals.add(last);
  }
  assert.ok(finals.size >= 2, 'different orders take different exception stages');
  assert.equal(
    (await call(PATHS.getPath, { order_id: 'exc-cancelled', delivery_id: 'TEST', waybill_id: cancelled.waybill_id })).json.path_item_num,
    0,
  );
});
