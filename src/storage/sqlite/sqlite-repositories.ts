import type Database from 'better-sqlite3';
import type {
  AccountRecord,
  AppRecord,
  CloudCredentialRecord,
  ForceRefreshState,
  OrderRecord,
  Repositories,
  TokenRecord,
} from '../types.ts';
import type { TokenKind } from '../../core/tokens.ts';

type OrderRow = Omit<OrderRecord, 'waybill_data'> & { waybill_data: string };

const toOrder = (row: OrderRow): OrderRecord => ({ ...row, waybill_data: JSON.parse(row.waybill_data) });

/**
 * Repositories over one better-sqlite3 connection. `gate` returns a promise to
 * wait for before touching the database (an open transaction), or undefined.
 */
export function sqliteRepositories(
  db: Database.Database,
  gate: () => Promise<unknown> | undefined,
): Repositories {
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
    orderStatus: db.prepare(
      'UPDATE orders SET order_status = ?, updated_at = ?, version = version + 1 WHERE appid = ? AND order_id = ?',
    ),
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
    cloudAdd: db.prepare('INSERT INTO cloud_credentials (secret_id, appid, secret_key, created_at) VALUES (@secret_id, @appid, @secret_key, @created_at)'),
    cloudFind: db.prepare('SELECT * FROM cloud_credentials WHERE secret_id = ?'),
    cloudList: db.prepare('SELECT * FROM cloud_credentials WHERE appid = ? ORDER BY created_at, secret_id'),
    envAdd: db.prepare('INSERT INTO cloud_envs (appid, env) VALUES (?, ?) ON CONFLICT (appid, env) DO NOTHING'),
    envList: db.prepare('SELECT env FROM cloud_envs WHERE appid = ? ORDER BY env'),
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
          if (r.changes === 1) return { inserted: true as const };
          return { inserted: false as const, existing: toOrder(s.orderGet.get(order.appid, order.order_id) as OrderRow) };
        }),
      get: (appid, orderId) =>
        q(() => {
          const row = s.orderGet.get(appid, orderId) as OrderRow | undefined;
          return row && toOrder(row);
        }),
      setStatus: (appid, orderId, status, at) => q(() => void s.orderStatus.run(status, at, appid, orderId)),
      pathCount: async () => 0, // path nodes arrive with issue #3
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
  };
}
