/**
 * A baseline of the whole store for resets (`startWxLogistics().reset()`,
 * `POST /_wxl/api/reset`): every row of every table, held in memory, and put
 * back in one transaction. Unlike an export (./state.ts) it covers every table
 * the schema has — tokens and force_refresh included — so that a reset leaves
 * nothing of what happened since the baseline was taken; tables come from the
 * database's catalog, so a table a later migration adds is covered without
 * listing it here. Shared by both SQL backends through `StateSql` and a
 * `BaselineCatalog` (the dialect's catalog queries).
 *
 * Not part of it: `schema_migrations` (the schema does not change), and the
 * backends' own id counters (SQLite's `sqlite_sequence`, PostgreSQL's
 * sequences): event ids keep increasing across a reset, so an id never names
 * two events.
 */
import type { StateSql } from './state.ts';

export interface BaselineTable {
  name: string;
  columns: string[];
  rows: unknown[][];
}

export interface StoreBaseline {
  /** Parents before children (foreign keys). */
  tables: BaselineTable[];
  /** Rows in all tables. */
  rows: number;
}

export interface CatalogTable {
  name: string;
  /** Tables this one references (its foreign keys). */
  parents: string[];
}

/** The dialect's catalog queries. */
export interface BaselineCatalog {
  tables(sql: StateSql): Promise<CatalogTable[]>;
}

/** The store holds more rows than a baseline may keep in memory. */
export class BaselineTooLargeError extends Error {
  override name = 'BaselineTooLargeError' as const;
}

/** Parameters per INSERT: under SQLite's oldest limit (999) and PostgreSQL's (65535). */
const MAX_PARAMS = 900;

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Tables ordered parents first (Kahn); a cycle or a self-reference keeps catalog order for the rest. */
export function parentsFirst(tables: CatalogTable[]): string[] {
  const names = new Set(tables.map((t) => t.name));
  const waiting = new Map(tables.map((t) => [t.name, new Set(t.parents.filter((p) => p !== t.name && names.has(p)))]));
  const out: string[] = [];
  while (waiting.size > 0) {
    const ready = [...waiting].filter(([, parents]) => parents.size === 0).map(([name]) => name);
    const next = ready.length > 0 ? ready : [waiting.keys().next().value as string];
    for (const name of next) {
      waiting.delete(name);
      out.push(name);
      for (const parents of waiting.values()) parents.delete(name);
    }
  }
  return out;
}

/**
 * Reads every row of every table through `sql` (inside the caller's
 * transaction, so the baseline is one consistent state). Refuses with
 * BaselineTooLargeError when the tables hold more than `maxRows` rows, before
 * reading any of them whole.
 */
export async function captureBaseline(sql: StateSql, catalog: BaselineCatalog, maxRows: number): Promise<StoreBaseline> {
  const order = parentsFirst(await catalog.tables(sql));
  let total = 0;
  for (const name of order) {
    const [row] = await sql.all(`SELECT count(*) AS n FROM (SELECT 1 AS x FROM ${quote(name)} LIMIT ?) AS capped`, [maxRows + 1]);
    total += Number(row?.n ?? 0);
    if (total > maxRows)
      throw new BaselineTooLargeError(`the store holds more than ${maxRows} rows: too many to keep a baseline in memory`);
  }
  const tables: BaselineTable[] = [];
  for (const name of order) {
    const raw = await sql.all(`SELECT * FROM ${quote(name)}`, []);
    const columns = raw.length > 0 ? Object.keys(raw[0]!) : [];
    tables.push({ name, columns, rows: raw.map((r) => columns.map((c) => r[c])) });
  }
  return { tables, rows: total };
}

/**
 * Empties every table of the baseline (children first) and writes its rows
 * back (parents first), through `sql` inside the caller's transaction.
 */
export async function restoreBaseline(sql: StateSql, baseline: StoreBaseline): Promise<void> {
  for (const table of [...baseline.tables].reverse()) await sql.run(`DELETE FROM ${quote(table.name)}`, []);
  for (const table of baseline.tables) {
    if (table.rows.length === 0) continue;
    const perInsert = Math.max(1, Math.floor(MAX_PARAMS / table.columns.length));
    const tuple = `(${table.columns.map(() => '?').join(', ')})`;
    const head = `INSERT INTO ${quote(table.name)} (${table.columns.map(quote).join(', ')}) VALUES `;
    for (let i = 0; i < table.rows.length; i += perInsert) {
      const chunk = table.rows.slice(i, i + perInsert);
      await sql.run(head + chunk.map(() => tuple).join(', '), chunk.flat());
    }
  }
}
