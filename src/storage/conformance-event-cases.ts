/** Conformance cases: the push outbox (events, leases, attempts, replay). */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { APP, APP2, newEvent, times, withApps } from './conformance-fixtures.ts';
import type { AttemptOutcome, EventAttemptRecord, Store } from './types.ts';

const attempt = (event_id: number, n: number, over: Partial<EventAttemptRecord> = {}): EventAttemptRecord => ({
  event_id,
  attempt: n,
  started_at: 1_700_000_300 + n,
  duration_ms: 12,
  url: 'http://127.0.0.1:1/push',
  status_code: 500,
  response_excerpt: 'oops',
  error: 'HTTP 500',
  delivered: false,
  ...over,
});
const delivered = (attempts: number, at = 5000): AttemptOutcome => ({
  status: 'delivered',
  attempts,
  next_attempt_at: at,
  delivered_at: at,
  last_error: null,
});
const ids = async (p: Promise<{ id: number }[]>) => (await p).map((e) => e.id);
const deliver = (store: Store, id: number) =>
  store.events.recordAttempt(attempt(id, 1, { delivered: true, status_code: 200, error: null, response_excerpt: 'success' }), delivered(1));

export const eventCases: ConformanceCase[] = [
  [
    'events: insert answers increasing ids; get reads the event back with 0 attempts, no lease, not delivered',
    async ({ store }) => {
      await withApps(store);
      const a = await store.events.insert(newEvent('SF:1'));
      const b = await store.events.insert(newEvent('SF:1', { status: 'skipped', event: 'other', payload: '{"x":"中"}' }));
      assert.ok(b > a);
      assert.deepEqual(await store.events.get(a), {
        id: a,
        ...newEvent('SF:1'),
        attempts: 0,
        lease_owner: null,
        lease_until: null,
        delivered_at: null,
        last_error: null,
      });
      assert.equal((await store.events.get(b))?.status, 'skipped');
      assert.equal(await store.events.get(b + 1000), undefined);
    },
  ],
  [
    'events: list is newest first and filters by appid, status, stream, beforeId, limit',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const e1 = await store.events.insert(newEvent('s1'));
      const e2 = await store.events.insert(newEvent('s2', { status: 'skipped' }));
      const e3 = await store.events.insert(newEvent('s1', { appid: APP2 }));
      const e4 = await store.events.insert(newEvent('s1'));
      assert.deepEqual(await ids(store.events.list({ limit: 10 })), [e4, e3, e2, e1]);
      assert.deepEqual(await ids(store.events.list({ limit: 10, appid: APP })), [e4, e2, e1]);
      assert.deepEqual(await ids(store.events.list({ limit: 10, status: 'skipped' })), [e2]);
      assert.deepEqual(await ids(store.events.list({ limit: 10, stream: 's1' })), [e4, e3, e1]);
      assert.deepEqual(await ids(store.events.list({ limit: 10, beforeId: e3 })), [e2, e1]);
      assert.deepEqual(await ids(store.events.list({ limit: 2, appid: APP, stream: 's1', status: 'pending' })), [e4, e1]);
    },
  ],
  [
    'events: claimDue leases due pending events (owner, now + leaseMs) by next_attempt_at then id, up to limit',
    async ({ store }) => {
      await withApps(store);
      const late = await store.events.insert(newEvent('a', { next_attempt_at: 900 }));
      const early = await store.events.insert(newEvent('b', { next_attempt_at: 500 }));
      const third = await store.events.insert(newEvent('c', { next_attempt_at: 900 }));
      await store.events.insert(newEvent('d', { next_attempt_at: 1001 }));
      await store.events.insert(newEvent('e', { status: 'skipped', next_attempt_at: 1 }));
      const claimed = await store.events.claimDue(1000, 'w1', 30_000, 2);
      assert.deepEqual(
        claimed.map((e) => e.id),
        [early, late],
      );
      for (const e of claimed) {
        assert.equal(e.lease_owner, 'w1');
        assert.equal(e.lease_until, 31_000);
        assert.deepEqual(await store.events.get(e.id), e);
      }
      assert.deepEqual(await ids(store.events.claimDue(1000, 'w2', 30_000, 10)), [third]);
      assert.deepEqual(await store.events.claimDue(1000, 'w3', 30_000, 10), []);
    },
  ],
  [
    "events: a stream's second event is not claimable while its first is pending (leased, not due, or retrying)",
    async ({ store }) => {
      await withApps(store);
      const first = await store.events.insert(newEvent('SF:W1', { next_attempt_at: 2000 }));
      const second = await store.events.insert(newEvent('SF:W1', { next_attempt_at: 100 }));
      const other = await store.events.insert(newEvent('SF:W2', { next_attempt_at: 100 }));
      assert.deepEqual(await ids(store.events.claimDue(1000, 'w', 100, 10)), [other]);
      await deliver(store, other);
      assert.deepEqual(await ids(store.events.claimDue(2000, 'w', 100, 10)), [first]);
      assert.deepEqual(await store.events.claimDue(2050, 'x', 100, 10), [], 'first is leased: second still waits');
      await store.events.recordAttempt(attempt(first, 1), {
        status: 'pending',
        attempts: 1,
        next_attempt_at: 5000,
        delivered_at: null,
        last_error: 'HTTP 500',
      });
      assert.deepEqual(await store.events.claimDue(3000, 'x', 100, 10), [], 'first retries later: second still waits');
      await store.events.recordAttempt(attempt(first, 2, { delivered: true }), delivered(2));
      assert.deepEqual(await ids(store.events.claimDue(3000, 'x', 100, 10)), [second]);
    },
  ],
  [
    'events: a dead or skipped event does not hold back the rest of its stream',
    async ({ store }) => {
      await withApps(store);
      const dead = await store.events.insert(newEvent('s'));
      await store.events.insert(newEvent('s', { status: 'skipped' }));
      const next = await store.events.insert(newEvent('s'));
      await store.events.claimDue(1000, 'w', 10, 1);
      await store.events.recordAttempt(attempt(dead, 1), {
        status: 'dead',
        attempts: 1,
        next_attempt_at: 1000,
        delivered_at: null,
        last_error: 'gave up',
      });
      assert.deepEqual(await ids(store.events.claimDue(1000, 'w', 10, 10)), [next]);
    },
  ],
  [
    'events: a lease excludes other owners through its last millisecond, then lapses',
    async ({ store }) => {
      await withApps(store);
      const id = await store.events.insert(newEvent('s'));
      await store.events.claimDue(1000, 'a', 500, 10);
      assert.deepEqual(await store.events.claimDue(1499, 'b', 500, 10), []);
      assert.deepEqual(await store.events.claimDue(1500, 'b', 500, 10), []);
      const again = await store.events.claimDue(1501, 'b', 500, 10);
      assert.deepEqual(
        again.map((e) => [e.id, e.lease_owner, e.lease_until]),
        [[id, 'b', 2001]],
      );
    },
  ],
  [
    'events: concurrent claimDue hands each event to one owner',
    async ({ store }) => {
      await withApps(store);
      const all = await times(30, (i) => store.events.insert(newEvent(`s${i}`)));
      const owners = await times(6, async (w) => {
        const got: number[] = [];
        for (let round = 0; round < 10; round++) got.push(...(await ids(store.events.claimDue(1000, `w${w}`, 60_000, 3))));
        return got;
      });
      const claimed = owners.flat().sort((a, b) => a - b);
      assert.deepEqual(
        claimed,
        [...all].sort((a, b) => a - b),
      );
    },
  ],
  [
    'events: recordAttempt logs the attempt, applies the outcome and releases the lease',
    async ({ store }) => {
      await withApps(store);
      const id = await store.events.insert(newEvent('s'));
      await store.events.claimDue(1000, 'w', 60_000, 1);
      const failed = attempt(id, 1, { status_code: null, response_excerpt: '', error: 'ECONNREFUSED' });
      await store.events.recordAttempt(failed, {
        status: 'pending',
        attempts: 1,
        next_attempt_at: 7000,
        delivered_at: null,
        last_error: 'ECONNREFUSED',
      });
      const ok = attempt(id, 2, { status_code: 200, response_excerpt: 'success', error: null, delivered: true, duration_ms: 0 });
      await store.events.recordAttempt(ok, delivered(2, 7001));
      assert.deepEqual(await store.events.listAttempts(id), [failed, ok]);
      assert.deepEqual(await store.events.listAttempts(id + 1000), []);
      assert.deepEqual(await store.events.get(id), {
        id,
        ...newEvent('s'),
        status: 'delivered',
        attempts: 2,
        next_attempt_at: 7001,
        lease_owner: null,
        lease_until: null,
        delivered_at: 7001,
        last_error: null,
      });
      await assert.rejects(store.events.recordAttempt(ok, delivered(2)), 'an attempt number is logged once');
    },
  ],
  [
    'events: replay makes a dead or skipped event pending (attempts kept, error cleared); other states answer false',
    async ({ store }) => {
      await withApps(store);
      const dead = await store.events.insert(newEvent('a'));
      await store.events.recordAttempt(attempt(dead, 1), {
        status: 'dead',
        attempts: 5,
        next_attempt_at: 1,
        delivered_at: null,
        last_error: 'HTTP 500',
      });
      const skipped = await store.events.insert(newEvent('b', { status: 'skipped' }));
      const pending = await store.events.insert(newEvent('c'));
      const done = await store.events.insert(newEvent('d'));
      await deliver(store, done);
      assert.equal(await store.events.replay(dead, 9000), true);
      assert.deepEqual(await store.events.get(dead), {
        id: dead,
        ...newEvent('a'),
        status: 'pending',
        attempts: 5,
        next_attempt_at: 9000,
        lease_owner: null,
        lease_until: null,
        delivered_at: null,
        last_error: null,
      });
      assert.equal(await store.events.replay(dead, 9000), false);
      assert.equal(await store.events.replay(skipped, 9000), true);
      assert.equal((await store.events.get(skipped))?.status, 'pending');
      assert.equal(await store.events.replay(pending, 9000), false);
      assert.equal(await store.events.replay(done, 9000), false);
      assert.equal(await store.events.replay(done + 1000, 9000), false);
      assert.equal((await store.events.listAttempts(dead)).length, 1, 'replay keeps the attempt log');
    },
  ],
  [
    'events: releaseLeases frees lapsed leases and leaves events claimable',
    async ({ store }) => {
      await withApps(store);
      const id = await store.events.insert(newEvent('s', { next_attempt_at: 1 }));
      const past = Date.now() - 60_000;
      await store.events.claimDue(past, 'dead-instance', 1000, 1);
      await store.events.releaseLeases();
      const e = await store.events.get(id);
      assert.equal(e?.lease_owner, null);
      assert.equal(e?.lease_until, null);
      assert.deepEqual(await ids(store.events.claimDue(Date.now(), 'w', 1000, 1)), [id]);
    },
  ],
  [
    'events: releaseLeases drops live leases too (a single-process store restarting owns them all)',
    async ({ store }) => {
      await withApps(store);
      const id = await store.events.insert(newEvent('s', { next_attempt_at: 1 }));
      const now = Date.now();
      await store.events.claimDue(now, 'previous-run', 600_000, 1);
      await store.events.releaseLeases();
      assert.deepEqual(await ids(store.events.claimDue(now, 'this-run', 1000, 1)), [id]);
    },
  ],
  [
    'events: releaseLeases keeps the live leases of other instances',
    async ({ store }) => {
      await withApps(store);
      await store.events.insert(newEvent('s', { next_attempt_at: 1 }));
      const now = Date.now();
      await store.events.claimDue(now, 'other-instance', 600_000, 1);
      await store.events.releaseLeases();
      assert.deepEqual(await store.events.claimDue(now, 'me', 1000, 1), []);
    },
  ],
  [
    'events: an event written in a rolled-back transaction never exists',
    async ({ store }) => {
      await withApps(store);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.events.insert(newEvent('s'));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.events.list({ limit: 10 }), []);
      assert.deepEqual(await store.events.claimDue(1000, 'w', 1000, 10), []);
    },
  ],
];
