/**
 * The shared store: PostgreSQL through a `pg.Pool`, for several stateless
 * instances on one database. Tables and keys: see ../migrations.ts
 * (the same versioned list as SQLite, `postgres` text where the dialects differ);
 * versions applied are recorded in `schema_migrations`.
 *
 * - Optional `schema` (or `?schema=` in the URL): created when missing and put on
 *   every connection's search_path, so tests and tenants can share a database.
 * - `init()` migrates inside one transaction holding a transaction-scoped advisory
 *   lock: instances starting together apply each migration once.
 * - `transaction(fn)` runs on one client (READ COMMITTED) between BEGIN and COMMIT;
 *   outside it each call runs on any pooled client. Cross-instance atomicity comes
 *   from row locks (`apps.lock`, ON CONFLICT, conditional UPDATEs, SKIP LOCKED),
 *   not from serialising every transaction as the SQLite store does.
 * - `exportState` / `importState` / `resetApp`: ./postgres-state.ts and ../state.ts.
 * - BIGINT columns are parsed to numbers by this pool's own type parsers.
 * - A statement that fails inside `transaction` aborts it (PostgreSQL semantics):
 *   callers must not catch a store error and carry on in the same transaction.
 */
import pg from 'pg';
import { migrations } from '../migrations.ts';
import { importRecords, resetAppSql, type ImportOptions, type ImportSummary, type StateRecord } from '../state.ts';
import type { Repositories, Store } from '../types.ts';
import { ident, inTransaction, poolDb, clientDb, SCHEMA_NAME, storeTypes, type Db } from './pg-db.ts';
import { postgresRepositories } from './postgres-repositories.ts';
import { captureBaseline, restoreBaseline, type StoreBaseline } from '../baseline.ts';
import { postgresCatalog, postgresDialect, postgresStateSql, readStatePostgres } from './postgres-state.ts';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`; a `schema` query parameter sets `schema`. */
  connectionString: string;
  /** A schema of its own (lowercase letters, digits, _): created if missing, used for every table. */
  schema?: string | undefined;
  /** Pool size (default 10). */
  max?: number | undefined;
}

export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

/** Splits `?schema=` off a connection string (pg would pass unknown parameters on as settings). */
export function parsePostgresUrl(url: string): { connectionString: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return schema === undefined ? { connectionString: u.toString() } : { connectionString: u.toString(), schema };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid connection string>';
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  readonly #url: string;
  readonly #repos: Repositories;
  readonly #poolDb: Db;
  readonly #sidePool: pg.Pool;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    const parsed = parsePostgresUrl(options.connectionString);
    const schema = options.schema ?? parsed.schema;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)}: use lowercase letters, digits and _ (at most 63)`);
    }
    this.schema = schema;
    this.#url = parsed.connectionString;
    this.pool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: options.max ?? 10,
      types: storeTypes(),
      application_name: 'wxlogistics',
      // synchronous_commit=off: a commit does not wait for the WAL flush. A PostgreSQL
      // crash may lose the last ~0.6 s of commits, never corrupts; the same trade as the
      // SQLite store's synchronous=NORMAL (docs/scaling.md). Without it every addOrder
      // waits for an fsync.
      options: [...(schema !== undefined ? [`-c search_path=${schema}`] : []), '-c synchronous_commit=off'].join(' '),
    });
    // An idle client losing its connection (server restart) must not crash the process;
    // the pool drops it and the next query opens a new one.
    this.pool.on('error', (error) => process.emitWarning(`PostgreSQL idle client: ${error.message}`));
    // Sequences are taken outside the caller's transaction (postgres-repositories.ts), on a
    // pool of their own: were they taken from `pool`, transactions holding all of its
    // connections would wait forever for one more.
    this.#sidePool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: 2,
      types: storeTypes(),
      application_name: 'wxlogistics-seq',
      options: this.pool.options.options,
    });
    this.#sidePool.on('error', (error) => process.emitWarning(`PostgreSQL idle client: ${error.message}`));
    this.#poolDb = poolDb(this.#sidePool);
    this.#repos = postgresRepositories(poolDb(this.pool), this.#poolDb);
  }

  get apps() {
    return this.#repos.apps;
  }
  get tokens() {
    return this.#repos.tokens;
  }
  get orders() {
    return this.#repos.orders;
  }
  get accounts() {
    return this.#repos.accounts;
  }
  get sequences() {
    return this.#repos.sequences;
  }
  get cloud() {
    return this.#repos.cloud;
  }
  get pushConfigs() {
    return this.#repos.pushConfigs;
  }
  get events() {
    return this.#repos.events;
  }
  get printers() {
    return this.#repos.printers;
  }
  get schedule() {
    return this.#repos.schedule;
  }
  get settings() {
    return this.#repos.settings;
  }
  get apiCalls() {
    return this.#repos.apiCalls;
  }
  get carriers() {
    return this.#repos.carriers;
  }
  get carrierEvents() {
    return this.#repos.carrierEvents;
  }

  async init(): Promise<void> {
    await this.migrate();
  }

  /** Applies pending migrations; answers the versions applied now (empty when up to date). */
  async migrate(): Promise<number[]> {
    try {
      return await inTransaction(this.pool, async (client) => {
        // Serialises concurrent starters of this schema; released at COMMIT/ROLLBACK.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['wxlogistics:migrate', this.schema ?? '']);
        if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.schema)}`);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
        );
        const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
        const applied: number[] = [];
        for (const m of migrations) {
          if (done.has(m.version)) continue;
          await client.query(m.postgres ?? m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Math.floor(Date.now() / 1000),
          ]);
          applied.push(m.version);
        }
        return applied;
      });
    } catch (error) {
      throw this.#explain(error);
    }
  }

  /** The migration versions recorded in this database (schema). */
  async appliedVersions(): Promise<number[]> {
    const r = await this.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    return r.rows.map((row) => row.version);
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (client) => fn(postgresRepositories(clientDb(client), this.#poolDb)));
  }

  /** Streams one REPEATABLE READ READ ONLY snapshot (./postgres-state.ts). */
  exportState(appid?: string): AsyncIterable<StateRecord> {
    return readStatePostgres(this.pool, appid);
  }

  importState(records: AsyncIterable<StateRecord> | StateRecord[], options: ImportOptions = {}): Promise<ImportSummary> {
    return inTransaction(this.pool, (client) => importRecords(postgresStateSql(client), postgresDialect, records, options));
  }

  resetApp(appid: string): Promise<boolean> {
    return inTransaction(this.pool, (client) => resetAppSql(postgresStateSql(client), appid));
  }

  /** One REPEATABLE READ transaction: the baseline is one snapshot even while other instances write. */
  captureBaseline(maxRows: number): Promise<StoreBaseline> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      return captureBaseline(postgresStateSql(client), postgresCatalog, maxRows);
    });
  }

  restoreBaseline(baseline: StoreBaseline): Promise<void> {
    return inTransaction(this.pool, (client) => restoreBaseline(postgresStateSql(client), baseline));
  }

  /** Drops this store's schema with everything in it (tests). Refuses without a schema of its own. */
  async dropSchema(): Promise<void> {
    if (this.schema === undefined) throw new Error('PostgresStore.dropSchema: this store has no schema of its own');
    await this.pool.query(`DROP SCHEMA IF EXISTS ${ident(this.schema)} CASCADE`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
    await this.#sidePool.end();
  }

  #explain(error: unknown): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '3D000', '28000', '28P01'];
    if (typeof code === 'string' && unreachable.includes(code)) {
      const message = error instanceof Error ? error.message : String(error);
      return new Error(`PostgreSQL at ${redactUrl(this.#url)} cannot be used: ${message} (${code})`, { cause: error });
    }
    return error;
  }
}
