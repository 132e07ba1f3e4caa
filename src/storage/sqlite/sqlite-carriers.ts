/** The carrier registry and the carrier event log on SQLite (tables: ../carrier-store.ts). */
import type Database from 'better-sqlite3';
import {
  carrierEventListSql,
  carrierToRow,
  rowToCarrier,
  type CarrierEventRecord,
  type CarrierEventStore,
  type CarrierRow,
  type CarrierStore,
} from '../carrier-store.ts';

type Q = <T>(fn: () => T) => Promise<T>;

export function sqliteCarriers(db: Database.Database, q: Q): CarrierStore {
  const s = {
    put: db.prepare(
      `INSERT INTO carriers (delivery_id, name, appid, url, token, encoding_aes_key, mode, format, services, template, waybill_source, review, created_at, updated_at)
       VALUES (@delivery_id, @name, @appid, @url, @token, @encoding_aes_key, @mode, @format, @services, @template, @waybill_source, @review, @created_at, @updated_at)
       ON CONFLICT (delivery_id) DO UPDATE SET name = excluded.name, appid = excluded.appid, url = excluded.url, token = excluded.token,
         encoding_aes_key = excluded.encoding_aes_key, mode = excluded.mode, format = excluded.format, services = excluded.services,
         template = excluded.template, waybill_source = excluded.waybill_source, review = excluded.review, updated_at = excluded.updated_at`,
    ),
    get: db.prepare('SELECT * FROM carriers WHERE delivery_id = ?'),
    list: db.prepare('SELECT * FROM carriers ORDER BY delivery_id'),
    delete: db.prepare('DELETE FROM carriers WHERE delivery_id = ?'),
  };
  return {
    put: (c) => q(() => void s.put.run(carrierToRow(c))),
    get: (id) =>
      q(() => {
        const row = s.get.get(id) as CarrierRow | undefined;
        return row && rowToCarrier(row);
      }),
    list: () => q(() => (s.list.all() as CarrierRow[]).map(rowToCarrier)),
    delete: (id) => q(() => s.delete.run(id).changes > 0),
  };
}

export function sqliteCarrierEvents(db: Database.Database, q: Q): CarrierEventStore {
  const insert = db.prepare(
    `INSERT INTO carrier_events (delivery_id, appid, order_id, event, started_at, duration_ms, attempts, url, request_body, status_code, reply_body, outcome, result_code, error)
     VALUES (@delivery_id, @appid, @order_id, @event, @started_at, @duration_ms, @attempts, @url, @request_body, @status_code, @reply_body, @outcome, @result_code, @error)`,
  );
  const get = db.prepare('SELECT * FROM carrier_events WHERE id = ?');
  return {
    insert: (e) => q(() => Number(insert.run(e).lastInsertRowid)),
    get: (id) => q(() => get.get(id) as CarrierEventRecord | undefined),
    list: (f) =>
      q(() => {
        const { text, values } = carrierEventListSql(f, () => '?');
        return db.prepare(text).all(...values) as CarrierEventRecord[];
      }),
  };
}
