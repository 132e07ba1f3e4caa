/**
 * Versioned schema migrations, shared by every SQL backend. Each entry is applied
 * once, in order, and recorded in `schema_migrations`; never edit a published
 * entry — add a new one. The SQL is the common subset of SQLite and PostgreSQL
 * (BIGINT/TEXT/INTEGER, no backend-specific types).
 *
 * Tables and keys:
 * - apps (appid PK): one mini program; secret stored as a scrypt hash.
 * - tokens (token_hash PK; appid, kind): access tokens by SHA-256; revoke_at marks superseded ones.
 * - force_refresh (appid PK): stable_token force_refresh counters for the current day.
 * - orders (appid, order_id) PK: one addOrder; body is the canonical request JSON.
 * - accounts (appid, delivery_id, biz_id) PK: bound carrier accounts with their quota.
 * - sequences (name PK): counters for waybill numbers.
 * - cloud_credentials (secret_id PK; appid): secretId/secretKey pairs of the cloud-call bridge.
 * - cloud_envs (appid, env) PK: the cloud env ids an app may be called from.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'apps, tokens, orders, accounts, sequences',
    sql: `
CREATE TABLE apps (
  appid TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY,
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoke_at BIGINT,
  token_text TEXT
);
CREATE INDEX tokens_by_app ON tokens (appid, kind, issued_at);
CREATE TABLE force_refresh (
  appid TEXT PRIMARY KEY REFERENCES apps(appid) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  count INTEGER NOT NULL,
  last_at BIGINT NOT NULL
);
CREATE TABLE orders (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  order_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  waybill_id TEXT NOT NULL UNIQUE,
  biz_id TEXT NOT NULL,
  openid TEXT NOT NULL,
  body TEXT NOT NULL,
  order_status INTEGER NOT NULL,
  version INTEGER NOT NULL,
  waybill_data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (appid, order_id)
);
CREATE TABLE accounts (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  biz_id TEXT NOT NULL,
  password TEXT NOT NULL,
  alias TEXT NOT NULL,
  remark_content TEXT NOT NULL,
  remark_wrong_msg TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  quota_num INTEGER NOT NULL,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  quota_update_time BIGINT NOT NULL,
  PRIMARY KEY (appid, delivery_id, biz_id)
);
CREATE TABLE sequences (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'cloud-call credentials and envs',
    sql: `
CREATE TABLE cloud_credentials (
  secret_id TEXT PRIMARY KEY,
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  secret_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX cloud_credentials_by_app ON cloud_credentials (appid);
CREATE TABLE cloud_envs (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  env TEXT NOT NULL,
  PRIMARY KEY (appid, env)
);
`,
  },
];
