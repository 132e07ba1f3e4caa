/**
 * The cloud call's direct lane (src/http/cloud/cloud-lane.ts) answers as the fastify route: real
 * wx-server-sdk requests, captured by a recorder on 127.0.0.1, are replayed over the socket (the
 * lane takes them) and through fastify's `inject` (the route answers them); status, headers,
 * bytes and the rid log's records must agree.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cloudCallAnswerer, type CloudAnswer } from '../src/http/cloud/bridge.ts';
import { isPending } from '../src/http/maybe-promise.ts';
import { cloudApiNames, cloudInvoker } from '../src/http/cloud-invoke.ts';
import { decodeCommOpenApiResp } from '../src/proto/comm-api.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

interface Captured {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
interface Seen {
  status: number;
  contentType: string | undefined;
  rid: string | undefined;
  body: Buffer;
}

let s: TestServer;
let keys: { secretId: string; secretKey: string };
let waybillId: string;
before(async () => {
  s = await startTestServer();
  keys = await s.app.core.cloud.enable(s.appid, ['local-env']);
  waybillId = (await s.post(PATHS.addOrder, testOrder('cloud-lane-1'))).json.waybill_id as string;
});
after(() => s.close());

const fn = fileURLToPath(new URL('./fixtures/cloud-functions/getOrder/index.js', import.meta.url));
const runner = fileURLToPath(new URL('./support/run-cloud-function.cjs', import.meta.url));

/** Runs the unmodified SDK against a recorder (answering 502) and returns what it sent. */
async function capture(events: unknown[]): Promise<Captured[]> {
  const seen: Captured[] = [];
  const recorder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const port = (recorder.address() as AddressInfo).port;
  try {
    await promisify(execFile)(process.execPath, [runner, fn, JSON.stringify(events)], {
      env: {
        PATH: process.env.PATH ?? '',
        TCB_CONTEXT_CNFG: JSON.stringify({ URL: `http://127.0.0.1:${port}/admin` }),
        TENCENTCLOUD_SECRETID: keys.secretId,
        TENCENTCLOUD_SECRETKEY: keys.secretKey,
        SCF_NAMESPACE: 'local-env',
      },
      timeout: 30_000,
    });
  } finally {
    recorder.close();
  }
  return seen;
}

/** Over the socket, Host and all headers as captured (the signature covers Host). */
function viaSocket(c: Captured): Promise<Seen> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: c.url, headers: c.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          contentType: res.headers['content-type'],
          rid: res.headers['x-wxl-rid'] as string | undefined,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

async function viaRoute(c: Captured): Promise<Seen> {
  const res = await s.app.server.inject({ method: 'POST', url: c.url, headers: c.headers as Record<string, string>, payload: c.body });
  return {
    status: res.statusCode,
    contentType: res.headers['content-type'] as string | undefined,
    rid: res.headers['x-wxl-rid'] as string | undefined,
    body: res.rawPayload,
  };
}

const served = () => s.app.server.laneStats().cloud;

test('a real SDK getOrder: the lane sends the route’s protobuf bytes, a rid, and the rid log finds it', async () => {
  const [call] = await capture([{ openid: 'oABC123456', orderId: 'cloud-lane-1', deliveryId: 'TEST', waybillId }]);
  const before = served();
  const lane = await viaSocket(call!);
  assert.equal(served(), before + 1, 'the lane took it');
  const route = await viaRoute(call!);
  assert.equal(served(), before + 1, 'inject went to the route');
  assert.equal(lane.status, 200);
  assert.equal(lane.contentType, route.contentType);
  assert.equal(lane.contentType, 'application/octet-stream');
  assert.ok(lane.body.equals(route.body), 'the same CommOpenApiResp bytes');
  const resp = decodeCommOpenApiResp(lane.body);
  const answer = JSON.parse(Buffer.from(resp.respData).toString('utf8')) as Record<string, unknown>;
  assert.equal(answer.errcode, 0);
  assert.equal(answer.waybill_id, waybillId);
  assert.match(lane.rid ?? '', /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  assert.ok(route.rid !== undefined);
  const info = (await s.post('/cgi-bin/openapi/rid/get', { rid: lane.rid })).json;
  assert.equal(info.errcode, 0, JSON.stringify(info));
  assert.equal(JSON.parse(info.request.response_body as string).waybill_id, waybillId, 'the answer, recorded');
  assert.match(info.request.request_body as string, /cloud-lane-1/);
});

test('gateway refusals (bad signature, unknown secretId) and a missing order: the same answers both ways', async () => {
  const [call] = await capture([{ openid: 'oABC123456', orderId: 'no-such-order', deliveryId: 'TEST' }]);
  const cases: Captured[] = [
    call!,
    { ...call!, headers: { ...call!.headers, authorization: String(call!.headers.authorization).replace(/Signature=\w/, 'Signature=0') } },
    { ...call!, headers: { ...call!.headers, authorization: String(call!.headers.authorization).replace(keys.secretId, 'AKIDnobody') } },
  ];
  for (const c of cases) {
    const before = served();
    const lane = await viaSocket(c);
    assert.equal(served(), before + 1);
    const route = await viaRoute(c);
    assert.equal(lane.contentType, route.contentType);
    assert.equal(lane.rid === undefined, route.rid === undefined, 'a rid on both or neither');
    if (lane.contentType === 'application/octet-stream') {
      const [a, b] = [decodeCommOpenApiResp(lane.body), decodeCommOpenApiResp(route.body)];
      const text = (r: typeof a) =>
        Buffer.from(r.respData)
          .toString('utf8')
          .replace(/rid: [0-9a-f-]+/, 'rid: <rid>');
      assert.equal(text(a), text(b));
      assert.equal((JSON.parse(text(a)) as { errcode: number }).errcode, 930563);
    } else {
      const mask = (b: Buffer) =>
        JSON.parse(b.toString('utf8').replace(/"requestId":"[^"]+"/, '"requestId":""')) as Record<string, unknown>;
      assert.deepEqual(mask(lane.body), mask(route.body));
      assert.equal(mask(lane.body).code, 'INVALID_REQUEST_SOURCE');
    }
  }
});

test('what the lane leaves to the route: a JSON body, a listed fault rule', async () => {
  const [call] = await capture([{ openid: 'oABC123456', orderId: 'cloud-lane-1', deliveryId: 'TEST' }]);
  let before = served();
  const json = await viaSocket({ ...call!, headers: { ...call!.headers, 'content-type': 'application/json' }, body: Buffer.from('{}') });
  assert.equal(served(), before, 'not multipart: the route');
  assert.equal((JSON.parse(json.body.toString('utf8')) as { code: string }).code, 'INVALID_COMMON_PARAM');
  s.app.faults.add({ api: 'getOrder', errcode: -1, times: 1 });
  try {
    before = served();
    const faulted = await viaSocket(call!);
    assert.equal(served(), before, 'a listed rule: the route');
    const text = Buffer.from(decodeCommOpenApiResp(faulted.body).respData).toString('utf8');
    assert.equal((JSON.parse(text) as { errcode: number }).errcode, -1);
  } finally {
    s.app.faults.clear();
  }
});

test('an order cancelled after it was printed: the same signed call answers its new state, on the lane and the route', async () => {
  const w = (await s.post(PATHS.addOrder, testOrder('cloud-lane-2'))).json.waybill_id as string;
  const [call] = await capture([{ openid: 'oABC123456', orderId: 'cloud-lane-2', deliveryId: 'TEST', waybillId: w }]);
  const status = (seen: Seen) =>
    (JSON.parse(Buffer.from(decodeCommOpenApiResp(seen.body).respData).toString('utf8')) as { errcode: number; order_status: number })
      .order_status;
  const first = await viaSocket(call!);
  assert.equal((JSON.parse(Buffer.from(decodeCommOpenApiResp(first.body).respData).toString('utf8')) as { errcode: number }).errcode, 0);
  assert.equal(status(await viaSocket(call!)), status(first), 'asked for twice: its answer is kept');
  const cancel = await s.post(PATHS.cancelOrder, { openid: 'oABC123456', order_id: 'cloud-lane-2', delivery_id: 'TEST', waybill_id: w });
  assert.equal(cancel.json.errcode, 0, JSON.stringify(cancel.json));
  const before = served();
  const lane = await viaSocket(call!);
  assert.equal(served(), before + 1, 'the lane took it');
  assert.notEqual(status(lane), status(first), 'not the kept answer of the order before its change');
  assert.equal(status(lane), status(await viaRoute(call!)));
  assert.equal(
    status(lane),
    (await s.post(PATHS.getOrder, { order_id: 'cloud-lane-2', delivery_id: 'TEST', waybill_id: w })).json.order_status,
  );
});

test('a call that needs no read is answered in the same turn (a secretId looked up within the second, a kept answer); others wait', async () => {
  const [call] = await capture([{ openid: 'oABC123456', orderId: 'cloud-lane-1', deliveryId: 'TEST', waybillId }]);
  const core = s.app.core;
  const answer = cloudCallAnswerer({
    freshnessSeconds: 300,
    findAppBySecretId: (id) => core.cloud.findBySecretId(id),
    knownAppBySecretId: (id) => core.cloud.knownBySecretId(id),
    invoke: cloudInvoker(core, { explain: false }),
    knownApiNames: cloudApiNames,
  });
  const request = { method: 'POST', url: call!.url, headers: call!.headers, body: call!.body };
  const expected = (await answer(request, {}))!.bytes;
  // The key's lookup and the carrier registry are kept for a second: of three calls in a row at
  // least two fall inside one such second.
  let atOnce: CloudAnswer | undefined;
  for (let i = 0; i < 3 && atOnce === undefined; i++) {
    const result = answer(request, {});
    if (isPending(result)) await result;
    else atOnce = result;
  }
  assert.ok(atOnce, 'answered at once');
  assert.ok(Buffer.from(atOnce.bytes).equals(Buffer.from(expected)), 'the same CommOpenApiResp');
  core.cloud.forgetLookups();
  const later = answer(request, {});
  assert.ok(isPending(later), 'a secretId not looked up recently is read first');
  assert.ok(Buffer.from((await later)!.bytes).equals(Buffer.from(expected)));
});
