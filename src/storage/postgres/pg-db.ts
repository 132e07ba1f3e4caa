/**
 * The one seam between the repositories and `pg`: a `Db` runs a statement, and
 * `atomic` runs several as one unit (its own BEGIN … COMMIT on a pooled client,
 * or simply the open transaction's client when there already is one).
 */
import pg from 'pg';

/** A statement PostgreSQL parses and plans once per connection (the hot reads: getOrder, token checks). */
export interface NamedStatement {
  name: string;
  text: string;
}

export const named = (name: string, text: string): NamedStatement => ({ name, text });

const toQuery = (text: string | NamedStatement, values?: unknown[]): pg.QueryConfig =>
  typeof text === 'string' ? { text, ...(values ? { values } : {}) } : { name: text.name, text: text.text, ...(values ? { values } : {}) };

export interface Db {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | NamedStatement, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `fn` atomically: inside the caller's transaction, or in a new one. */
  atomic<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

/** BIGINT (int8) and COUNT(*) arrive as strings; every value we store fits a double. Per pool, not global. */
export function storeTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  return types;
}

/** A Db bound to one checked-out client that is inside BEGIN: `atomic` just runs in it. */
export function clientDb(client: pg.PoolClient): Db {
  const db: Db = {
    query: (text, values) => client.query(toQuery(text, values)),
    atomic: (fn) => fn(db),
  };
  return db;
}

/** A Db over the pool: each query on any free client, `atomic` in a transaction of its own. */
export function poolDb(pool: pg.Pool): Db {
  return {
    query: (text, values) => pool.query(toQuery(text, values)),
    atomic: (fn) => inTransaction(pool, (client) => fn(clientDb(client))),
  };
}

/** BEGIN … COMMIT on one client; ROLLBACK and rethrow when `fn` throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable (network, server restart): do not hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** A double-quoted identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Schema names we create and put on search_path: lowercase, so quoting never changes their meaning. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL error codes (SQLSTATE) we translate. */
export const PG_UNIQUE_VIOLATION = '23505';

export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
