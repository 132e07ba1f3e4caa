/**
 * getOrder's direct lane (src/http/get-order-lane.ts) answers exactly as the fastify route: the
 * same request sent over the socket (the lane takes it) and through fastify's `inject` (the route
 * answers it) gives the same status, headers, body (rid aside), request-log entry and rid-log
 * record. Requests the lane must leave alone are checked to reach the route.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const RID = /rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
const maskRid = (text: string) => text.replace(/rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}/g, 'rid: <rid>');

interface Seen {
  status: number;
  body: string;
  contentType: string | null;
  hasRid: boolean;
  rid: string | null;
}

let s: TestServer;
let token: string;
let waybillId: string;

before(async () => {
  s = await startTestServer();
  token = await s.token();
  const added = await s.post(PATHS.addOrder, testOrder('lane-1'));
  assert.equal(added.json.errcode, 0);
  waybillId = added.json.waybill_id as string;
});
after(() => s.close());

const served = () => s.app.server.laneStats().getOrder;

/** Orders whose labels show their own id (the receiver's name), to tell one answer from another. */
async function addNamedOrders(ids: string[]): Promise<void> {
  for (const id of ids) {
    const order = testOrder(id, { receiver: { ...(testOrder(id).receiver as object), name: `收件人${id}` } });
    assert.equal((await s.post(PATHS.addOrder, order, token)).json.errcode, 0);
  }
}

const getOrderBody = (id: string) => JSON.stringify({ order_id: id, delivery_id: 'TEST' });

/** Over the socket: the lane's (when it takes it). */
async function viaSocket(body: string | Buffer, query = `access_token=${token}`, method = 'POST'): Promise<Seen> {
  const payload = typeof body === 'string' ? body : new Uint8Array(body);
  const res = await fetch(`${s.url}${PATHS.getOrder}?${query}`, { method, ...(method === 'POST' ? { body: payload } : {}) });
  const text = await res.text();
  const rid = res.headers.get('x-wxl-rid');
  return { status: res.status, body: text, contentType: res.headers.get('content-type'), hasRid: rid !== null, rid };
}

/** Through fastify's inject: the route's, never the lane's. */
async function viaRoute(body: string | Buffer, query = `access_token=${token}`): Promise<Seen> {
  const res = await s.app.server.inject({ method: 'POST', url: `${PATHS.getOrder}?${query}`, payload: body });
  const rid = res.headers['x-wxl-rid'];
  return {
    status: res.statusCode,
    body: res.body,
    contentType: String(res.headers['content-type']),
    hasRid: rid !== undefined,
    rid: rid === undefined ? null : String(rid),
  };
}

async function lastLogEntries(n: number): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${s.url}/_wxl/console-api/log`);
  const { entries } = (await res.json()) as { entries: Record<string, unknown>[] };
  return entries.slice(-n).map(({ seq: _seq, at: _at, duration_ms: _d, ...rest }) => rest);
}

/** Sends `body` both ways; asserts the lane took the first and both answered alike; returns the lane's answer. */
async function same(body: string | Buffer, query?: string): Promise<Seen> {
  const before = served();
  const lane = await viaSocket(body, query);
  assert.equal(served(), before + 1, 'the lane took the request');
  const route = await viaRoute(body, query);
  assert.equal(served(), before + 1, 'inject went to the route');
  assert.equal(lane.status, route.status);
  assert.equal(lane.contentType, route.contentType);
  assert.equal(maskRid(lane.body), maskRid(route.body));
  assert.equal(lane.hasRid, route.hasRid, 'x-wxl-rid on both or neither');
  const [laneLog, routeLog] = await lastLogEntries(2);
  assert.deepEqual(laneLog, routeLog, 'the same request-log entry');
  return lane;
}

describe('getOrder: the direct lane answers as the route', () => {
  test('a label: the same bytes and the x-wxl-rid header, print types 0 and 1', async () => {
    for (const body of [
      { order_id: 'lane-1', delivery_id: 'TEST' },
      { order_id: 'lane-1', delivery_id: 'TEST', print_type: 1, waybill_id: waybillId },
    ]) {
      const answer = await same(JSON.stringify(body));
      const json = JSON.parse(answer.body) as Record<string, unknown>;
      assert.equal(json.errcode, 0);
      assert.equal(json.waybill_id, waybillId);
      assert.ok(
        Buffer.from(json.print_html as string, 'base64')
          .toString('utf8')
          .startsWith('<!DOCTYPE html>'),
      );
      assert.equal(answer.contentType, 'application/json; encoding=utf-8');
    }
  });

  test('malformed bodies: 47001 for non-JSON, non-objects, wrong types, null, bad UTF-8 and lone surrogates; 44002 for blank', async () => {
    const cases: [string | Buffer, number][] = [
      ['{', 47001],
      ['[1]', 47001],
      ['"x"', 47001],
      ['null', 47001],
      ['{"order_id":5,"delivery_id":"TEST"}', 47001],
      ['{"order_id":"lane-1","delivery_id":null}', 47001],
      ['{"order_id":"lane-1","delivery_id":"TEST","print_type":"1"}', 47001],
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 47001],
      ['{"order_id":"\\ud800","delivery_id":"TEST"}', 47001],
      ['   ', 44002],
    ];
    for (const [body, errcode] of cases) {
      const answer = await same(body);
      const json = JSON.parse(answer.body) as { errcode: number; errmsg: string };
      assert.equal(json.errcode, errcode, String(body));
      assert.match(json.errmsg, RID);
    }
  });

  test('value checks: 930561, 9300503, 930563, 9300528', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ delivery_id: 'TEST' }, 930561],
      [{ order_id: 'lane-1', delivery_id: 'TEST', print_type: 2 }, 930561],
      [{ order_id: 'lane-1', delivery_id: 'NOPE' }, 9300503],
      [{ order_id: 'nobody', delivery_id: 'TEST' }, 930563],
      [{ order_id: 'lane-1', delivery_id: 'TEST', waybill_id: 'other' }, 9300528],
    ];
    for (const [body, errcode] of cases) {
      const json = JSON.parse((await same(JSON.stringify(body))).body) as { errcode: number };
      assert.equal(json.errcode, errcode, JSON.stringify(body));
    }
  });

  test('the rid log keeps what the lane answered: getRidInfo finds a success and a failure by their rids', async () => {
    const ok = await viaSocket(JSON.stringify({ order_id: 'lane-1', delivery_id: 'TEST' }));
    const failed = await viaSocket(JSON.stringify({ order_id: 'nobody', delivery_id: 'TEST' }));
    const failedRid = /rid: (\S+)$/.exec((JSON.parse(failed.body) as { errmsg: string }).errmsg)![1]!;
    for (const [rid, errcode, answer] of [
      [ok.rid!, 0, ok.body],
      [failedRid, 930563, failed.body],
    ] as const) {
      const info = (await s.post('/cgi-bin/openapi/rid/get', { rid })).json;
      assert.equal(info.errcode, 0, `rid ${rid}: ${JSON.stringify(info)}`);
      assert.equal(
        info.request.request_body,
        JSON.stringify(errcode === 0 ? { order_id: 'lane-1', delivery_id: 'TEST' } : { order_id: 'nobody', delivery_id: 'TEST' }),
      );
      assert.equal(
        info.request.request_url,
        `access_token=${token}`.replace(token, info.request.request_url.slice('access_token='.length)),
      );
      assert.equal(info.request.response_body, answer);
    }
  });

  test('tokens: a new one (not looked up yet) gets its label; unknown 40001 and expired 42001 whatever the body', async () => {
    const fresh = await s.token();
    assert.equal(
      (
        JSON.parse((await same(JSON.stringify({ order_id: 'lane-1', delivery_id: 'TEST' }), `access_token=${fresh}`)).body) as {
          errcode: number;
        }
      ).errcode,
      0,
    );
    for (const bad of ['{', JSON.stringify({ order_id: 'lane-1', delivery_id: 'TEST' })]) {
      const json = JSON.parse((await same(bad, `access_token=nope&appid=${s.appid}`)).body) as { errcode: number };
      assert.equal(json.errcode, 40001);
    }
    await s.app.advanceClock(7300);
    try {
      const json = JSON.parse((await same('{', `access_token=${fresh}`)).body) as { errcode: number };
      assert.equal(json.errcode, 42001);
    } finally {
      token = await s.token();
    }
  });

  test('a call over its daily quota is refused with 45009 by the lane too', async () => {
    await s.app.core.apiManagement.setLimit(s.appid, { cgi_path: PATHS.getOrder, daily_limit: 0, call_count: null, refresh_second: null });
    try {
      const json = JSON.parse((await same(JSON.stringify({ order_id: 'lane-1', delivery_id: 'TEST' }))).body) as { errcode: number };
      assert.equal(json.errcode, 45009);
    } finally {
      await s.app.core.apiManagement.setLimit(s.appid, {
        cgi_path: PATHS.getOrder,
        daily_limit: null,
        call_count: null,
        refresh_second: null,
      });
    }
  });
});

test('labels printed for the first time, many at once, each arrive whole (their bytes come from a reused ring)', async () => {
  const ids = Array.from({ length: 120 }, (_, i) => `lane-ring-${i}`);
  await addNamedOrders(ids);
  for (let pass = 0; pass < 2; pass++) {
    // Several times the ring's turnover in flight: first prints (ring bytes), then the kept answers.
    const answers = await Promise.all(ids.map((id) => viaSocket(getOrderBody(id))));
    const expected = await Promise.all(ids.map((id) => viaRoute(getOrderBody(id))));
    answers.forEach((a, i) => {
      assert.equal(a.body, expected[i]!.body, `${ids[i]}: the answer sent is the order's own`);
      const json = JSON.parse(a.body) as { order_id: string; print_html: string };
      assert.equal(json.order_id, ids[i]);
      assert.ok(Buffer.from(json.print_html, 'base64').toString('utf8').includes(`收件人${ids[i]}`));
    });
    if (pass === 0) {
      // The rid log keeps what was sent, though the ring has been written over since.
      const first = answers[0]!;
      const info = (await s.post('/cgi-bin/openapi/rid/get', { rid: first.rid }, token)).json;
      assert.equal(info.errcode, 0, JSON.stringify(info).slice(0, 200));
      assert.equal(info.request.response_body, first.body);
    }
    ids.reverse();
  }
  assert.equal(s.app.server.laneStats().arenaBytesInUse, 0, 'every answer gave its bytes back');
});

describe('getOrder: what the lane leaves to the route', () => {
  const body = JSON.stringify({ order_id: 'lane-1', delivery_id: 'TEST' });
  const untouched = async (send: () => Promise<Seen>, errcode: number) => {
    const before = served();
    const answer = await send();
    assert.equal(served(), before, 'the route answered');
    assert.equal((JSON.parse(answer.body) as { errcode: number }).errcode, errcode);
  };

  test('no, empty or doubled access_token; GET; an empty body', async () => {
    await untouched(() => viaSocket(body, ''), 41001);
    await untouched(() => viaSocket(body, 'access_token='), 41001);
    await untouched(() => viaSocket(body, `access_token=${token}&access_token=${token}`), 41001);
    await untouched(() => viaSocket(body, `access_token=${token}`, 'GET'), 43002);
    await untouched(() => viaSocket(''), 44002);
  });

  test('a query that needs decoding still gets its label', async () => {
    await untouched(() => viaSocket(body, `access_token=${token}&note=a%20b`), 0);
  });

  test('while a fault rule is listed, every getOrder goes to the route (the rule fires)', async () => {
    s.app.faults.add({ api: 'getOrder', errcode: -1, times: 1 });
    try {
      await untouched(() => viaSocket(body), -1);
    } finally {
      s.app.faults.clear();
    }
    const before = served();
    await viaSocket(body);
    assert.equal(served(), before + 1);
  });
});

test('with --explain, the lane gives the 47001 detail the route gives', async () => {
  const explained = await startTestServer({ explain: true });
  try {
    const t = await explained.token();
    const body = '{"order_id":5,"delivery_id":"TEST"}';
    const lane = await (await fetch(`${explained.url}${PATHS.getOrder}?access_token=${t}`, { method: 'POST', body })).text();
    const route = (await explained.app.server.inject({ method: 'POST', url: `${PATHS.getOrder}?access_token=${t}`, payload: body })).body;
    assert.equal(explained.app.server.laneStats().getOrder, 1);
    assert.match(lane, /body\/order_id must be string/);
    assert.equal(maskRid(lane), maskRid(route));
  } finally {
    await explained.close();
  }
});

/** Sends `requests` pipelined on one connection and reads nothing until `read()` is called. */
function slowReader(requests: string[]): Promise<{ read(): Promise<{ status: number; body: Buffer }[]>; destroy(): void }> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.pause();
      socket.write(requests.join(''));
      resolve({
        destroy: () => socket.destroy(),
        read: () =>
          new Promise((done, fail) => {
            const got: { status: number; body: Buffer }[] = [];
            let rest: Buffer = Buffer.alloc(0);
            socket.on('data', (chunk: Buffer) => {
              rest = takeAnswers(Buffer.concat([rest, chunk]), got);
              if (got.length === requests.length) {
                socket.destroy();
                done(got);
              }
            });
            socket.once('error', fail);
            socket.resume();
          }),
      });
    });
    socket.once('error', reject);
  });
}

/** Moves the whole HTTP/1.1 answers (framed by Content-Length) at the front of `bytes` to `into`; returns what is left. */
function takeAnswers(bytes: Buffer, into: { status: number; body: Buffer }[]): Buffer {
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = bytes.toString('latin1', at, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
    if (end + 4 + length > bytes.length) break;
    into.push({ status: Number(head.split(' ')[1]), body: bytes.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return bytes.subarray(at);
}

test('a reader that reads nothing holds its first prints: they arrive whole though other first prints cycle the ring meanwhile', async (t) => {
  // One connection asks for ~6 MB of answers (~10 KB each) and reads none: more than the kernel's socket
  // buffers take on loopback (~4 MB here), so the later answers wait in the server's own buffers, holding
  // their ring bytes (checked below: the test proves nothing if the kernel took them all).
  const slowIds = Array.from({ length: 600 }, (_, i) => `lane-slow-${i}`);
  const otherIds = Array.from({ length: 150 }, (_, i) => `lane-cycle-${i}`);
  await addNamedOrders([...slowIds, ...otherIds]);
  const request = (id: string) => {
    const body = getOrderBody(id);
    return `POST ${PATHS.getOrder}?access_token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const reader = await slowReader(slowIds.map(request));
  // A failed check must not leave a connection the server would wait for when it closes.
  t.after(() => reader.destroy());
  // Wait until the slow connection's answers have been written as far as the kernel takes them.
  const stats = () => s.app.server.laneStats();
  for (let i = 0; i < 100 && stats().arenaBytesInUse === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  const held = stats().arenaBytesInUse;
  assert.ok(held > 0, 'answers queued behind a full socket still hold their ring bytes');

  // Other first prints, 15 at a time, more than the ring holds: every byte of it the slow answers do not
  // hold is written over while they wait (space is reclaimed in order, so the rest falls back to malloc).
  for (let i = 0; i < otherIds.length; i += 15) {
    const batch = otherIds.slice(i, i + 15);
    const answers = await Promise.all(batch.map((id) => viaSocket(getOrderBody(id))));
    answers.forEach((a, k) => assert.equal((JSON.parse(a.body) as { order_id: string }).order_id, batch[k]));
  }
  assert.ok(stats().arenaBytesInUse >= held, 'the slow answers still hold theirs');

  const got = await reader.read();
  const expected = await Promise.all(slowIds.map((id) => viaRoute(getOrderBody(id))));
  got.forEach((a, i) => {
    assert.equal(a.status, 200);
    assert.equal(a.body.toString('utf8'), expected[i]!.body, `${slowIds[i]}: the bytes sent are the order's own answer`);
  });
  assert.equal(stats().arenaBytesInUse, 0, 'every answer gave its bytes back');
});
