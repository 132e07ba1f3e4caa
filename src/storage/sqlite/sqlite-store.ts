/**
 * The embedded store: one better-sqlite3 database (a file in WAL mode, or
 * `:memory:`). better-sqlite3 is synchronous; transactions are made async-safe
 * by running them one at a time behind a promise queue (BEGIN IMMEDIATE …
 * COMMIT), and reads outside a transaction wait while one is open, so nobody
 * sees half of a write. Tables: see ../migrations.ts. Export / import / reset:
 * ./sqlite-state.ts.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from '../migrations.ts';
import { importRecords, resetAppSql, type ImportOptions, type ImportSummary, type StateRecord, type StateSql } from '../state.ts';
import type { OrderHead, Repositories, Store } from '../types.ts';
import { KnownOrderHeads } from './known-order-heads.ts';
import { sqliteRepositories, withReadsFrom } from './sqlite-repositories.ts';
import { captureBaseline, restoreBaseline, type StoreBaseline } from '../baseline.ts';
import { readState, readStateFile, sqliteCatalog, sqliteDialect, sqliteStateSql } from './sqlite-state.ts';
import { WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.ts';

/** Transactions committed together at most (see `transaction`). */
const GROUP_SIZE = 64;
/** Order heads remembered at most (getOrder's cached answers are checked against them). */
const KNOWN_HEADS = 20_000;
/**
 * The writing connection's page cache in KiB (better-sqlite3's SQLite defaults to 16 MB). Under a
 * mixed load it fills with the pages it wrote (new orders, the rid log's ~10 KB answers) and stays
 * full: 4 MB still holds the B-trees' upper levels, measured no slower on addOrder, and leaves the
 * malloc heap that much smaller. Reads outside transactions go through the reader's own cache.
 */
const WRITER_CACHE_KIB = 4096;

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  filename: string;
  /** How long a statement waits for a lock another process holds (default 5,000 ms). */
  busyTimeoutMs?: number;
  /**
   * WAL checkpoints in a worker thread (default, for a file), or `false`: inside the COMMIT that
   * crosses the threshold, on the caller's thread. Options tune the worker (tests, benchmarks).
   */
  backgroundCheckpoints?: boolean | CheckpointTuning;
}

/** The worker's options, and from how many WAL frames the writer finishes its checkpoints (default 1,000). */
export type CheckpointTuning = Omit<WalCheckpointerOptions, 'filename'> & {
  finishFromFrames?: number;
  /** Told what each of the writer's finishing checkpoints did (frames in the WAL, frames copied back); if it throws, that is a WalCheckpointWarning. */
  onFinish?: (result: { walFrames: number; checkpointedFrames: number }) => void;
};

/**
 * The writer's automatic checkpoint threshold, in pages. Without the worker: every ~80 MB instead of
 * the default 4 MB — on a large store each checkpoint fsyncs and rewrites scattered pages, and at the
 * default it dominated addOrder (measured on the 1M-order bench store: 2,300 → 4,300 addOrder/s).
 * With it: a safety net the WAL reaches only if the worker falls behind or fails.
 */
const INLINE_CHECKPOINT_PAGES = 20_000;
const SAFETY_CHECKPOINT_PAGES = 50_000;
/** WAL frames from which the writer finishes a worker's checkpoint (~4 MB): below, the WAL may just grow. */
const FINISH_FROM_FRAMES = 1_000;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  /** Settles when the transaction queue is empty again (outside reads wait for it). */
  #queue: Promise<unknown> = Promise.resolve();
  #txOpen = false;
  #draining = false;
  readonly #pending: { fn: (tx: Repositories) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  #inside: Repositories | undefined;
  #outside: Repositories | undefined;
  readonly #filename: string;
  readonly #busyTimeoutMs: number;
  #reader: Database.Database | undefined;
  #stateSql: StateSql | undefined;
  #heads: KnownOrderHeads | undefined;
  readonly #background: boolean | CheckpointTuning;
  #checkpointer: WalCheckpointer | undefined;
  /** The worker reported a checkpoint the writer should finish (see #finishCheckpoint). */
  #finishRequested = false;
  #onFinish: CheckpointTuning['onFinish'];
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.#filename = options.filename;
    this.#busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.#background = options.filename === ':memory:' ? false : (options.backgroundCheckpoints ?? true);
    this.db.pragma(`wal_autocheckpoint = ${this.#background ? SAFETY_CHECKPOINT_PAGES : INLINE_CHECKPOINT_PAGES}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
    // In memory, the cache is the database: no limit there.
    if (options.filename !== ':memory:') this.db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  }

  get #repos(): Repositories {
    if (!this.#outside) throw new Error('SqliteStore used before init()');
    return this.#outside;
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

  /** Applies pending migrations, then prepares the statements (they need the tables). */
  async init(): Promise<void> {
    migrateSqlite(this.db);
    const dataVersion = this.#filename === ':memory:' ? undefined : this.db.prepare('PRAGMA data_version').pluck();
    const heads = (this.#heads = new KnownOrderHeads(KNOWN_HEADS, dataVersion && (() => dataVersion.get() as number)));
    const written = (appid: string, orderId: string) => heads.written(appid, orderId);
    const read = (appid: string, orderId: string, head: OrderHead) => heads.remember(appid, orderId, head);
    this.#inside = sqliteRepositories(this.db, () => undefined, { written });
    // In memory there is no reader connection: outside reads use this one (and the queue's gate).
    this.#outside = sqliteRepositories(
      this.db,
      () => (this.#txOpen ? this.#queue : undefined),
      this.#filename === ':memory:' ? { written, read } : { written },
    );
    if (this.#filename !== ':memory:') {
      // A second, read-only connection for reads outside transactions: in WAL mode it
      // reads the last committed state while a write transaction is open, so getOrder
      // never waits behind addOrder or the push outbox, and never sees half a write.
      this.#reader = new Database(this.#filename, { readonly: true, fileMustExist: true });
      this.#reader.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
      // 8 MB of page cache, half of better-sqlite3's default (its SQLite is built with
      // DEFAULT_CACHE_SIZE=-16000, see `PRAGMA compile_options`): the B-trees' upper levels and
      // a getOrder working set of thousands of orders stay in memory; any other page is a pread
      // from the OS's cache.
      this.#reader.pragma('cache_size = -8192');
      this.#outside = withReadsFrom(
        this.#outside,
        sqliteRepositories(this.#reader, () => undefined, { read }),
      );
    }
    this.#stateSql = sqliteStateSql(this.db);
    if (this.#background) {
      const {
        finishFromFrames = FINISH_FROM_FRAMES,
        onFinish,
        ...tuning
      }: CheckpointTuning = this.#background === true ? {} : this.#background;
      this.#onFinish = onFinish;
      this.#checkpointer = new WalCheckpointer({
        onError: (error) => process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'WalCheckpointWarning'),
        ...tuning,
        filename: this.#filename,
        onCheckpoint: (result) => {
          tuning.onCheckpoint?.(result);
          if (result.walFrames >= finishFromFrames) this.#finishCheckpoint();
        },
      });
    }
  }

  /** A file: streamed from a read-only snapshot; in memory: read whole inside the queue. */
  async *exportState(appid?: string): AsyncIterable<StateRecord> {
    if (this.db.memory) yield* await this.transaction(async () => [...readState(this.db, appid)]);
    else yield* readStateFile(this.db.name, appid);
  }

  importState(records: AsyncIterable<StateRecord> | StateRecord[], options: ImportOptions = {}): Promise<ImportSummary> {
    return this.transaction(() => importRecords(this.#sql, sqliteDialect, records, options)).finally(() => this.#heads?.clear());
  }

  resetApp(appid: string): Promise<boolean> {
    return this.transaction(() => resetAppSql(this.#sql, appid)).finally(() => this.#heads?.clear());
  }

  knownOrderHead(appid: string, orderId: string): OrderHead | undefined {
    return this.#heads?.get(appid, orderId);
  }

  captureBaseline(maxRows: number): Promise<StoreBaseline> {
    return this.transaction(() => captureBaseline(this.#sql, sqliteCatalog, maxRows));
  }

  restoreBaseline(baseline: StoreBaseline): Promise<void> {
    // Rewrites orders wholesale: no head this process remembers is current afterwards.
    return this.transaction(() => restoreBaseline(this.#sql, baseline)).finally(() => this.#heads?.clear());
  }

  get #sql(): StateSql {
    if (!this.#stateSql) throw new Error('SqliteStore used before init()');
    return this.#stateSql;
  }

  /**
   * After the worker copied the bulk of the WAL: copies what was written since, on the writer's
   * connection, between two transactions — after a group's COMMIT (then nothing is written during
   * it, the checkpoint completes, and the next write starts the WAL from its beginning), or in the
   * next check phase when no group is running. A checkpoint the worker is still running makes this
   * one return at once (PASSIVE never waits); it is tried again after the next COMMIT.
   */
  #finishCheckpoint(): void {
    if (this.#finishRequested || this.#closed) return;
    this.#finishRequested = true;
    setImmediate(() => {
      if (!this.#draining) this.#finishNow();
    });
  }

  #finishNow(): void {
    if (!this.#finishRequested || this.#closed) return;
    try {
      const [result] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      // Busy: the worker is in a pass of its own. Again after the next COMMIT (with no writes
      // coming, the worker's pass completes by itself and the WAL starts again anyway).
      this.#finishRequested = result?.busy === 1;
      if (result && !this.#finishRequested) this.#onFinish?.({ walFrames: result.log, checkpointedFrames: result.checkpointed });
    } catch (error) {
      this.#finishRequested = false;
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'WalCheckpointWarning');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    // First: the writer closing last checkpoints what is left and removes the WAL.
    await this.#checkpointer?.stop();
    this.#reader?.close();
    this.db.close();
  }

  /**
   * Transactions are queued and run one at a time. Under load the queue is
   * drained in groups: one BEGIN IMMEDIATE … COMMIT around up to GROUP_SIZE
   * transactions, each in its own SAVEPOINT (a failing one rolls back to it,
   * alone). Every caller learns its outcome only after the COMMIT, so nothing is
   * acknowledged that is not durable; the shared commit is what makes addOrder
   * fast (one WAL commit per group instead of per order).
   *
   * A drain starts in the event loop's check phase (setImmediate), not at once:
   * the requests read from sockets in one turn each run in their own callback,
   * and starting at the first would commit it alone before the next is even
   * parsed. Deferred, every transaction asked for in the turn joins one group.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn: fn as (tx: Repositories) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#draining) {
        this.#draining = true;
        let idle!: () => void;
        this.#queue = new Promise<void>((r) => (idle = r));
        setImmediate(() => void this.#drain(idle));
      }
    });
  }

  async #drain(idle: () => void): Promise<void> {
    this.#txOpen = true;
    const repos = this.#inside ?? this.#repos;
    try {
      while (this.#pending.length > 0) {
        const group = this.#pending.splice(0, GROUP_SIZE);
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
          this.db.exec('BEGIN IMMEDIATE');
        } catch (error) {
          // Another process held the write lock for longer than busy_timeout: these fail, the server goes on.
          group.forEach((tx) => tx.reject(error));
          continue;
        }
        for (const tx of group) {
          this.db.exec('SAVEPOINT tx');
          try {
            outcomes.push({ ok: true, value: await tx.fn(repos) });
            this.db.exec('RELEASE tx');
          } catch (error) {
            if (this.db.inTransaction) {
              this.db.exec('ROLLBACK TO tx');
              this.db.exec('RELEASE tx');
            }
            outcomes.push({ ok: false, error });
          }
        }
        try {
          this.db.exec('COMMIT');
        } catch (error) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          group.forEach((tx) => tx.reject(error));
          continue;
        } finally {
          this.#heads?.settled();
        }
        group.forEach((tx, i) => {
          const o = outcomes[i]!;
          if (o.ok) tx.resolve(o.value);
          else tx.reject(o.error);
        });
        // Between this COMMIT and the next BEGIN: the writer's quiet moment.
        this.#finishNow();
      }
    } finally {
      this.#txOpen = false;
      this.#draining = false;
      idle();
    }
  }
}

export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
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
