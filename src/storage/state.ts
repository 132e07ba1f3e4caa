/**
 * Export / import / reset of stored state, shared by every SQL
 * backend: the record format, the tables it covers and their columns (as in
 * ./migrations.ts), row validation, and the SQL each step runs. A backend only
 * supplies a `StateSql` (statements on one connection inside its transaction or
 * snapshot) — see sqlite/sqlite-state.ts and postgres/postgres-state.ts.
 *
 * Format: JSON lines. The first is a `StateHeader`
 * `{"format":"wxlogistics-state","version":<schema version>,"exported_at":"<ISO time>"[,"appid":…]}`,
 * then one `{"table":"<name>","row":{…}}` per row, tables in STATE_TABLES order
 * (parents before children), rows in primary-key order (byte order for text).
 *
 * Not exported: `tokens` and `force_refresh` (ephemeral: apps fetch new tokens
 * from the target), `api_rids` (a 7-day debugging log of answers, possibly large:
 * rids answered by the source are not found on the target), and event leases (`lease_owner`/`lease_until` are written as
 * null: a lease belongs to a process of the source).
 */
import { findCarrier } from '../core/carriers.ts';
import { waybillCounterName, waybillSequence } from '../core/waybill.ts';
import { migrations } from './migrations.ts';

export const STATE_FORMAT = 'wxlogistics-state';
/** The schema version the records describe: the latest migration. */
export const STATE_VERSION = Math.max(...migrations.map((m) => m.version));

export interface StateHeader {
  format: typeof STATE_FORMAT;
  version: number;
  exported_at: string;
  /** Present when one app was exported. */
  appid?: string;
}

export type StateTable = (typeof STATE_TABLES)[number]['name'];

export interface StateRow {
  table: StateTable;
  row: Record<string, unknown>;
}

/** One line of an export: the header (first), then rows. */
export type StateRecord = StateHeader | StateRow;

export interface ImportOptions {
  /** Reset an app that already exists on the target (inside the import's transaction) instead of failing. */
  replace?: boolean | undefined;
}

export interface ImportSummary {
  /** Apps imported, in file order. */
  apps: string[];
  /** Of those, the ones that existed on the target and were reset first (`replace`). */
  replaced: string[];
  /** Rows written per table. */
  rows: Partial<Record<StateTable, number>>;
}

type ColumnType = 'int' | 'text' | 'bool';

interface Column {
  name: string;
  type: ColumnType;
  nullable?: true;
  /** Filled in when a row of an older export lacks the column. */
  default?: number;
}

const c = (name: string, type: ColumnType, extra: Partial<Column> = {}): Column => ({ name, type, ...extra });
const text = (...names: string[]) => names.map((n) => c(n, 'text'));
const int = (...names: string[]) => names.map((n) => c(n, 'int'));

export interface TableSpec {
  name: string;
  columns: Column[];
  /** Primary-key columns: the export order. */
  key: string[];
  /** Rows of one app: a WHERE condition with one `?` (the appid). */
  ofApp: string;
}

const BY_APPID = 'appid = ?';
/** A table no row of which belongs to one app. */
const NONE_OF_AN_APP = '1 = 0';
/** A `?` that PostgreSQL can type (length() is overloaded). */
const APPID = 'CAST(? AS TEXT)';

/** Every exported table, parents before children (foreign keys). */
export const STATE_TABLES = [
  { name: 'apps', columns: [...text('appid', 'secret_hash'), ...int('created_at')], key: ['appid'], ofApp: BY_APPID },
  {
    name: 'orders',
    columns: [
      ...text('appid', 'order_id', 'delivery_id', 'waybill_id', 'biz_id', 'openid', 'body'),
      ...int('order_status', 'version'),
      c('waybill_data', 'text'),
      ...int('created_at', 'updated_at'),
      c('last_action_type', 'int', { default: 0 }),
    ],
    key: ['appid', 'order_id'],
    ofApp: BY_APPID,
  },
  {
    name: 'path_nodes',
    columns: [...text('appid', 'order_id'), ...int('seq', 'action_time', 'action_type'), c('action_msg', 'text')],
    key: ['appid', 'order_id', 'seq'],
    ofApp: BY_APPID,
  },
  {
    name: 'scheduled_steps',
    columns: [...text('appid', 'order_id'), ...int('step', 'due_at', 'action_type'), c('action_msg', 'text')],
    key: ['appid', 'order_id', 'step'],
    ofApp: BY_APPID,
  },
  {
    name: 'accounts',
    columns: [
      ...text('appid', 'delivery_id', 'biz_id', 'password', 'alias', 'remark_content', 'remark_wrong_msg'),
      ...int('status_code', 'quota_num', 'create_time', 'update_time', 'quota_update_time'),
    ],
    key: ['appid', 'delivery_id', 'biz_id'],
    ofApp: BY_APPID,
  },
  {
    name: 'printers',
    columns: [...text('appid', 'openid', 'tagid_list'), ...int('updated_at')],
    key: ['appid', 'openid'],
    ofApp: BY_APPID,
  },
  {
    name: 'push_configs',
    columns: [...text('appid', 'url', 'token', 'encoding_aes_key', 'mode', 'format'), ...int('updated_at')],
    key: ['appid'],
    ofApp: BY_APPID,
  },
  {
    name: 'api_limits',
    columns: [
      ...text('appid', 'cgi_path'),
      ...['daily_limit', 'call_count', 'refresh_second'].map((n) => c(n, 'int', { nullable: true })),
      c('updated_at', 'int'),
    ],
    key: ['appid', 'cgi_path'],
    ofApp: BY_APPID,
  },
  // Today's (and recent days') call counters and this month's quota resets: a moved app keeps what it used.
  {
    name: 'api_usage',
    columns: [c('day', 'int'), ...text('appid', 'cgi_path'), c('count', 'int')],
    key: ['day', 'appid', 'cgi_path'],
    ofApp: BY_APPID,
  },
  { name: 'api_quota_resets', columns: [c('appid', 'text'), ...int('month', 'count')], key: ['appid', 'month'], ofApp: BY_APPID },
  {
    name: 'cloud_credentials',
    columns: [...text('secret_id', 'appid', 'secret_key'), ...int('created_at')],
    key: ['secret_id'],
    ofApp: BY_APPID,
  },
  { name: 'cloud_envs', columns: text('appid', 'env'), key: ['appid', 'env'], ofApp: BY_APPID },
  {
    name: 'events',
    columns: [
      c('id', 'int'),
      ...text('appid', 'stream', 'event', 'payload'),
      c('created_at', 'int'),
      c('status', 'text'),
      ...int('attempts', 'next_attempt_at'),
      c('lease_owner', 'text', { nullable: true }),
      c('lease_until', 'int', { nullable: true }),
      c('delivered_at', 'int', { nullable: true }),
      c('last_error', 'text', { nullable: true }),
    ],
    key: ['id'],
    ofApp: BY_APPID,
  },
  {
    name: 'event_attempts',
    columns: [
      ...int('event_id', 'attempt', 'started_at', 'duration_ms'),
      c('url', 'text'),
      c('status_code', 'int', { nullable: true }),
      c('response_excerpt', 'text'),
      c('error', 'text', { nullable: true }),
      c('delivered', 'bool'),
    ],
    key: ['event_id', 'attempt'],
    ofApp: 'event_id IN (SELECT id FROM events WHERE appid = ?)',
  },
  // Per-app keys end in `:<appid>` (autoprogress:<appid>); the others are global (admin_key, clock_offset_ms).
  {
    name: 'settings',
    columns: text('key', 'value'),
    key: ['key'],
    ofApp: `length(key) > length(${APPID}) + 1 AND substr(key, length(key) - length(${APPID})) = ':' || ${APPID}`,
  },
  // Global waybill counters, shared by every app: only a whole export carries them. An app's
  // export does not (they would tell how many waybills other apps made); on import, each
  // order's waybill number raises its carrier's counter instead (importRecords).
  { name: 'sequences', columns: [c('name', 'text'), c('value', 'int')], key: ['name'], ofApp: NONE_OF_AN_APP },
] as const satisfies readonly TableSpec[];

const specs = new Map<string, TableSpec>(STATE_TABLES.map((t) => [t.name, t]));

/** What differs between the SQL dialects here. */
export interface Dialect {
  /** Appended to text columns in ORDER BY so both backends sort bytewise. */
  collate: string;
  /** The larger of two values (`max` in SQLite, `GREATEST` in PostgreSQL). */
  greatest: string;
  /** How a boolean is bound (SQLite has none: 0/1). */
  bool: (b: boolean) => unknown;
}

/**
 * Statements on one connection. Placeholders are `?`, bound in order;
 * PostgreSQL's adapter rewrites them to `$1`, `$2`, ….
 */
export interface StateSql {
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params: unknown[]): Promise<number>;
}

/** The SELECT exporting one table (of one app, or of all when `appid` is undefined), and its parameters. */
export function exportQuery(spec: TableSpec, dialect: Dialect, appid: string | undefined): { sql: string; params: unknown[] } {
  const cols = spec.columns.map((col) => (col.name === 'lease_owner' || col.name === 'lease_until' ? `NULL AS ${col.name}` : col.name));
  const order = spec.key.map((k) => (spec.columns.find((col) => col.name === k)?.type === 'text' ? `${k}${dialect.collate}` : k));
  const scoped = appid !== undefined && spec.ofApp !== '';
  const where = scoped ? ` WHERE ${spec.ofApp}` : '';
  return {
    sql: `SELECT ${cols.join(', ')} FROM ${spec.name}${where} ORDER BY ${order.join(', ')}`,
    params: scoped ? appParams(spec, appid) : [],
  };
}

/** A row as read from either backend, in the export's shape (booleans as booleans, columns in order). */
export function exportRow(spec: TableSpec, raw: Record<string, unknown>): StateRow {
  const row: Record<string, unknown> = {};
  for (const col of spec.columns) {
    const v = raw[col.name];
    row[col.name] = v === null || v === undefined ? null : col.type === 'bool' ? Boolean(v) : col.type === 'int' ? Number(v) : v;
  }
  return { table: spec.name as StateTable, row };
}

export function stateHeader(appid: string | undefined): StateHeader {
  return { format: STATE_FORMAT, version: STATE_VERSION, exported_at: new Date().toISOString(), ...(appid !== undefined ? { appid } : {}) };
}

export class StateFormatError extends Error {}

export function checkHeader(record: unknown): StateHeader {
  const h = record as Partial<StateHeader> | null;
  if (typeof h !== 'object' || h === null || h.format !== STATE_FORMAT) {
    throw new StateFormatError(`not a wxlogistics state export: the first record must be {"format":"${STATE_FORMAT}",…}`);
  }
  if (typeof h.version !== 'number' || !Number.isInteger(h.version) || h.version < 1)
    throw new StateFormatError('state header: "version" must be a positive integer');
  if (h.version > STATE_VERSION) {
    throw new StateFormatError(
      `state export is of schema version ${h.version}, newer than this wxlogistics (${STATE_VERSION}): upgrade it first`,
    );
  }
  return h as StateHeader;
}

/** Validates one row record against its table's columns; answers the spec and the values in column order. */
export function checkRow(record: unknown, n: number): { spec: TableSpec; values: unknown[]; row: Record<string, unknown> } {
  const where = `state record ${n}`;
  const r = record as Partial<StateRow> | null;
  if (typeof r !== 'object' || r === null || typeof r.table !== 'string' || typeof r.row !== 'object' || r.row === null) {
    throw new StateFormatError(`${where}: expected {"table":…,"row":{…}}`);
  }
  const spec = specs.get(r.table);
  if (!spec) throw new StateFormatError(`${where}: unknown table ${JSON.stringify(r.table)}`);
  const row = r.row as Record<string, unknown>;
  const extra = Object.keys(row).filter((k) => !spec.columns.some((col) => col.name === k));
  if (extra.length > 0) throw new StateFormatError(`${where} (${spec.name}): unknown column ${extra.join(', ')}`);
  const values = spec.columns.map((col) => {
    const v = col.name in row ? row[col.name] : col.default;
    if (v === null || v === undefined) {
      if (col.nullable) return null;
      throw new StateFormatError(`${where} (${spec.name}): ${col.name} is missing`);
    }
    const ok = col.type === 'int' ? Number.isSafeInteger(v) : col.type === 'bool' ? typeof v === 'boolean' : typeof v === 'string';
    if (!ok)
      throw new StateFormatError(
        `${where} (${spec.name}): ${col.name} must be ${col.type === 'int' ? 'an integer' : col.type === 'bool' ? 'a boolean' : 'a string'}`,
      );
    return v;
  });
  return { spec, values, row: Object.fromEntries(spec.columns.map((col, i) => [col.name, values[i]])) };
}

/**
 * The target must never hand out an imported waybill number again: the carrier's
 * counter becomes at least the sequence the number was made from (simulated
 * carriers; other numbers are not ours to count).
 */
async function raiseWaybillCounter(sql: StateSql, dialect: Dialect, deliveryId: string, waybillId: string): Promise<void> {
  const carrier = findCarrier(deliveryId);
  const seq = carrier && waybillSequence(carrier, waybillId);
  if (seq === undefined) return;
  await sql.run(
    `INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ${dialect.greatest}(sequences.value, excluded.value)`,
    [waybillCounterName(deliveryId), seq],
  );
}

/** The appid once per `?` of the table's `ofApp` condition. */
const appParams = (spec: TableSpec, appid: string): string[] => Array.from({ length: spec.ofApp.split('?').length - 1 }, () => appid);

/** The settings keys that belong to one app: `<anything>:<appid>`. */
export const isAppSetting = (key: string, appid: string): boolean => key.length > appid.length + 1 && key.endsWith(`:${appid}`);

/** Deletes every row of one app (children go by ON DELETE CASCADE) and its settings keys; false when there was no such app. */
export async function resetAppSql(sql: StateSql, appid: string): Promise<boolean> {
  const settings = STATE_TABLES.find((t) => t.name === 'settings')!;
  await sql.run(`DELETE FROM settings WHERE ${settings.ofApp}`, appParams(settings, appid));
  return (await sql.run('DELETE FROM apps WHERE appid = ?', [appid])) > 0;
}

/**
 * Writes an export through `sql`, which must be inside one transaction: the
 * caller rolls back when this throws. Events get new ids (the target may hold
 * events); their attempts follow the mapping. Sequences take the larger of the
 * two values, so a waybill number is never handed out twice. Settings of an
 * imported app are written; global ones (admin key, clock offset) are kept when
 * the target has them.
 */
export async function importRecords(
  sql: StateSql,
  dialect: Dialect,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = { apps: [], replaced: [], rows: {} };
  const apps = new Set<string>();
  const eventIds = new Map<number, number>();
  let n = 0;
  for await (const record of records) {
    n++;
    if (n === 1) {
      checkHeader(record);
      continue;
    }
    const { spec, values, row } = checkRow(record, n);
    const appid = typeof row.appid === 'string' ? row.appid : undefined;
    if (spec.name === 'apps') {
      if (apps.has(appid!)) throw new StateFormatError(`state record ${n}: app ${appid} appears twice`);
      if ((await sql.all('SELECT 1 AS x FROM apps WHERE appid = ?', [appid])).length > 0) {
        if (!options.replace) throw new StateFormatError(`app ${appid} exists on the target: reset it first, or import with --replace`);
        await resetAppSql(sql, appid!);
        summary.replaced.push(appid!);
      }
      apps.add(appid!);
      summary.apps.push(appid!);
    } else if (appid !== undefined && !apps.has(appid)) {
      throw new StateFormatError(`state record ${n} (${spec.name}): app ${appid} has no "apps" record before it`);
    }
    const names = spec.columns.map((col) => col.name);
    const marks = names.map(() => '?').join(', ');
    const params = values.map((v) => (typeof v === 'boolean' ? dialect.bool(v) : v));
    if (spec.name === 'events') {
      const [, ...rest] = names;
      const inserted = await sql.all(`INSERT INTO events (${rest.join(', ')}) VALUES (${rest.map(() => '?').join(', ')}) RETURNING id`, [
        ...params.slice(1, -4),
        null,
        null,
        ...params.slice(-2),
      ]);
      eventIds.set(row.id as number, Number(inserted[0]!.id));
    } else if (spec.name === 'event_attempts') {
      const id = eventIds.get(row.event_id as number);
      if (id === undefined)
        throw new StateFormatError(`state record ${n} (event_attempts): event ${String(row.event_id)} is not in the export`);
      await sql.run(`INSERT INTO event_attempts (${names.join(', ')}) VALUES (${marks})`, [id, ...params.slice(1)]);
    } else if (spec.name === 'sequences') {
      await sql.run(
        `INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ${dialect.greatest}(sequences.value, excluded.value)`,
        params,
      );
    } else if (spec.name === 'settings') {
      const mine = [...apps].some((id) => isAppSetting(row.key as string, id));
      const conflict = mine ? 'DO UPDATE SET value = excluded.value' : 'DO NOTHING';
      await sql.run(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) ${conflict}`, params);
    } else {
      await sql.run(`INSERT INTO ${spec.name} (${names.join(', ')}) VALUES (${marks})`, params);
      if (spec.name === 'orders') await raiseWaybillCounter(sql, dialect, row.delivery_id as string, row.waybill_id as string);
    }
    summary.rows[spec.name as StateTable] = (summary.rows[spec.name as StateTable] ?? 0) + 1;
  }
  if (n === 0) throw new StateFormatError('empty state export: no header');
  return summary;
}
