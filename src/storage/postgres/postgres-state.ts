/**
 * Export / import / reset on PostgreSQL (formats and SQL: ../state.ts). An
 * export holds one client in `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
 * (one snapshot, no writes possible) and streams each table through a
 * server-side cursor; an import is one transaction on one client.
 */
import type pg from 'pg';
import type { BaselineCatalog } from '../baseline.ts';
import { exportQuery, exportRow, STATE_TABLES, stateHeader, type Dialect, type StateRecord, type StateSql } from '../state.ts';

/** Tables of the store's schema (the first of its search_path) and their foreign keys (../baseline.ts). */
export const postgresCatalog: BaselineCatalog = {
  async tables(sql) {
    const names = await sql.all(
      "SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'schema_migrations' ORDER BY c.relname",
      [],
    );
    const links = await sql.all(
      "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace",
      [],
    );
    return names.map(({ name }) => ({ name: String(name), parents: links.filter((l) => l.child === name).map((l) => String(l.parent)) }));
  },
};

export const postgresDialect: Dialect = { collate: ' COLLATE "C"', greatest: 'GREATEST', bool: (b) => b };

const FETCH = 500;

/** `?` placeholders (../state.ts) → `$1`, `$2`, …. */
const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

export function postgresStateSql(client: pg.PoolClient): StateSql {
  return {
    all: async (sql, params) => (await client.query(numbered(sql), params)).rows as Record<string, unknown>[],
    run: async (sql, params) => (await client.query(numbered(sql), params)).rowCount ?? 0,
  };
}

export async function* readStatePostgres(pool: pg.Pool, appid: string | undefined): AsyncGenerator<StateRecord> {
  const client = await pool.connect();
  let open = false;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    yield stateHeader(appid);
    for (const spec of STATE_TABLES) {
      const { sql, params } = exportQuery(spec, postgresDialect, appid);
      await client.query(`DECLARE wxl_state_export NO SCROLL CURSOR FOR ${numbered(sql)}`, params);
      for (;;) {
        const { rows } = await client.query<Record<string, unknown>>(`FETCH ${FETCH} FROM wxl_state_export`);
        for (const raw of rows) yield exportRow(spec, raw);
        if (rows.length < FETCH) break;
      }
      await client.query('CLOSE wxl_state_export');
    }
    await client.query('COMMIT');
    open = false;
  } finally {
    // The consumer stopped early or a query failed: end the read-only transaction.
    if (open)
      await client.query('ROLLBACK').catch((error: unknown) => (broken = error instanceof Error ? error : new Error(String(error))));
    client.release(broken);
  }
}
