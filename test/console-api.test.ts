/**
 * The console's access rule, its static files and JSON API, and the request log
 *, over real HTTP without a browser.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createApplication, type Application } from '../src/app.ts';
import { consoleAccess, isLoopbackAddress } from '../src/http/console-access.ts';
import { RequestLog, redactUrl } from '../src/http/request-log.ts';
import { WxError } from '../src/core/errors.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const API = '/_wxl/console-api';

describe('console access', () => {
  const adminKey = 'k'.repeat(24);

  test('loopback addresses are recognised, others are not', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) assert.ok(isLoopbackAddress(a), a);
    for (const a of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', '', undefined])
      assert.ok(!isLoopbackAddress(a), String(a));
  });

  test('a server bound to loopback lets loopback clients in without a key', () => {
    assert.deepEqual(consoleAccess({ boundHost: '127.0.0.1', remoteAddress: '127.0.0.1', presentedKey: undefined, adminKey }), {
      allowed: true,
      via: 'loopback',
    });
    assert.deepEqual(consoleAccess({ boundHost: '::1', remoteAddress: '::1', presentedKey: undefined, adminKey }), {
      allowed: true,
      via: 'loopback',
    });
  });

  test('a server bound to another address requires the admin key, even from loopback', () => {
    for (const boundHost of ['0.0.0.0', '::', '192.168.1.2']) {
      assert.equal(consoleAccess({ boundHost, remoteAddress: '127.0.0.1', presentedKey: undefined, adminKey }).allowed, false, boundHost);
      assert.equal(consoleAccess({ boundHost, remoteAddress: '10.1.2.3', presentedKey: 'wrong', adminKey }).allowed, false, boundHost);
      assert.deepEqual(consoleAccess({ boundHost, remoteAddress: '10.1.2.3', presentedKey: adminKey, adminKey }), {
        allowed: true,
        via: 'key',
      });
    }
  });

  test('before listen() nothing but the key opens it', () => {
    assert.equal(consoleAccess({ boundHost: undefined, remoteAddress: '127.0.0.1', presentedKey: undefined, adminKey }).allowed, false);
  });
});

describe('console on a server bound to 0.0.0.0', () => {
  let app: Application;
  let url: string;

  before(async () => {
    app = await createApplication({ memory: true, adminKey: 'wildcard-bound-key' });
    const base = await app.listen({ host: '0.0.0.0', port: 0 });
    url = base.replace('0.0.0.0', '127.0.0.1');
  });
  after(() => app.close());

  test('the console API answers 401 without the key and 200 with it', async () => {
    const denied = await fetch(`${url}${API}/session`);
    assert.equal(denied.status, 401);
    assert.match(((await denied.json()) as { error: string }).error, /admin key is required/);
    const allowed = await fetch(`${url}${API}/session`, { headers: { 'x-wxl-admin-key': 'wildcard-bound-key' } });
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { access: string }).access, 'key');
  });

  test('the page itself is served (it holds no data) so it can ask for the key', async () => {
    const res = await fetch(`${url}/console`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<script type="module" src="\/console\/app.js">/);
  });
});

describe('console API on a loopback server', () => {
  let s: TestServer;

  before(async () => {
    s = await startTestServer();
    for (let i = 1; i <= 5; i++) await s.post(PATHS.addOrder, testOrder(`api-order-${i}`));
  });
  after(() => s.close());

  const get = async (path: string) => {
    const res = await fetch(`${s.url}${API}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as Record<string, any> };
  };

  test('/console and its files are served from loopback without a key, with their content types', async () => {
    for (const [path, type] of [
      ['/console', 'text/html; charset=utf-8'],
      ['/console/', 'text/html; charset=utf-8'],
      ['/console/app.js', 'text/javascript; charset=utf-8'],
      ['/console/pages/order.js', 'text/javascript; charset=utf-8'],
      ['/console/console.css', 'text/css; charset=utf-8'],
      ['/console/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetch(`${s.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
    }
    assert.equal((await get('/session')).json.access, 'loopback');
  });

  test('files outside the console folder are not served', async () => {
    // Raw request paths: fetch would normalise the dots away before sending.
    for (const path of [
      '/console/../../app.ts',
      '/console/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/console/..%2f..%2fapp.ts',
      '/console/nope.js',
      '/console/pages/',
    ]) {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const { hostname, port } = new URL(s.url);
        http.get({ hostname, port, path }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject);
      });
      assert.equal(status, 404, path);
    }
  });

  test('orders page through keyset cursors, newest first, without overlap', async () => {
    const first = await get('/orders?limit=2');
    assert.equal(first.json.orders.length, 2);
    const second = await get(`/orders?limit=2&before=${first.json.next}`);
    const third = await get(`/orders?limit=2&before=${second.json.next}`);
    const ids = [...first.json.orders, ...second.json.orders, ...third.json.orders].map((o: { order_id: string }) => o.order_id);
    assert.deepEqual(new Set(ids).size, 5);
    assert.equal(third.json.next, null);
    assert.equal((await get('/orders?before=garbage')).status, 400);
  });

  test('order detail has the parsed body, nodes and the waybill stream; the label is text/html', async () => {
    const detail = await get(`/apps/${s.appid}/orders/api-order-1`);
    assert.equal(detail.json.body.order_id, 'api-order-1');
    assert.equal(detail.json.stream, `TEST:${detail.json.order.waybill_id}`);
    assert.equal('body' in detail.json.order, false);
    for (const pt of ['0', '1']) {
      const res = await fetch(`${s.url}${API}/apps/${s.appid}/orders/api-order-1/label?print_type=${pt}`);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(await res.text(), pt === '1' ? /size:\s*76mm 130mm/ : /size:\s*100mm 180mm/);
    }
    assert.equal((await get(`/apps/${s.appid}/orders/none`)).status, 404);
  });

  test('carrier actions go through the admin route and append a node', async () => {
    const res = await fetch(`${s.url}${API}/apps/${s.appid}/orders/api-order-2/actions`, {
      method: 'POST',
      body: JSON.stringify({ action_type: 100001, action_msg: '已揽件' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { path_item_num: 1 });
    const bad = await fetch(`${s.url}${API}/apps/${s.appid}/orders/api-order-2/actions`, { method: 'POST', body: '{"action_type":1}' });
    assert.equal(bad.status, 400);
  });

  test('replay goes through the admin route: a skipped event (no push URL) can be replayed', async () => {
    const detail = await get(`/apps/${s.appid}/orders/api-order-2`);
    const event = detail.json.events[0] as { id: number; status: string };
    assert.equal(event.status, 'skipped');
    const res = await fetch(`${s.url}${API}/events/${event.id}/replay`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { replayed: event.id });
    assert.equal((await fetch(`${s.url}${API}/events/999999/replay`, { method: 'POST' })).status, 409);
  });

  test('the request log records WeChat calls with errcode, explanation and no secrets', async () => {
    const token = await s.token();
    await s.post(PATHS.getOrder, { order_id: 'missing', delivery_id: 'TEST' }, token);
    await fetch(`${s.url}${PATHS.getOrder}`, { method: 'POST', body: '{}' });
    const { json } = await get('/log');
    const entries = json.entries as {
      path: string;
      errcode: number;
      explanation: string | null;
      appid: string | null;
      duration_ms: number;
    }[];
    const missing = entries.find((e) => e.errcode === 930563)!;
    assert.equal(missing.appid, s.appid);
    assert.equal(missing.explanation, 'no order missing with delivery_id TEST in this app');
    const noToken = entries.find((e) => e.errcode === 41001)!;
    assert.equal(noToken.explanation, 'the request has no access_token query parameter');
    assert.ok(entries.some((e) => e.errcode === 0 && e.path.startsWith('/cgi-bin/express/business/order/add')));
    for (const e of entries) {
      assert.doesNotMatch(e.path, /access_token=(?!\*\*\*)|secret=(?!\*\*\*)/);
      assert.ok(e.duration_ms >= 0);
    }
    assert.ok(
      entries.every((e) => !e.path.startsWith('/_wxl')),
      'console and admin calls are not WeChat calls',
    );
    const apps = await get('/apps');
    assert.ok(apps.json.apps[0].tokens.token.issued_since_start >= 2);
    assert.ok(apps.json.apps[0].tokens.token.valid >= 1);
  });
});

describe('--explain', () => {
  test('errors without a detail get the request log explanation on the wire', async () => {
    const s = await startTestServer({ explain: true });
    try {
      const res = await fetch(`${s.url}${PATHS.getOrder}`, { method: 'POST', body: '{}' });
      assert.match(
        ((await res.json()) as { errmsg: string }).errmsg,
        /^access_token missing \(the request has no access_token query parameter\) rid: /,
      );
    } finally {
      await s.close();
    }
  });
});

describe('RequestLog', () => {
  test('keeps the last N entries and pages by seq', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) log.record({ at: i, method: 'GET', path: `/p${i}`, appid: null, errcode: 0, duration_ms: 1 });
    assert.deepEqual(
      log.list().map((e) => e.path),
      ['/p2', '/p3', '/p4'],
    );
    assert.deepEqual(
      log.list(4).map((e) => e.path),
      ['/p4'],
    );
    assert.equal(log.lastSeq, 5);
  });

  test('explains failures from the error detail, else from the errcode table', () => {
    const log = new RequestLog(5);
    log.record({
      at: 0,
      method: 'POST',
      path: '/x',
      appid: null,
      errcode: 930563,
      duration_ms: 1,
      error: new WxError('orderNotExists', 'no order a'),
    });
    log.record({ at: 0, method: 'POST', path: '/x', appid: null, errcode: 44002, duration_ms: 1, error: new WxError('emptyPostData') });
    assert.deepEqual(
      log.list().map((e) => e.explanation),
      ['no order a', 'the POST request has an empty body'],
    );
  });

  test('lists each field as recorded, the same after the ring wraps', () => {
    const log = new RequestLog(3);
    const failure = new WxError('orderNotExists', 'no order b');
    const recorded = [
      { at: 1_765_000_000_123, method: 'POST', path: '/a?x=1', appid: 'wx1', errcode: 0, duration_ms: 0.4 },
      { at: 1_765_000_000_456, method: 'GET', path: '/b', appid: null, errcode: -1, duration_ms: 12.3 },
      { at: 1_765_000_000_789, method: 'POST', path: '/a?x=1', appid: 'wx2', errcode: 930563, duration_ms: 1.5, error: failure },
      { at: 1_765_000_001_000, method: 'POST', path: '/c', appid: 'wx1', errcode: 45009, duration_ms: 2 },
    ];
    for (const e of recorded) log.record(e);
    const listed = log.list();
    assert.deepEqual(
      listed.map(({ explanation: _, ...e }) => e),
      recorded.slice(1).map(({ error: _, ...e }, i) => ({ seq: i + 2, ...e })),
    );
    assert.match(listed[0]!.explanation!, /failed unexpectedly/);
    assert.equal(listed[1]!.explanation, 'no order b');
    assert.match(listed[2]!.explanation!, /daily call quota/);
    assert.deepEqual(
      log.list(2, 1).map((e) => e.seq),
      [4],
      'after and limit still page',
    );
  });

  test('forgets its entries on clear and goes on counting', () => {
    const log = new RequestLog(4);
    for (let i = 0; i < 6; i++) log.record({ at: i, method: 'GET', path: `/p${i}`, appid: 'wx1', errcode: 0, duration_ms: 1 });
    log.clear();
    assert.deepEqual(log.list(), []);
    log.record({ at: 9, method: 'GET', path: '/after', appid: 'wx1', errcode: 0, duration_ms: 1 });
    assert.deepEqual(
      log.list().map((e) => [e.seq, e.path]),
      [[7, '/after']],
    );
  });

  test('lists every path as sent when more distinct paths come than it keeps one string of', () => {
    const log = new RequestLog(1000);
    const paths = Array.from({ length: 1000 }, (_, i) => `/cgi-bin/x?order=${i % 700}&n=${i % 3}`);
    for (const path of paths) log.record({ at: 0, method: 'POST', path, appid: 'wx1', errcode: 0, duration_ms: 1 });
    assert.deepEqual(
      log.list().map((e) => e.path),
      paths,
    );
  });

  test('redacts token and secret values', () => {
    assert.equal(
      redactUrl('/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abc'),
      '/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***',
    );
    assert.equal(redactUrl('/a?access_token=12_xyz&x=1'), '/a?access_token=***&x=1');
    assert.equal(redactUrl('/a'), '/a');
  });

  test('a recorded path is listed with its token and secret masked', () => {
    const log = new RequestLog(4);
    log.record({
      at: 0,
      method: 'POST',
      path: '/cgi-bin/express/business/order/get?access_token=86_secret',
      appid: 'wx1',
      errcode: 0,
      duration_ms: 1,
    });
    log.record({ at: 0, method: 'GET', path: '/cgi-bin/token?appid=wx1&secret=s3cret', appid: 'wx1', errcode: 0, duration_ms: 1 });
    assert.deepEqual(
      log.list().map((e) => e.path),
      ['/cgi-bin/express/business/order/get?access_token=***', '/cgi-bin/token?appid=wx1&secret=***'],
    );
    assert.ok(!JSON.stringify(log.list()).includes('secret='.concat('s3cret')));
  });
});
