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
 * - path_nodes (appid, order_id, seq) PK: tracking nodes in the order they were added.
 * - push_configs (appid PK): message-push URL, Token, EncodingAESKey, mode, format.
 * - events (id PK; status+next_attempt_at, stream+id): the outbox of pushes.
 * - event_attempts (event_id, attempt) PK: every delivery attempt.
 * - printers (appid, openid) PK; scheduled_steps (appid, order_id, step) PK, by due_at; settings (key PK).
 * - api_limits (appid, cgi_path) PK: call-limit overrides; api_usage (day, appid, cgi_path) PK: daily call
 *   counters (Beijing day); api_quota_resets (appid, month) PK: clearQuota uses per month; api_rids (rid PK;
 *   by invoke_time): the answers getRidInfo shows.
 * - carriers (delivery_id PK), carrier_events (id PK): see ./carrier-store.ts.
 */
import { carrierMigrationSql } from './carrier-store.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Where the dialects differ (auto-increment keys), the PostgreSQL text. */
  postgres?: string;
}

const TRACKING_SQL = `
ALTER TABLE orders ADD COLUMN last_action_type INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_by_time ON orders (created_at, appid, order_id);
CREATE INDEX orders_by_app_time ON orders (appid, created_at, order_id);
CREATE TABLE path_nodes (
  appid TEXT NOT NULL,
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  action_time BIGINT NOT NULL,
  action_type INTEGER NOT NULL,
  action_msg TEXT NOT NULL,
  PRIMARY KEY (appid, order_id, seq),
  FOREIGN KEY (appid, order_id) REFERENCES orders(appid, order_id) ON DELETE CASCADE
);
CREATE TABLE push_configs (
  appid TEXT PRIMARY KEY REFERENCES apps(appid) ON DELETE CASCADE,
  url TEXT NOT NULL,
  token TEXT NOT NULL,
  encoding_aes_key TEXT NOT NULL,
  mode TEXT NOT NULL,
  format TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE printers (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  openid TEXT NOT NULL,
  tagid_list TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (appid, openid)
);
CREATE TABLE scheduled_steps (
  appid TEXT NOT NULL,
  order_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  due_at BIGINT NOT NULL,
  action_type INTEGER NOT NULL,
  action_msg TEXT NOT NULL,
  PRIMARY KEY (appid, order_id, step),
  FOREIGN KEY (appid, order_id) REFERENCES orders(appid, order_id) ON DELETE CASCADE
);
CREATE INDEX scheduled_steps_due ON scheduled_steps (due_at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const EVENT_COLUMNS = `appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  stream TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  delivered_at BIGINT,
  last_error TEXT`;

const EVENT_INDEXES = `
CREATE INDEX events_due ON events (status, next_attempt_at);
CREATE INDEX events_stream ON events (stream, id);
CREATE INDEX events_app ON events (appid, id);
CREATE TABLE event_attempts (
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  url TEXT NOT NULL,
  status_code INTEGER,
  response_excerpt TEXT NOT NULL,
  error TEXT,
  delivered BOOLEAN NOT NULL,
  PRIMARY KEY (event_id, attempt)
);
`;

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
  {
    version: 3,
    name: 'paths, push outbox, printers, auto-progress, settings',
    sql: `${TRACKING_SQL}
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ${EVENT_COLUMNS}
);
${EVENT_INDEXES}`,
    postgres: `${TRACKING_SQL}
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
  ${EVENT_COLUMNS}
);
${EVENT_INDEXES}`,
  },
  {
    version: 4,
    name: 'covering index for getOrder',
    // getOrder reads only these columns when its answer is cached: an index-only read.
    sql: 'CREATE INDEX orders_head ON orders (appid, order_id, delivery_id, waybill_id, version, order_status);',
  },
  {
    version: 5,
    name: 'api call quotas and the rid log',
    sql: `
CREATE TABLE api_limits (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  cgi_path TEXT NOT NULL,
  daily_limit BIGINT,
  call_count BIGINT,
  refresh_second BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (appid, cgi_path)
);
CREATE TABLE api_usage (
  day INTEGER NOT NULL,
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  cgi_path TEXT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (day, appid, cgi_path)
);
CREATE INDEX api_usage_by_app ON api_usage (appid);
CREATE TABLE api_quota_resets (
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  month INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (appid, month)
);
CREATE TABLE api_rids (
  rid TEXT PRIMARY KEY,
  appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
  cgi_path TEXT NOT NULL,
  invoke_time BIGINT NOT NULL,
  cost_in_ms INTEGER NOT NULL,
  request_url TEXT NOT NULL,
  request_body TEXT NOT NULL,
  response_body TEXT NOT NULL,
  client_ip TEXT NOT NULL
);
CREATE INDEX api_rids_by_time ON api_rids (invoke_time);
CREATE INDEX api_rids_by_app ON api_rids (appid, invoke_time);
`,
  },
  // Registered carriers and their event log (./carrier-store.ts).
  { version: 6, name: 'carrier registry and carrier event log', sql: carrierMigrationSql.sqlite, postgres: carrierMigrationSql.postgres },
];
