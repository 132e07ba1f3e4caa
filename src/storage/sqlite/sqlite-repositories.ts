import type Database from 'better-sqlite3';
import type {
  AccountRecord,
  AppRecord,
  CloudCredentialRecord,
  EventAttemptRecord,
  EventFilter,
  EventRecord,
  OrderHead,
  OrderSearch,
  PathNodeRecord,
  PrinterRecord,
  PushConfigRecord,
  ScheduledStepRecord,
  ForceRefreshState,
  OrderRecord,
  Repositories,
  TokenRecord,
} from '../types.ts';
import type { TokenKind } from '../../core/tokens.ts';
import { orderSearchSql } from '../order-search-sql.ts';
import { sqliteApiCalls } from './sqlite-api-calls.ts';
import { sqliteCarrierEvents, sqliteCarriers } from './sqlite-carriers.ts';

type OrderRow = Omit<OrderRecord, 'waybill_data'> & { waybill_data: string };

const toOrder = (row: OrderRow): OrderRecord => ({ ...row, waybill_data: JSON.parse(row.waybill_data) });

/** What the store learns about orders as statements run (see ./known-order-heads.ts). */
export interface OrderRowHooks {
  /** An order's head was read (called in the same synchronous step as the read). */
  read?(appid: string, orderId: string, head: OrderHead): void;
  /** A statement changed or inserted an orders row. Every statement that writes orders must call it. */
  written?(appid: string, orderId: string): void;
}

const headOf = (r: OrderHead): OrderHead => ({
  delivery_id: r.delivery_id,
  waybill_id: r.waybill_id,
  version: r.version,
  order_status: r.order_status,
});

/**
 * Repositories over one better-sqlite3 connection. `gate` returns a promise to
 * wait for before touching the database (an open transaction), or undefined.
 */
export function sqliteRepositories(
  db: Database.Database,
  gate: () => Promise<unknown> | undefined,
  hooks: OrderRowHooks = {},
): Repositories {
  const read = hooks.read ?? (() => undefined);
  const written = hooks.written ?? (() => undefined);
  const q = <T>(fn: () => T): Promise<T> => {
    const g = gate();
    return g ? g.then(fn, fn) : Promise.resolve().then(fn);
  };
  const s = {
    appInsert: db.prepare('INSERT INTO apps (appid, secret_hash, created_at) VALUES (@appid, @secret_hash, @created_at)'),
    appGet: db.prepare('SELECT appid, secret_hash, created_at FROM apps WHERE appid = ?'),
    appList: db.prepare('SELECT appid, secret_hash, created_at FROM apps ORDER BY created_at, appid'),
    tokenGet: db.prepare('SELECT * FROM tokens WHERE token_hash = ?'),
    tokenInsert: db.prepare(
      'INSERT INTO tokens (token_hash, appid, kind, issued_at, expires_at, revoke_at, token_text) VALUES (@token_hash, @appid, @kind, @issued_at, @expires_at, @revoke_at, @token_text)',
    ),
    tokenLive: db.prepare(
      'SELECT * FROM tokens WHERE appid = ? AND kind = ? AND expires_at > ? AND (revoke_at IS NULL OR revoke_at > ?) ORDER BY issued_at DESC, rowid DESC',
    ),
    tokenRevoke: db.prepare('UPDATE tokens SET revoke_at = ? WHERE token_hash = ?'),
    frGet: db.prepare('SELECT day, count, last_at FROM force_refresh WHERE appid = ?'),
    frSet: db.prepare(
      'INSERT INTO force_refresh (appid, day, count, last_at) VALUES (?, ?, ?, ?) ON CONFLICT (appid) DO UPDATE SET day = excluded.day, count = excluded.count, last_at = excluded.last_at',
    ),
    orderInsert: db.prepare(
      `INSERT INTO orders (appid, order_id, delivery_id, waybill_id, biz_id, openid, body, order_status, version, waybill_data, created_at, updated_at)
       VALUES (@appid, @order_id, @delivery_id, @waybill_id, @biz_id, @openid, @body, @order_status, @version, @waybill_data, @created_at, @updated_at)
       ON CONFLICT (appid, order_id) DO NOTHING`,
    ),
    orderGet: db.prepare('SELECT * FROM orders WHERE appid = ? AND order_id = ?'),
    orderByWaybill: db.prepare('SELECT * FROM orders WHERE waybill_id = ?'),
    orderHead: db.prepare(
      'SELECT delivery_id, waybill_id, version, order_status FROM orders INDEXED BY orders_head WHERE appid = ? AND order_id = ?',
    ),
    orderStatus: db.prepare('UPDATE orders SET order_status = ?, updated_at = ?, version = version + 1 WHERE appid = ? AND order_id = ?'),
    accountGet: db.prepare('SELECT * FROM accounts WHERE appid = ? AND delivery_id = ? AND biz_id = ?'),
    accountList: db.prepare('SELECT * FROM accounts WHERE appid = ? ORDER BY create_time, delivery_id, biz_id'),
    accountUpsert: db.prepare(
      `INSERT INTO accounts (appid, delivery_id, biz_id, password, alias, remark_content, remark_wrong_msg, status_code, quota_num, create_time, update_time, quota_update_time)
       VALUES (@appid, @delivery_id, @biz_id, @password, @alias, @remark_content, @remark_wrong_msg, @status_code, @quota_num, @create_time, @update_time, @quota_update_time)
       ON CONFLICT (appid, delivery_id, biz_id) DO UPDATE SET password = excluded.password, alias = excluded.alias,
         remark_content = excluded.remark_content, remark_wrong_msg = excluded.remark_wrong_msg, status_code = excluded.status_code,
         quota_num = excluded.quota_num, update_time = excluded.update_time, quota_update_time = excluded.quota_update_time`,
    ),
    accountDelete: db.prepare('DELETE FROM accounts WHERE appid = ? AND delivery_id = ? AND biz_id = ?'),
    accountTakeQuota: db.prepare(
      'UPDATE accounts SET quota_num = quota_num - 1, quota_update_time = ? WHERE appid = ? AND delivery_id = ? AND biz_id = ? AND quota_num > 0',
    ),
    cloudAdd: db.prepare(
      'INSERT INTO cloud_credentials (secret_id, appid, secret_key, created_at) VALUES (@secret_id, @appid, @secret_key, @created_at)',
    ),
    cloudFind: db.prepare('SELECT * FROM cloud_credentials WHERE secret_id = ?'),
    cloudList: db.prepare('SELECT * FROM cloud_credentials WHERE appid = ? ORDER BY created_at, secret_id'),
    envAdd: db.prepare('INSERT INTO cloud_envs (appid, env) VALUES (?, ?) ON CONFLICT (appid, env) DO NOTHING'),
    envList: db.prepare('SELECT env FROM cloud_envs WHERE appid = ? ORDER BY env'),
    pathAppend: db.prepare(
      'INSERT INTO path_nodes (appid, order_id, seq, action_time, action_type, action_msg) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM path_nodes WHERE appid = ? AND order_id = ?), ?, ?, ?)',
    ),
    pathBump: db.prepare('UPDATE orders SET version = version + 1, updated_at = ?, last_action_type = ? WHERE appid = ? AND order_id = ?'),
    pathCount: db.prepare('SELECT COUNT(*) AS n FROM path_nodes WHERE appid = ? AND order_id = ?'),
    pathList: db.prepare('SELECT action_time, action_type, action_msg FROM path_nodes WHERE appid = ? AND order_id = ? ORDER BY seq'),
    pushGet: db.prepare('SELECT * FROM push_configs WHERE appid = ?'),
    pushPut: db.prepare(
      `INSERT INTO push_configs (appid, url, token, encoding_aes_key, mode, format, updated_at) VALUES (@appid, @url, @token, @encoding_aes_key, @mode, @format, @updated_at)
       ON CONFLICT (appid) DO UPDATE SET url = excluded.url, token = excluded.token, encoding_aes_key = excluded.encoding_aes_key,
         mode = excluded.mode, format = excluded.format, updated_at = excluded.updated_at`,
    ),
    eventInsert: db.prepare(
      `INSERT INTO events (appid, stream, event, payload, created_at, status, attempts, next_attempt_at)
       VALUES (@appid, @stream, @event, @payload, @created_at, @status, 0, @next_attempt_at)`,
    ),
    eventGet: db.prepare('SELECT * FROM events WHERE id = ?'),
    // The oldest pending event of each stream, if it is due and not leased.
    eventDue: db.prepare(
      `SELECT e.* FROM events e
       WHERE e.status = 'pending' AND e.next_attempt_at <= @now AND (e.lease_until IS NULL OR e.lease_until < @now)
         AND NOT EXISTS (SELECT 1 FROM events p WHERE p.stream = e.stream AND p.status = 'pending' AND p.id < e.id)
       ORDER BY e.next_attempt_at, e.id LIMIT @limit`,
    ),
    eventLease: db.prepare('UPDATE events SET lease_owner = ?, lease_until = ? WHERE id = ?'),
    eventOutcome: db.prepare(
      `UPDATE events SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at, delivered_at = @delivered_at,
         last_error = @last_error, lease_owner = NULL, lease_until = NULL WHERE id = @id`,
    ),
    attemptInsert: db.prepare(
      `INSERT INTO event_attempts (event_id, attempt, started_at, duration_ms, url, status_code, response_excerpt, error, delivered)
       VALUES (@event_id, @attempt, @started_at, @duration_ms, @url, @status_code, @response_excerpt, @error, @delivered)`,
    ),
    attemptList: db.prepare('SELECT * FROM event_attempts WHERE event_id = ? ORDER BY attempt'),
    eventReplay: db.prepare(
      `UPDATE events SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE id = ? AND status IN ('dead', 'skipped')`,
    ),
    eventRelease: db.prepare('UPDATE events SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL'),
    printerUpsert: db.prepare(
      `INSERT INTO printers (appid, openid, tagid_list, updated_at) VALUES (@appid, @openid, @tagid_list, @updated_at)
       ON CONFLICT (appid, openid) DO UPDATE SET tagid_list = excluded.tagid_list, updated_at = excluded.updated_at`,
    ),
    printerDelete: db.prepare('DELETE FROM printers WHERE appid = ? AND openid = ?'),
    printerList: db.prepare('SELECT * FROM printers WHERE appid = ? ORDER BY updated_at, openid'),
    stepInsert: db.prepare(
      'INSERT INTO scheduled_steps (appid, order_id, step, due_at, action_type, action_msg) VALUES (@appid, @order_id, @step, @due_at, @action_type, @action_msg)',
    ),
    stepDue: db.prepare('SELECT * FROM scheduled_steps WHERE due_at <= ? ORDER BY due_at, appid, order_id, step LIMIT ?'),
    stepTake: db.prepare('DELETE FROM scheduled_steps WHERE appid = ? AND order_id = ? AND step = ?'),
    stepClear: db.prepare('DELETE FROM scheduled_steps WHERE appid = ? AND order_id = ?'),
    settingGet: db.prepare('SELECT value FROM settings WHERE key = ?'),
    settingInsert: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    settingAdd: db.prepare(
      `INSERT INTO settings (key, value) VALUES (?, CAST(? AS TEXT)) ON CONFLICT (key)
       DO UPDATE SET value = CAST(CAST(settings.value AS NUMERIC) + CAST(excluded.value AS NUMERIC) AS TEXT) RETURNING value`,
    ),
    settingPut: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    seqNext: db.prepare(
      'INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
    ),
  };

  return {
    apps: {
      insert: (app: AppRecord) => q(() => void s.appInsert.run(app)),
      get: (appid) => q(() => s.appGet.get(appid) as AppRecord | undefined),
      list: () => q(() => s.appList.all() as AppRecord[]),
      lock: async () => undefined, // transactions are already exclusive (BEGIN IMMEDIATE)
    },
    tokens: {
      get: (hash) => q(() => s.tokenGet.get(hash) as TokenRecord | undefined),
      insert: (token) => q(() => void s.tokenInsert.run(token)),
      listLive: (appid, kind: TokenKind, now) => q(() => s.tokenLive.all(appid, kind, now, now) as TokenRecord[]),
      setRevokeAt: (hash, at) => q(() => void s.tokenRevoke.run(at, hash)),
      getForceRefresh: (appid) => q(() => s.frGet.get(appid) as ForceRefreshState | undefined),
      setForceRefresh: (appid, st) => q(() => void s.frSet.run(appid, st.day, st.count, st.last_at)),
    },
    orders: {
      insertIfAbsent: (order) =>
        q(() => {
          const r = s.orderInsert.run({ ...order, waybill_data: JSON.stringify(order.waybill_data) });
          if (r.changes === 1) {
            written(order.appid, order.order_id);
            return { inserted: true as const };
          }
          return { inserted: false as const, existing: toOrder(s.orderGet.get(order.appid, order.order_id) as OrderRow) };
        }),
      get: (appid, orderId) =>
        q(() => {
          const row = s.orderGet.get(appid, orderId) as OrderRow | undefined;
          if (row) read(appid, orderId, headOf(row));
          return row && toOrder(row);
        }),
      getHead: (appid, orderId) =>
        q(() => {
          const head = s.orderHead.get(appid, orderId) as OrderHead | undefined;
          if (head) read(appid, orderId, headOf(head));
          return head;
        }),
      getByWaybill: (waybillId) =>
        q(() => {
          const row = s.orderByWaybill.get(waybillId) as OrderRow | undefined;
          return row && toOrder(row);
        }),
      lock: async () => undefined, // transactions are already exclusive (BEGIN IMMEDIATE)
      setStatus: (appid, orderId, status, at) =>
        q(() => {
          s.orderStatus.run(status, at, appid, orderId);
          written(appid, orderId);
        }),
      pathCount: (appid, orderId) => q(() => (s.pathCount.get(appid, orderId) as { n: number }).n),
      appendPathNode: (appid, orderId, node, at) =>
        q(() => {
          s.pathAppend.run(appid, orderId, appid, orderId, node.action_time, node.action_type, node.action_msg);
          s.pathBump.run(at, node.action_type, appid, orderId);
          written(appid, orderId);
          return (s.pathCount.get(appid, orderId) as { n: number }).n;
        }),
      listPathNodes: (appid, orderId) => q(() => s.pathList.all(appid, orderId) as PathNodeRecord[]),
      search: (query) => q(() => (searchOrders(db, query) as OrderRow[]).map(toOrder)),
    },
    pushConfigs: {
      get: (appid) => q(() => s.pushGet.get(appid) as PushConfigRecord | undefined),
      put: (c) => q(() => void s.pushPut.run(c)),
    },
    events: {
      insert: (e) => q(() => Number(s.eventInsert.run(e).lastInsertRowid)),
      get: (id) => q(() => s.eventGet.get(id) as EventRecord | undefined),
      list: (f) => q(() => listEvents(db, f)),
      claimDue: (now, owner, leaseMs, limit) =>
        q(() => {
          const due = s.eventDue.all({ now, limit }) as EventRecord[];
          for (const e of due) s.eventLease.run(owner, now + leaseMs, e.id);
          return due.map((e) => ({ ...e, lease_owner: owner, lease_until: now + leaseMs }));
        }),
      recordAttempt: (a, o) =>
        q(() => {
          s.attemptInsert.run({ ...a, delivered: a.delivered ? 1 : 0 });
          s.eventOutcome.run({ ...o, id: a.event_id });
        }),
      listAttempts: (id) =>
        q(() =>
          (s.attemptList.all(id) as (Omit<EventAttemptRecord, 'delivered'> & { delivered: number })[]).map((a) => ({
            ...a,
            delivered: a.delivered === 1,
          })),
        ),
      replay: (id, now) => q(() => s.eventReplay.run(now, id).changes === 1),
      releaseLeases: () => q(() => void s.eventRelease.run()),
    },
    printers: {
      upsert: (p) => q(() => void s.printerUpsert.run(p)),
      delete: (appid, openid) => q(() => s.printerDelete.run(appid, openid).changes > 0),
      list: (appid) => q(() => s.printerList.all(appid) as PrinterRecord[]),
    },
    schedule: {
      insert: (steps) => q(() => steps.forEach((st) => s.stepInsert.run(st))),
      due: (now, limit) => q(() => s.stepDue.all(now, limit) as ScheduledStepRecord[]),
      take: (appid, orderId, step) => q(() => s.stepTake.run(appid, orderId, step).changes === 1),
      clear: (appid, orderId) => q(() => void s.stepClear.run(appid, orderId)),
    },
    settings: {
      get: (key) => q(() => (s.settingGet.get(key) as { value: string } | undefined)?.value),
      put: (key, value) => q(() => void s.settingPut.run(key, value)),
      putIfAbsent: (key, value) =>
        q(() => {
          s.settingInsert.run(key, value);
          return (s.settingGet.get(key) as { value: string }).value;
        }),
      addNumber: (key, delta) => q(() => Number((s.settingAdd.get(key, delta) as { value: string }).value)),
    },
    accounts: {
      get: (appid, d, b) => q(() => s.accountGet.get(appid, d, b) as AccountRecord | undefined),
      list: (appid) => q(() => s.accountList.all(appid) as AccountRecord[]),
      upsert: (a) => q(() => void s.accountUpsert.run(a)),
      delete: (appid, d, b) => q(() => s.accountDelete.run(appid, d, b).changes > 0),
      takeQuota: (appid, d, b, now) => q(() => s.accountTakeQuota.run(now, appid, d, b).changes === 1),
    },
    cloud: {
      addCredential: (c) => q(() => void s.cloudAdd.run(c)),
      findCredential: (id) => q(() => s.cloudFind.get(id) as CloudCredentialRecord | undefined),
      listCredentials: (appid) => q(() => s.cloudList.all(appid) as CloudCredentialRecord[]),
      addEnv: (appid, env) => q(() => void s.envAdd.run(appid, env)),
      listEnvs: (appid) => q(() => (s.envList.all(appid) as { env: string }[]).map((r) => r.env)),
    },
    sequences: {
      next: (name) => q(() => Number((s.seqNext.get(name) as { value: number | bigint }).value)),
    },
    apiCalls: sqliteApiCalls(db, q),
    carriers: sqliteCarriers(db, q),
    carrierEvents: sqliteCarrierEvents(db, q),
  };
}

/** Orders matching the console's filters, newest first, after an optional keyset cursor. */
function searchOrders(db: Database.Database, query: OrderSearch): unknown[] {
  const { text, values } = orderSearchSql(query, { placeholder: () => '?', collate: '' });
  return db.prepare(text).all(...values);
}

function listEvents(db: Database.Database, f: EventFilter): EventRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.appid !== undefined) {
    where.push('appid = ?');
    args.push(f.appid);
  }
  if (f.status !== undefined) {
    where.push('status = ?');
    args.push(f.status);
  }
  if (f.stream !== undefined) {
    where.push('stream = ?');
    args.push(f.stream);
  }
  if (f.beforeId !== undefined) {
    where.push('id < ?');
    args.push(f.beforeId);
  }
  const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return db.prepare(sql).all(...args, f.limit) as EventRecord[];
}

/** Methods that only read: outside a transaction they may run on a read-only connection. */
const READS = {
  apps: ['get', 'list'],
  tokens: ['get', 'listLive', 'getForceRefresh'],
  orders: ['get', 'getHead', 'getByWaybill', 'pathCount', 'listPathNodes', 'search'],
  accounts: ['get', 'list'],
  cloud: ['findCredential', 'listCredentials', 'listEnvs'],
  pushConfigs: ['get'],
  events: ['get', 'list', 'listAttempts'],
  printers: ['list'],
  schedule: ['due'],
  settings: ['get'],
  apiCalls: ['listLimits', 'listUsage', 'resetsUsed', 'getRid'],
  carriers: ['get', 'list'],
  carrierEvents: ['get', 'list'],
} as const;

/** `writer`'s repositories with their read methods taken from `reader`. */
export function withReadsFrom(writer: Repositories, reader: Repositories): Repositories {
  const out = { ...writer } as unknown as Record<string, Record<string, unknown>>;
  for (const [repo, methods] of Object.entries(READS)) {
    const from = reader[repo as keyof Repositories] as unknown as Record<string, unknown>;
    out[repo] = { ...(writer[repo as keyof Repositories] as unknown as Record<string, unknown>) };
    for (const m of methods) out[repo]![m] = from[m];
  }
  return out as unknown as Repositories;
}
