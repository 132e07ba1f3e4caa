/**
 * Store interfaces of the carrier side: the registry of carriers that plug in
 * over WeChat's provider protocol, and the log of every event we sent them with
 * the reply they gave. Tables (../migrations.ts):
 * - carriers (delivery_id PK; appid UNIQUE): one registered carrier and its own app.
 * - carrier_events (id PK; by delivery_id+id, by appid+order_id+id): the event log.
 */
import type { ServiceType } from '../core/carriers.ts';
import type { PushFormat, PushMode } from './types.ts';

/** How waybill numbers are allocated: from our number segment, or by the carrier (`WayBillID "0"`). */
export type WaybillSource = 'segment' | 'carrier';

/** A registered carrier (provider-api.md §7 "the hub's carrier record"). */
export interface CarrierRecord {
  delivery_id: string;
  name: string;
  /** The carrier's own mini program: its access_token calls the provider API; the trailer of encrypted pushes. */
  appid: string;
  /** Push endpoint settings, as the carrier's 消息推送 page (events.md §1.1). */
  url: string;
  token: string;
  /** 43 characters, or '' in plain mode. */
  encoding_aes_key: string;
  mode: PushMode;
  format: PushFormat;
  services: ServiceType[];
  /** The carrier's label template in WeChat's template language (provider-api.md §2), '' for none. */
  template: string;
  waybill_source: WaybillSource;
  /** Bindings wait for the carrier's updateBusiness after an approving check_biz (as EMS reviews). */
  review: boolean;
  created_at: number;
  updated_at: number;
}

/** ok: ResultCode 0; rejected: another ResultCode; failed: no usable reply (timeout, refused, garbage). */
export type CarrierEventOutcome = 'ok' | 'rejected' | 'failed';

/** One event sent to a carrier and what came back. */
export interface CarrierEventRecord {
  id: number;
  delivery_id: string;
  /** The merchant app the event is about. */
  appid: string;
  /** '' for events about an account (check_biz, get_quota). */
  order_id: string;
  event: string;
  /** Wall-clock milliseconds. */
  started_at: number;
  duration_ms: number;
  attempts: number;
  url: string;
  request_body: string;
  status_code: number | null;
  reply_body: string;
  outcome: CarrierEventOutcome;
  result_code: number | null;
  error: string | null;
}

export type NewCarrierEvent = Omit<CarrierEventRecord, 'id'>;

export interface CarrierEventFilter {
  delivery_id?: string;
  appid?: string;
  order_id?: string;
  /** Newest first, ids below this one (paging). */
  beforeId?: number;
  limit: number;
}

export interface CarrierStore {
  /** Inserts or replaces the carrier of `delivery_id`. */
  put(carrier: CarrierRecord): Promise<void>;
  get(deliveryId: string): Promise<CarrierRecord | undefined>;
  /** Ordered by delivery_id (byte order). */
  list(): Promise<CarrierRecord[]>;
  delete(deliveryId: string): Promise<boolean>;
}

export interface CarrierEventStore {
  insert(event: NewCarrierEvent): Promise<number>;
  get(id: number): Promise<CarrierEventRecord | undefined>;
  list(filter: CarrierEventFilter): Promise<CarrierEventRecord[]>;
}

export const CARRIER_TABLES_SQL = `
CREATE TABLE carriers (
  delivery_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  appid TEXT NOT NULL UNIQUE REFERENCES apps(appid) ON DELETE CASCADE,
  url TEXT NOT NULL,
  token TEXT NOT NULL,
  encoding_aes_key TEXT NOT NULL,
  mode TEXT NOT NULL,
  format TEXT NOT NULL,
  services TEXT NOT NULL,
  template TEXT NOT NULL,
  waybill_source TEXT NOT NULL,
  review INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);`;

const CARRIER_EVENT_COLUMNS = `delivery_id TEXT NOT NULL,
  appid TEXT NOT NULL,
  order_id TEXT NOT NULL,
  event TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  url TEXT NOT NULL,
  request_body TEXT NOT NULL,
  status_code INTEGER,
  reply_body TEXT NOT NULL,
  outcome TEXT NOT NULL,
  result_code INTEGER,
  error TEXT`;

const CARRIER_EVENT_INDEXES = `
CREATE INDEX carrier_events_by_carrier ON carrier_events (delivery_id, id);
CREATE INDEX carrier_events_by_order ON carrier_events (appid, order_id, id);`;

export const carrierMigrationSql = {
  sqlite: `${CARRIER_TABLES_SQL}
CREATE TABLE carrier_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ${CARRIER_EVENT_COLUMNS}
);${CARRIER_EVENT_INDEXES}`,
  postgres: `${CARRIER_TABLES_SQL}
CREATE TABLE carrier_events (
  id BIGSERIAL PRIMARY KEY,
  ${CARRIER_EVENT_COLUMNS}
);${CARRIER_EVENT_INDEXES}`,
};

/** Row ⇄ record: services as JSON text, review as 0/1. */
export type CarrierRow = Omit<CarrierRecord, 'services' | 'review'> & { services: string; review: number | boolean };
export const carrierToRow = (c: CarrierRecord): CarrierRow => ({ ...c, services: JSON.stringify(c.services), review: c.review ? 1 : 0 });
export const rowToCarrier = (r: CarrierRow): CarrierRecord => ({
  ...r,
  services: JSON.parse(r.services),
  review: r.review === 1 || r.review === true,
});

/** Newest first, filtered; shared by both backends (placeholders differ). */
export function carrierEventListSql(f: CarrierEventFilter, placeholder: (n: number) => string): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace('?', placeholder(values.length)));
  };
  if (f.delivery_id !== undefined) add('delivery_id = ?', f.delivery_id);
  if (f.appid !== undefined) add('appid = ?', f.appid);
  if (f.order_id !== undefined) add('order_id = ?', f.order_id);
  if (f.beforeId !== undefined) add('id < ?', f.beforeId);
  values.push(f.limit);
  return {
    text: `SELECT * FROM carrier_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${placeholder(values.length)}`,
    values,
  };
}
