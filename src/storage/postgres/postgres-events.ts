/**
 * The push outbox on PostgreSQL: events (id BIGSERIAL PK; by status+next_attempt_at,
 * by stream+id, by appid+id) and event_attempts (event_id, attempt) PK.
 *
 * Several instances claim from one table. `claimDue` is one statement: it picks
 * the oldest pending event of each stream that is due and not leased, locks the
 * rows `FOR UPDATE SKIP LOCKED` (another instance claiming at the same moment
 * skips them; one that arrives after the commit sees the lease) and writes the
 * lease. A lease lapses at `lease_until`, so the events of an instance that died
 * are claimed by another one once it has expired.
 */
import type { EventAttemptRecord, EventFilter, EventRecord, EventStore } from '../types.ts';
import type { Db } from './pg-db.ts';

export function postgresEvents(db: Db): EventStore {
  return {
    async insert(e) {
      const r = await db.query<{ id: number }>(
        `INSERT INTO events (appid, stream, event, payload, created_at, status, attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) RETURNING id`,
        [e.appid, e.stream, e.event, e.payload, e.created_at, e.status, e.next_attempt_at],
      );
      return Number(r.rows[0]?.id);
    },
    async get(id) {
      return (await db.query<EventRecord>('SELECT * FROM events WHERE id = $1', [id])).rows[0];
    },
    async list(f) {
      const { text, values } = listSql(f);
      return (await db.query<EventRecord>(text, values)).rows;
    },
    async claimDue(now, owner, leaseMs, limit) {
      const r = await db.query<EventRecord>(
        `WITH due AS (
           SELECT e.id FROM events e
           WHERE e.status = 'pending' AND e.next_attempt_at <= $1 AND (e.lease_until IS NULL OR e.lease_until < $1)
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.stream = e.stream AND p.status = 'pending' AND p.id < e.id)
           ORDER BY e.next_attempt_at, e.id
           LIMIT $4
           FOR UPDATE OF e SKIP LOCKED
         )
         UPDATE events SET lease_owner = $2, lease_until = $3 FROM due WHERE events.id = due.id
         RETURNING events.*`,
        [now, owner, now + leaseMs, limit],
      );
      // RETURNING has no defined order: answer in claim order, as SQLite does.
      return r.rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    },
    recordAttempt(a, o) {
      return db.atomic(async (tx) => {
        await tx.query(
          `INSERT INTO event_attempts (event_id, attempt, started_at, duration_ms, url, status_code, response_excerpt, error, delivered)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [a.event_id, a.attempt, a.started_at, a.duration_ms, a.url, a.status_code, a.response_excerpt, a.error, a.delivered],
        );
        await tx.query(
          `UPDATE events SET status = $1, attempts = $2, next_attempt_at = $3, delivered_at = $4, last_error = $5,
             lease_owner = NULL, lease_until = NULL WHERE id = $6`,
          [o.status, o.attempts, o.next_attempt_at, o.delivered_at, o.last_error, a.event_id],
        );
      });
    },
    async listAttempts(eventId) {
      return (await db.query<EventAttemptRecord>('SELECT * FROM event_attempts WHERE event_id = $1 ORDER BY attempt', [eventId])).rows;
    },
    // attempts is kept: the attempt log numbers attempts over the event's whole life.
    async replay(id, now) {
      const r = await db.query(
        `UPDATE events SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL, last_error = NULL
         WHERE id = $2 AND status IN ('dead', 'skipped')`,
        [now, id],
      );
      return r.rowCount === 1;
    },
    // SQLite drops every lease: one process owns the file, so after a restart every
    // lease is its own dead one. Here other live instances hold leases on the same
    // table; dropping them would hand their in-flight events out twice. Only leases
    // that have already lapsed (wall-clock ms, as lease_until is written) are cleared,
    // which claimDue would treat as free anyway: the effective behaviour is a no-op.
    async releaseLeases() {
      await db.query('UPDATE events SET lease_owner = NULL, lease_until = NULL WHERE lease_until IS NOT NULL AND lease_until < $1', [
        Date.now(),
      ]);
    },
  };
}

function listSql(f: EventFilter): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const arg = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  if (f.appid !== undefined) where.push(`appid = ${arg(f.appid)}`);
  if (f.status !== undefined) where.push(`status = ${arg(f.status)}`);
  if (f.stream !== undefined) where.push(`stream = ${arg(f.stream)}`);
  if (f.beforeId !== undefined) where.push(`id < ${arg(f.beforeId)}`);
  return {
    text: `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${arg(f.limit)}`,
    values,
  };
}
