/**
 * Repositories over PostgreSQL for the small tables: apps, tokens, force_refresh,
 * accounts, sequences, cloud credentials/envs, push configs, printers, settings.
 * Orders (+ path nodes, scheduled steps) and the outbox live beside this file.
 *
 * Text keys are ordered `COLLATE "C"` (byte order), as SQLite's BINARY does,
 * so lists come back in the same order whatever the database's locale.
 */
import type {
  AccountRecord,
  AppRecord,
  AppStore,
  CloudCredentialRecord,
  CloudStore,
  ForceRefreshState,
  PrinterRecord,
  PrinterStore,
  PushConfigRecord,
  PushConfigStore,
  Repositories,
  SequenceStore,
  SettingStore,
  TokenRecord,
  TokenStore,
  AccountStore,
} from '../types.ts';
import { named, type Db } from './pg-db.ts';
import { postgresApiCalls } from './postgres-api-calls.ts';
import { postgresEvents } from './postgres-events.ts';
import { postgresCarrierEvents, postgresCarriers } from './postgres-carriers.ts';
import { postgresOrders, postgresSchedule } from './postgres-orders.ts';

/**
 * `autonomous` runs outside the caller's transaction: sequences are taken there, so
 * the counter row is locked for one statement, not until the addOrder commits (a
 * number lost to a rollback is never reused, which is all waybills need).
 */
export function postgresRepositories(db: Db, autonomous: Db = db): Repositories {
  return {
    apps: apps(db),
    tokens: tokens(db),
    orders: postgresOrders(db),
    accounts: accounts(db),
    sequences: sequences(autonomous),
    cloud: cloud(db),
    pushConfigs: pushConfigs(db),
    events: postgresEvents(db),
    printers: printers(db),
    schedule: postgresSchedule(db),
    settings: settings(db),
    apiCalls: postgresApiCalls(db),
    carriers: postgresCarriers(db),
    carrierEvents: postgresCarrierEvents(db),
  };
}

const first = <R>(rows: R[]): R | undefined => rows[0];

function apps(db: Db): AppStore {
  return {
    async insert(app) {
      await db.query('INSERT INTO apps (appid, secret_hash, created_at) VALUES ($1, $2, $3)', [app.appid, app.secret_hash, app.created_at]);
    },
    async get(appid) {
      return first((await db.query<AppRecord>('SELECT appid, secret_hash, created_at FROM apps WHERE appid = $1', [appid])).rows);
    },
    async list() {
      return (await db.query<AppRecord>('SELECT appid, secret_hash, created_at FROM apps ORDER BY created_at, appid COLLATE "C"')).rows;
    },
    // Row lock until the end of the caller's transaction: token issuance of one app
    // is serialised across instances. Outside a transaction it locks nothing useful.
    async lock(appid) {
      await db.query('SELECT 1 FROM apps WHERE appid = $1 FOR UPDATE', [appid]);
    },
  };
}

function tokens(db: Db): TokenStore {
  return {
    async get(hash) {
      return first((await db.query<TokenRecord>(named('wxl_token_get', 'SELECT * FROM tokens WHERE token_hash = $1'), [hash])).rows);
    },
    async insert(t) {
      await db.query(
        'INSERT INTO tokens (token_hash, appid, kind, issued_at, expires_at, revoke_at, token_text) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [t.token_hash, t.appid, t.kind, t.issued_at, t.expires_at, t.revoke_at, t.token_text],
      );
    },
    // SQLite breaks ties of issued_at by rowid (insertion order); PostgreSQL has no
    // rowid. The core revokes every older token before inserting a new one, so among
    // tokens of one second the newest is the one not revoked, then the one revoked
    // latest (it got the 5-minute overlap): that reproduces insertion order.
    async listLive(appid, kind, now) {
      return (
        await db.query<TokenRecord>(
          `SELECT * FROM tokens WHERE appid = $1 AND kind = $2 AND expires_at > $3 AND (revoke_at IS NULL OR revoke_at > $3)
           ORDER BY issued_at DESC, revoke_at DESC NULLS FIRST, token_hash COLLATE "C"`,
          [appid, kind, now],
        )
      ).rows;
    },
    async setRevokeAt(hash, at) {
      await db.query('UPDATE tokens SET revoke_at = $1 WHERE token_hash = $2', [at, hash]);
    },
    async getForceRefresh(appid) {
      return first((await db.query<ForceRefreshState>('SELECT day, count, last_at FROM force_refresh WHERE appid = $1', [appid])).rows);
    },
    async setForceRefresh(appid, st) {
      await db.query(
        `INSERT INTO force_refresh (appid, day, count, last_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (appid) DO UPDATE SET day = excluded.day, count = excluded.count, last_at = excluded.last_at`,
        [appid, st.day, st.count, st.last_at],
      );
    },
  };
}

function accounts(db: Db): AccountStore {
  return {
    async get(appid, d, b) {
      return first(
        (await db.query<AccountRecord>('SELECT * FROM accounts WHERE appid = $1 AND delivery_id = $2 AND biz_id = $3', [appid, d, b])).rows,
      );
    },
    async list(appid) {
      return (
        await db.query<AccountRecord>(
          'SELECT * FROM accounts WHERE appid = $1 ORDER BY create_time, delivery_id COLLATE "C", biz_id COLLATE "C"',
          [appid],
        )
      ).rows;
    },
    // create_time is kept on update, as in SQLite.
    async upsert(a) {
      await db.query(
        `INSERT INTO accounts (appid, delivery_id, biz_id, password, alias, remark_content, remark_wrong_msg, status_code, quota_num, create_time, update_time, quota_update_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (appid, delivery_id, biz_id) DO UPDATE SET password = excluded.password, alias = excluded.alias,
           remark_content = excluded.remark_content, remark_wrong_msg = excluded.remark_wrong_msg, status_code = excluded.status_code,
           quota_num = excluded.quota_num, update_time = excluded.update_time, quota_update_time = excluded.quota_update_time`,
        [
          a.appid,
          a.delivery_id,
          a.biz_id,
          a.password,
          a.alias,
          a.remark_content,
          a.remark_wrong_msg,
          a.status_code,
          a.quota_num,
          a.create_time,
          a.update_time,
          a.quota_update_time,
        ],
      );
    },
    async delete(appid, d, b) {
      return (
        ((await db.query('DELETE FROM accounts WHERE appid = $1 AND delivery_id = $2 AND biz_id = $3', [appid, d, b])).rowCount ?? 0) > 0
      );
    },
    // A conditional UPDATE: concurrent callers queue on the row lock and re-check quota_num > 0.
    async takeQuota(appid, d, b, now) {
      const r = await db.query(
        'UPDATE accounts SET quota_num = quota_num - 1, quota_update_time = $1 WHERE appid = $2 AND delivery_id = $3 AND biz_id = $4 AND quota_num > 0',
        [now, appid, d, b],
      );
      return r.rowCount === 1;
    },
  };
}

function sequences(db: Db): SequenceStore {
  return {
    async next(name) {
      const r = await db.query<{ value: number }>(
        'INSERT INTO sequences (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value',
        [name],
      );
      return Number(r.rows[0]?.value);
    },
  };
}

function cloud(db: Db): CloudStore {
  return {
    async addCredential(c) {
      await db.query('INSERT INTO cloud_credentials (secret_id, appid, secret_key, created_at) VALUES ($1, $2, $3, $4)', [
        c.secret_id,
        c.appid,
        c.secret_key,
        c.created_at,
      ]);
    },
    async findCredential(id) {
      return first((await db.query<CloudCredentialRecord>('SELECT * FROM cloud_credentials WHERE secret_id = $1', [id])).rows);
    },
    async listCredentials(appid) {
      return (
        await db.query<CloudCredentialRecord>(
          'SELECT * FROM cloud_credentials WHERE appid = $1 ORDER BY created_at, secret_id COLLATE "C"',
          [appid],
        )
      ).rows;
    },
    async addEnv(appid, env) {
      await db.query('INSERT INTO cloud_envs (appid, env) VALUES ($1, $2) ON CONFLICT (appid, env) DO NOTHING', [appid, env]);
    },
    async listEnvs(appid) {
      return (await db.query<{ env: string }>('SELECT env FROM cloud_envs WHERE appid = $1 ORDER BY env COLLATE "C"', [appid])).rows.map(
        (r) => r.env,
      );
    },
  };
}

function pushConfigs(db: Db): PushConfigStore {
  return {
    async get(appid) {
      return first((await db.query<PushConfigRecord>('SELECT * FROM push_configs WHERE appid = $1', [appid])).rows);
    },
    async put(c) {
      await db.query(
        `INSERT INTO push_configs (appid, url, token, encoding_aes_key, mode, format, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (appid) DO UPDATE SET url = excluded.url, token = excluded.token, encoding_aes_key = excluded.encoding_aes_key,
           mode = excluded.mode, format = excluded.format, updated_at = excluded.updated_at`,
        [c.appid, c.url, c.token, c.encoding_aes_key, c.mode, c.format, c.updated_at],
      );
    },
  };
}

function printers(db: Db): PrinterStore {
  return {
    async upsert(p) {
      await db.query(
        `INSERT INTO printers (appid, openid, tagid_list, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (appid, openid) DO UPDATE SET tagid_list = excluded.tagid_list, updated_at = excluded.updated_at`,
        [p.appid, p.openid, p.tagid_list, p.updated_at],
      );
    },
    async delete(appid, openid) {
      return ((await db.query('DELETE FROM printers WHERE appid = $1 AND openid = $2', [appid, openid])).rowCount ?? 0) > 0;
    },
    async list(appid) {
      return (await db.query<PrinterRecord>('SELECT * FROM printers WHERE appid = $1 ORDER BY updated_at, openid COLLATE "C"', [appid]))
        .rows;
    },
  };
}

function settings(db: Db): SettingStore {
  return {
    async get(key) {
      return first((await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows)?.value;
    },
    async put(key, value) {
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        key,
        value,
      ]);
    },
    async putIfAbsent(key, value) {
      // Two instances starting on an empty database agree on the first value written.
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
      return (await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]!.value;
    },
    async addNumber(key, delta) {
      const { rows } = await db.query<{ value: string }>(
        `INSERT INTO settings (key, value) VALUES ($1, $2::numeric::text) ON CONFLICT (key)
         DO UPDATE SET value = (settings.value::numeric + excluded.value::numeric)::text RETURNING value`,
        [key, String(delta)],
      );
      return Number(rows[0]!.value);
    },
  };
}
