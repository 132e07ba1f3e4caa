/**
 * The embedded store: one better-sqlite3 database (a file in WAL mode, or
 * `:memory:`). better-sqlite3 is synchronous; transactions are made async-safe
 * by running them one at a time behind a promise queue (BEGIN IMMEDIATE …
 * COMMIT), and reads outside a transaction wait while one is open, so nobody
 * sees half of a write. Tables: see ../migrations.ts.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from '../migrations.ts';
import type { Repositories, Store } from '../types.ts';
import { sqliteRepositories } from './sqlite-repositories.ts';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  filename: string;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  #queue: Promise<unknown> = Promise.resolve();
  #txOpen = false;
  #inside: Repositories | undefined;
  #outside: Repositories | undefined;

  constructor(options: SqliteStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  get #repos(): Repositories {
    if (!this.#outside) throw new Error('SqliteStore used before init()');
    return this.#outside;
  }

  get apps() { return this.#repos.apps; }
  get tokens() { return this.#repos.tokens; }
  get orders() { return this.#repos.orders; }
  get accounts() { return this.#repos.accounts; }
  get sequences() { return this.#repos.sequences; }
  get cloud() { return this.#repos.cloud; }
  get pushConfigs() { return this.#repos.pushConfigs; }
  get events() { return this.#repos.events; }
  get printers() { return this.#repos.printers; }
  get schedule() { return this.#repos.schedule; }
  get settings() { return this.#repos.settings; }

  /** Applies pending migrations, then prepares the statements (they need the tables). */
  async init(): Promise<void> {
    migrateSqlite(this.db);
    this.#inside = sqliteRepositories(this.db, () => undefined);
    this.#outside = sqliteRepositories(this.db, () => (this.#txOpen ? this.#queue : undefined));
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    this.db.close();
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.#txOpen = true;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#inside ?? this.#repos);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#txOpen = false;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Math.floor(Date.now() / 1000),
      );
    })();
  }
}
