import type { OrderSearch } from './types.ts';

export interface SqlDialect {
  /** The n-th (1-based) parameter placeholder: `?` in SQLite, `$n` in PostgreSQL. */
  placeholder(n: number): string;
  /** Appended to text keys so both backends order them by bytes (`''` in SQLite, ` COLLATE "C"` in PostgreSQL). */
  collate: string;
}

/**
 * The console's order search for every SQL backend: filters, newest first,
 * keyset paging after `before` (never OFFSET over a million rows). The extra
 * `created_at <= …` lets the (created_at, …) indexes bound the scan.
 */
export function orderSearchSql(query: OrderSearch, d: SqlDialect): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const arg = (v: unknown): string => {
    values.push(v);
    return d.placeholder(values.length);
  };
  const eq = (column: string, value: unknown): void => {
    if (value !== undefined) where.push(`${column} = ${arg(value)}`);
  };
  eq('appid', query.appid);
  eq('order_id', query.order_id);
  eq('waybill_id', query.waybill_id);
  eq('delivery_id', query.delivery_id);
  eq('order_status', query.order_status);
  eq('last_action_type', query.last_action_type);
  if (query.before) {
    where.push(`created_at <= ${arg(query.before.created_at)}`);
    where.push(
      `(created_at, appid${d.collate}, order_id${d.collate}) < (${arg(query.before.created_at)}, ${arg(query.before.appid)}, ${arg(query.before.order_id)})`,
    );
  }
  const text = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, appid${d.collate} DESC, order_id${d.collate} DESC LIMIT ${arg(query.limit)}`;
  return { text, values };
}
