/**
 * "Several instances, one truth": three real `wxlogistics serve
 * --store postgres://…` processes on one PostgreSQL schema. Tokens issued by one
 * instance work on the others and the overlap / stable_token / force_refresh
 * rules hold across them; concurrent duplicate addOrders on different instances
 * make one order and take one e-waybill of quota; pushes written through any
 * instance arrive at least once, in Version order per waybill; the events an
 * instance was delivering when it was SIGKILLed are delivered by another once
 * its leases lapse (lease = push timeout + 10 s, so --push-timeout-ms 1000).
 *
 * Needs PostgreSQL at 127.0.0.1:5432 (trust auth, database `test`), or
 * WXL_TEST_PG; the schema is this run's own and is dropped at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ADMIN_PREFIX } from '../src/http/admin-routes.ts';
import { eventually, startReceiver, type Receiver } from './support/receiver.ts';
import { cli, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { PATHS, testOrder } from './support/test-server.ts';

const BASE_URL = process.env.WXL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `wxl_mi_${process.pid}_${randomBytes(3).toString('hex')}`;
const STORE = `${BASE_URL}?schema=${SCHEMA}`;
const ADMIN_KEY = 'multi-instance-admin-key';

const MAIN = { appid: 'wxmu1t1000000000a1', secret: 'm'.repeat(32) };
const PUSH = { appid: 'wxmu1t1000000000b2', secret: 'p'.repeat(32) };

let db: pg.Pool;
let servers: ServerProcess[] = [];
let receiver: Receiver;
/** While set, the receiver keeps every push waiting (never answers). */
let hang = false;

interface Answer {
  status: number;
  text: string;
  json: Record<string, any>;
}

async function call(base: string, path: string, init?: { body?: unknown; token?: string }): Promise<Answer> {
  const url = `${base}${path}${init?.token ? `?access_token=${init.token}` : ''}`;
  const res = await fetch(url, init?.body === undefined ? {} : { method: 'POST', body: JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, any> };
}

const tokenOn = async (base: string, app = MAIN) => {
  const a = await call(base, `/cgi-bin/token?grant_type=client_credential&appid=${app.appid}&secret=${app.secret}`);
  assert.ok(a.json.access_token, a.text);
  return a.json.access_token as string;
};
const stableOn = async (base: string, force?: boolean) =>
  (
    await call(base, '/cgi-bin/stable_token', {
      body: { grant_type: 'client_credential', ...MAIN, ...(force === undefined ? {} : { force_refresh: force }) },
    })
  ).json;
/** errcode of an authenticated call (getAllDelivery) with `token` on `base`. */
const errcodeWith = async (base: string, token: string) => (await call(base, PATHS.getAllDelivery, { token })).json.errcode as number;
const everywhere = async (token: string) => Promise.all(servers.map((s) => errcodeWith(s.url, token)));
/** errcode on each instance with that instance's own token. */
const everywhereWith = async (tokens: string[]) => Promise.all(servers.map((s, i) => errcodeWith(s.url, tokens[i]!)));

const admin = async (base: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${ADMIN_PREFIX}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-wxl-admin-key': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, any>;
  assert.ok(res.status === 200 && json.errcode === undefined, JSON.stringify(json));
  return json;
};

/** Moves the shared clock on one instance and waits until every instance has adopted it (ticker, 1 s). */
async function advanceClock(seconds: number): Promise<void> {
  const { offset_seconds } = await admin(servers[0]!.url, '/clock/advance', { seconds });
  await eventually(
    async () => (await Promise.all(servers.map((s) => admin(s.url, '/clock')))).every((c) => c.offset_seconds >= offset_seconds),
    5000,
  );
}

before(async () => {
  db = new pg.Pool({ connectionString: BASE_URL, max: 3 });
  receiver = await startReceiver((_push, res) => {
    if (!hang) res.writeHead(200).end('success');
  });
  // Migrate once, then create the apps, then start the instances together.
  await cli(['migrate', '--store', STORE]);
  await Promise.all([
    cli(['app', 'create', '--store', STORE, '--appid', MAIN.appid, '--secret', MAIN.secret]),
    cli(['app', 'create', '--store', STORE, '--appid', PUSH.appid, '--secret', PUSH.secret]).then(() =>
      cli(['app', 'push', '--store', STORE, '--appid', PUSH.appid, '--url', receiver.url, '--token', 'multiToken', '--format', 'json']),
    ),
  ]);
  const args = [
    '--store',
    STORE,
    '--admin-key',
    ADMIN_KEY,
    '--push-timeout-ms',
    '1000',
    '--push-backoff-ms',
    '300',
    '--push-attempts',
    '6',
  ];
  servers = await Promise.all([0, 1, 2].map(() => startServerProcess(args)));
});

after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  await receiver?.close();
  await db?.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await db?.end();
});

describe('three instances on one PostgreSQL database', { concurrency: false }, () => {
  test('/cgi-bin/token: a token works on every instance; overlap and supersession hold across instances', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const t1 = await tokenOn(a);
    assert.deepEqual(await everywhere(t1), [0, 0, 0], 'issued by A, works on A, B, C');

    const t2 = await tokenOn(b);
    assert.notEqual(t2, t1);
    assert.deepEqual(await everywhere(t1), [0, 0, 0], 'superseded on B: the old one overlaps for 5 minutes, on C too');
    assert.deepEqual(await everywhere(t2), [0, 0, 0]);

    const t3 = await tokenOn(c);
    // The third token ends the first at once; an instance may answer from its 1 s lookup cache meanwhile.
    await eventually(async () => (await everywhere(t1)).every((e) => e === 40001), 3000);
    assert.deepEqual(await everywhere(t2), [0, 0, 0], 'the second one is now the overlapping one');
    assert.deepEqual(await everywhere(t3), [0, 0, 0]);

    await advanceClock(301);
    assert.deepEqual(await everywhere(t2), [40001, 40001, 40001], 'the overlap ended 5 minutes after t3, on every instance');
    assert.deepEqual(await everywhere(t3), [0, 0, 0]);
  });

  test('stable_token: the same token from every instance; force_refresh rules counted across instances', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const s0 = await stableOn(a);
    assert.equal(s0.expires_in, 7200);
    for (const base of [b, c, a]) assert.equal((await stableOn(base, false)).access_token, s0.access_token, base);
    // A /cgi-bin/token elsewhere does not touch the stable series.
    await tokenOn(b);
    assert.deepEqual(await everywhere(s0.access_token), [0, 0, 0]);

    const f1 = (await stableOn(b, true)).access_token as string;
    assert.notEqual(f1, s0.access_token);
    assert.deepEqual(await everywhere(s0.access_token), [0, 0, 0], 'the previous stable token overlaps');
    assert.equal((await stableOn(c, true)).access_token, f1, 'forced again on C within 30 s of B: no refresh');
    assert.equal((await stableOn(a)).access_token, f1, 'plain call on A: the current one');

    await advanceClock(31);
    const f2 = (await stableOn(a, true)).access_token as string;
    assert.ok(f2 && f2 !== f1);
    await eventually(async () => (await everywhere(s0.access_token)).every((e) => e === 40001), 3000);
    assert.deepEqual(await everywhere(f1), [0, 0, 0]);
    for (const base of [b, c]) assert.equal((await stableOn(base)).access_token, f2);

    // 3 forced calls so far today (the one within 30 s counts too): 17 more on any instance, the 21st is refused everywhere.
    for (let i = 0; i < 17; i++) {
      const got = await stableOn(servers[i % 3]!.url, true);
      assert.equal(got.access_token, f2, `forced call ${i + 4} (within 30 s: no refresh)`);
    }
    for (const base of [a, b, c]) assert.equal((await stableOn(base, true)).errcode, 45009, base);
    assert.equal((await stableOn(c)).access_token, f2, 'plain calls still work');
  });

  test('300 concurrent addOrders for 100 order_ids over 3 instances → 100 orders, one answer per order_id, quota taken once per order', async () => {
    const [a] = servers.map((s) => s.url) as [string];
    const token = await tokenOn(servers[2]!.url);
    const bind = await call(a, PATHS.bindAccount, {
      token,
      body: { type: 'bind', biz_id: 'yto-multi', delivery_id: 'YTO', password: 'pw' },
    });
    assert.equal(bind.json.errcode, 0, bind.text);
    const quota = async (base: string) =>
      (await call(base, PATHS.getQuota, { token, body: { delivery_id: 'YTO', biz_id: 'yto-multi' } })).json.quota_num as number;
    const before = await quota(a);

    const ids = Array.from({ length: 100 }, (_, i) => `multi-${i}`);
    const calls = ids.flatMap((id, i) =>
      [0, 1, 2].map((k) => ({ id, base: servers[(i + k) % 3]!.url, body: testOrder(id, { delivery_id: 'YTO', biz_id: 'yto-multi' }) })),
    );
    // Shuffle so duplicates race from different instances in different orders.
    for (let i = calls.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [calls[i], calls[j]] = [calls[j]!, calls[i]!];
    }
    const answers = await Promise.all(
      calls.map(async (c) => ({ id: c.id, a: await call(c.base, PATHS.addOrder, { token, body: c.body }) })),
    );
    const byId = new Map<string, string[]>();
    for (const { id, a: ans } of answers) {
      assert.equal(ans.json.errcode, 0, ans.text);
      byId.set(id, [...(byId.get(id) ?? []), ans.text]);
    }
    for (const [id, texts] of byId) {
      assert.equal(texts.length, 3);
      assert.ok(
        texts.every((t) => t === texts[0]),
        `${id}: ${texts.join(' | ')}`,
      );
    }
    const waybills = new Set([...byId.values()].map((t) => JSON.parse(t[0]!).waybill_id as string));
    assert.equal(waybills.size, 100, 'one waybill number per order');

    const { rows } = await db.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM "${SCHEMA}".orders WHERE appid = $1 AND order_id LIKE 'multi-%'`,
      [MAIN.appid],
    );
    assert.equal(Number(rows[0]!.n), 100);
    for (const s of servers) assert.equal(await quota(s.url), before - 100, `quota on ${s.url}`);
    // getOrder answers byte-identically on every instance.
    const got = await Promise.all(
      servers.map((s) => call(s.url, PATHS.getOrder, { token, body: { order_id: 'multi-7', delivery_id: 'YTO' } })),
    );
    assert.equal(got[0]!.json.errcode, 0, got[0]!.text);
    assert.ok(got.every((g) => g.text === got[0]!.text));
  });

  test('path updates through different instances → every event pushed, Versions in order per waybill', async () => {
    const token = await tokenOn(servers[0]!.url, PUSH);
    const waybills = await addWaybills(token, 'path', 6);
    const start = receiver.received.length;
    const UPDATES = 4;
    await Promise.all(
      waybills.map(async (w, i) => {
        for (let n = 0; n < UPDATES; n++) await update(servers[(i + n) % 3]!.url, token, w, n);
      }),
    );
    await waitDelivered(waybills, waybills.length * UPDATES, 15_000);
    checkOrder(receiver.received.slice(start), waybills, UPDATES);
  });

  test('call counters: concurrent calls on three instances are all counted (no lost increment); limits, 45009, clear_quota and rids hold across instances', async () => {
    const QUOTA = { appid: 'wxmu1t1000000000c3', secret: 'q'.repeat(32) };
    await cli(['app', 'create', '--store', STORE, '--appid', QUOTA.appid, '--secret', QUOTA.secret]);
    // One token (a third /cgi-bin/token would end the first at once): it works on every instance.
    const token = await tokenOn(servers[0]!.url, QUOTA);
    const tokens = servers.map(() => token);
    const used = async (base: string, token: string) =>
      (await call(base, '/cgi-bin/openapi/quota/get', { token, body: { cgi_path: PATHS.getAllDelivery } })).json.quota as {
        used: number;
        daily_limit: number;
      };

    // 3 × 60 calls at once, 20 in flight per instance.
    await Promise.all(
      servers.map(async (s, i) => {
        for (let round = 0; round < 3; round++) {
          const codes = await Promise.all(Array.from({ length: 20 }, () => errcodeWith(s.url, tokens[i]!)));
          assert.deepEqual([...new Set(codes)], [0]);
        }
      }),
    );
    // Every instance adds its calls to the store within a flush and reads the others' back.
    await eventually(async () => (await Promise.all(servers.map((s, i) => used(s.url, tokens[i]!)))).every((u) => u.used === 180), 5000);
    const { rows } = await db.query(`SELECT count FROM "${SCHEMA}".api_usage WHERE appid = $1 AND cgi_path = $2`, [
      QUOTA.appid,
      PATHS.getAllDelivery,
    ]);
    assert.deepEqual(
      rows.map((r) => Number(r.count)),
      [180],
      'one row, every call',
    );

    // A limit set by the CLI reaches every instance; once it is used up every instance refuses.
    await cli(['app', 'limits', '--store', STORE, '--appid', QUOTA.appid, '--cgi-path', PATHS.getAllDelivery, '--daily-limit', '200']);
    await eventually(
      async () => (await Promise.all(servers.map((s, i) => used(s.url, tokens[i]!)))).every((u) => u.daily_limit === 200),
      5000,
    );
    let admitted = 0;
    for (let i = 0; i < 30; i++) if ((await errcodeWith(servers[i % 3]!.url, tokens[i % 3]!)) === 0) admitted++;
    assert.ok(admitted >= 20, `at least the 20 calls left were admitted (${admitted})`);
    // Until every instance has read the others' counts it may admit a few more (docs/deviations.md 18): tally them too.
    await eventually(async () => {
      const codes = await everywhereWith(tokens);
      admitted += codes.filter((e) => e === 0).length;
      return codes.every((e) => e === 45009);
    }, 5000);
    const counted = async () =>
      Number(
        (await db.query(`SELECT count FROM "${SCHEMA}".api_usage WHERE appid = $1 AND cgi_path = $2`, [QUOTA.appid, PATHS.getAllDelivery]))
          .rows[0].count,
      );
    // Every instance flushes what it admitted within a few of its 200 ms ticks; a busy machine may take longer.
    await eventually(async () => (await counted()) >= 180 + admitted, 5000).catch(() => undefined);
    assert.equal(await counted(), 180 + admitted, 'admitted calls and counted calls agree');
    // Two more ticks: no instance counts a call late, twice.
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(await counted(), 180 + admitted, 'and still agree after the next flushes');

    // clear_quota on one instance opens the day again on all of them.
    assert.deepEqual((await call(servers[1]!.url, '/cgi-bin/clear_quota', { token: tokens[1]!, body: { appid: QUOTA.appid } })).json, {
      errcode: 0,
      errmsg: 'ok',
    });
    await eventually(async () => (await everywhereWith(tokens)).every((e) => e === 0), 5000);

    // A rid answered by A is found through B and C once A has written it.
    const failed = await call(servers[0]!.url, PATHS.getOrder, { token: tokens[0]!, body: { order_id: 'none', delivery_id: 'TEST' } });
    const rid = /rid: (\S+)$/.exec(failed.json.errmsg as string)![1];
    await eventually(async () => {
      const found = await Promise.all(
        servers.slice(1).map((s, i) => call(s.url, '/cgi-bin/openapi/rid/get', { token: tokens[i + 1]!, body: { rid } })),
      );
      return found.every((f) => f.json.errcode === 0 && f.json.request.response_body === failed.text);
    }, 5000);
  });

  test('an instance SIGKILLed mid-delivery: its leased events are delivered by another instance after the lease lapses', async () => {
    const token = await tokenOn(servers[0]!.url, PUSH);
    const waybills = await addWaybills(token, 'kill', 4);
    const start = receiver.received.length;
    const UPDATES = 2;
    hang = true;
    // All written through one instance, which is nudged at once and so usually claims the heads itself.
    for (const w of waybills) for (let n = 0; n < UPDATES; n++) await update(servers[1]!.url, token, w, n);
    await receiver.waitFor(start + waybills.length, 10_000); // the head of every waybill is in flight
    const leases = (
      await db.query<{ id: number; lease_owner: string }>(
        `SELECT id, lease_owner FROM "${SCHEMA}".events WHERE appid = $1 AND status = 'pending' AND lease_owner IS NOT NULL AND lease_until > $2`,
        [PUSH.appid, Date.now()],
      )
    ).rows;
    assert.ok(leases.length > 0, 'some events are leased');
    const owners = new Map<string, number[]>();
    for (const l of leases) owners.set(l.lease_owner, [...(owners.get(l.lease_owner) ?? []), Number(l.id)]);
    const [owner, leased] = [...owners.entries()].sort((x, y) => y[1].length - x[1].length)[0]!;
    const victim = servers.find((s) => owner.startsWith(`wxl-${s.child.pid}-`));
    assert.ok(victim, `lease owner ${owner} is one of the instances`);
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    servers = servers.filter((s) => s !== victim);
    hang = false;

    // The survivors time out on their own hung attempts (1 s) and retry; the victim's leases lapse after 11 s.
    await waitDelivered(waybills, waybills.length * UPDATES, 25_000);
    const attempts = (
      await db.query<{ event_id: number; delivered: boolean; started_at: number }>(
        `SELECT event_id, delivered, started_at FROM "${SCHEMA}".event_attempts WHERE event_id = ANY($1::bigint[]) ORDER BY event_id, attempt`,
        [leased],
      )
    ).rows;
    for (const id of leased) {
      const mine = attempts.filter((a) => Number(a.event_id) === id);
      assert.ok(
        mine.some((a) => a.delivered && Number(a.started_at) >= killedAt),
        `event ${id} leased by the killed instance was delivered by another: ${JSON.stringify(mine)}`,
      );
    }
    checkOrder(receiver.received.slice(start), waybills, UPDATES);
    // The survivors still serve.
    for (const s of servers) assert.equal(await errcodeWith(s.url, await tokenOn(s.url)), 0);
  });
});

async function addWaybills(token: string, prefix: string, n: number): Promise<string[]> {
  const tag = randomBytes(3).toString('hex');
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const a = await call(servers[i % servers.length]!.url, PATHS.addOrder, { token, body: testOrder(`${prefix}-${tag}-${i}`) });
      assert.equal(a.json.errcode, 0, a.text);
      return a.json.waybill_id as string;
    }),
  );
}

const orderOf = new Map<string, string>();
async function update(base: string, token: string, waybill: string, n: number): Promise<void> {
  const orderId =
    orderOf.get(waybill) ??
    ((await db.query<{ order_id: string }>(`SELECT order_id FROM "${SCHEMA}".orders WHERE waybill_id = $1`, [waybill])).rows[0]!
      .order_id as string);
  orderOf.set(waybill, orderId);
  const types = [100001, 200001, 300002, 300003];
  const a = await call(base, PATHS.testUpdateOrder, {
    token,
    body: {
      biz_id: 'test_biz_id',
      order_id: orderId,
      delivery_id: 'TEST',
      waybill_id: waybill,
      action_time: 1700000000 + n,
      action_type: types[n % 4],
      action_msg: `step ${n}`,
    },
  });
  assert.equal(a.json.errcode, 0, a.text);
}

/** Waits until the outbox holds `n` delivered add_express_path events for these waybills (and none dead). */
async function waitDelivered(waybills: string[], n: number, ms: number): Promise<void> {
  const count = async () => {
    const { rows } = await db.query<{ status: string; n: string }>(
      `SELECT status, COUNT(*) AS n FROM "${SCHEMA}".events WHERE appid = $1 AND stream = ANY($2::text[]) GROUP BY status`,
      [PUSH.appid, waybills.map((w) => `TEST:${w}`)],
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
  };
  try {
    await eventually(async () => {
      const c = await count();
      assert.equal(c.dead ?? 0, 0, `dead letters: ${JSON.stringify(c)}`);
      return (c.delivered ?? 0) >= n && (c.pending ?? 0) === 0;
    }, ms);
  } catch (error) {
    throw new Error(
      `${String(error)}; outbox ${JSON.stringify(await count())}; streams ${JSON.stringify((await db.query(`SELECT DISTINCT stream FROM "${SCHEMA}".events`)).rows)}`,
      { cause: error },
    );
  }
}

/**
 * At least once, in order: per waybill, the first arrival of each Version comes
 * after the first arrival of every smaller one, and every Version 2…n+1 arrived
 * (Version 1 is the order itself; each path node bumps it).
 */
function checkOrder(pushes: Receiver['received'], waybills: string[], updates: number): void {
  const seen = new Map<string, number[]>();
  for (const p of pushes) {
    const e = JSON.parse(p.body) as { WayBillId: string; Version: number };
    if (!waybills.includes(e.WayBillId)) continue;
    const firsts = seen.get(e.WayBillId) ?? [];
    if (!firsts.includes(e.Version)) firsts.push(e.Version);
    seen.set(e.WayBillId, firsts);
  }
  for (const w of waybills) {
    const firsts = seen.get(w) ?? [];
    assert.equal(firsts.length, updates, `${w}: every event arrived (${firsts.join(',')})`);
    for (let i = 1; i < firsts.length; i++) assert.ok(firsts[i]! > firsts[i - 1]!, `${w}: Versions in order, got ${firsts.join(',')}`);
  }
}
