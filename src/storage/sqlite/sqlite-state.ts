/**
 * Export / import / reset on SQLite (formats and SQL: ../state.ts). An export
 * reads through a second, read-only connection inside one read transaction (a
 * WAL snapshot: writers go on, the export sees none of their changes); an
 * in-memory database has no second connection, so its export is read whole
 * inside the store's transaction queue. Imports run in the queue as one transaction.
 */
import Database from 'better-sqlite3';
import type { BaselineCatalog, CatalogTable } from '../baseline.ts';
import { exportQuery, exportRow, STATE_TABLES, stateHeader, type Dialect, type StateRecord, type StateSql } from '../state.ts';

/** Tables of the database and their foreign keys (../baseline.ts); SQLite's own tables and the migration log are not state. */
export const sqliteCatalog: BaselineCatalog = {
  async tables(sql) {
    const names = await sql.all(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> 'schema_migrations' ORDER BY name",
      [],
    );
    const out: CatalogTable[] = [];
    for (const { name } of names) {
      const parents = await sql.all('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)', [name]);
      out.push({ name: String(name), parents: parents.map((p) => String(p.parent)) });
    }
    return out;
  },
};

export const sqliteDialect: Dialect = { collate: '', greatest: 'max', bool: (b) => (b ? 1 : 0) };

/** `StateSql` over one connection; statements prepared once. */
export function sqliteStateSql(db: Database.Database): StateSql {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return {
    all: async (sql, params) => stmt(sql).all(...params) as Record<string, unknown>[],
    run: async (sql, params) => stmt(sql).run(...params).changes,
  };
}

/** Every record of the export, read through `db` (which must be inside a read transaction). */
export function* readState(db: Database.Database, appid: string | undefined): Generator<StateRecord> {
  yield stateHeader(appid);
  for (const spec of STATE_TABLES) {
    const { sql, params } = exportQuery(spec, sqliteDialect, appid);
    for (const raw of db.prepare(sql).iterate(...params)) yield exportRow(spec, raw as Record<string, unknown>);
  }
}

/** Streams the export of the database file `filename` from a read-only snapshot. */
export function* readStateFile(filename: string, appid: string | undefined): Generator<StateRecord> {
  const reader = new Database(filename, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    yield* readState(reader, appid);
    reader.exec('COMMIT');
  } finally {
    reader.close();
  }
}
