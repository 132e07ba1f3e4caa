/** The carrier registry and the carrier event log on PostgreSQL (tables: ../carrier-store.ts). */
import {
  carrierEventListSql,
  carrierToRow,
  rowToCarrier,
  type CarrierEventRecord,
  type CarrierEventStore,
  type CarrierRow,
  type CarrierStore,
} from '../carrier-store.ts';
import type { Db } from './pg-db.ts';

const COLUMNS = [
  'delivery_id',
  'name',
  'appid',
  'url',
  'token',
  'encoding_aes_key',
  'mode',
  'format',
  'services',
  'template',
  'waybill_source',
  'review',
  'created_at',
  'updated_at',
] as const;
const UPDATED = COLUMNS.filter((c) => c !== 'delivery_id' && c !== 'created_at');

export function postgresCarriers(db: Db): CarrierStore {
  return {
    async put(c) {
      const row = carrierToRow(c);
      await db.query(
        `INSERT INTO carriers (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (delivery_id) DO UPDATE SET ${UPDATED.map((col) => `${col} = excluded.${col}`).join(', ')}`,
        COLUMNS.map((col) => row[col]),
      );
    },
    async get(id) {
      const row = (await db.query<CarrierRow>('SELECT * FROM carriers WHERE delivery_id = $1', [id])).rows[0];
      return row && rowToCarrier(row);
    },
    async list() {
      return (await db.query<CarrierRow>('SELECT * FROM carriers ORDER BY delivery_id COLLATE "C"')).rows.map(rowToCarrier);
    },
    async delete(id) {
      return ((await db.query('DELETE FROM carriers WHERE delivery_id = $1', [id])).rowCount ?? 0) > 0;
    },
  };
}

export function postgresCarrierEvents(db: Db): CarrierEventStore {
  return {
    async insert(e) {
      const cols = [
        'delivery_id',
        'appid',
        'order_id',
        'event',
        'started_at',
        'duration_ms',
        'attempts',
        'url',
        'request_body',
        'status_code',
        'reply_body',
        'outcome',
        'result_code',
        'error',
      ] as const;
      const r = await db.query<{ id: number }>(
        `INSERT INTO carrier_events (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        cols.map((c) => e[c]),
      );
      return Number(r.rows[0]?.id);
    },
    async get(id) {
      return (await db.query<CarrierEventRecord>('SELECT * FROM carrier_events WHERE id = $1', [id])).rows[0];
    },
    async list(f) {
      const { text, values } = carrierEventListSql(f, (n) => `$${n}`);
      return (await db.query<CarrierEventRecord>(text, values)).rows;
    },
  };
}
