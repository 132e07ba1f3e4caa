/**
 * The store interfaces the core needs. Every method is asynchronous even where
 * the backend (better-sqlite3) is synchronous, so PostgreSQL fits behind the
 * same interfaces. Stores persist and guarantee atomicity; rules live in core/.
 * Times are Unix seconds.
 */
import type { TokenKind } from '../core/tokens.ts';
import type { WaybillDataItem } from '../core/waybill.ts';
import type { StoreBaseline } from './baseline.ts';
import type { ImportOptions, ImportSummary, StateRecord } from './state.ts';
import type { CarrierEventStore, CarrierStore } from './carrier-store.ts';

export interface AppRecord {
  appid: string;
  secret_hash: string;
  created_at: number;
}

export interface TokenRecord {
  token_hash: string;
  appid: string;
  kind: TokenKind;
  issued_at: number;
  expires_at: number;
  /** When set, the token stops working at this time (superseded: 40001, not 42001). */
  revoke_at: number | null;
  /** Only for stable tokens, which are answered again unchanged; null otherwise. */
  token_text: string | null;
}

/** Per-app counters of stable_token's force_refresh (auth-and-errors.md §2). */
export interface ForceRefreshState {
  day: number;
  count: number;
  last_at: number;
}

export interface OrderRecord {
  appid: string;
  order_id: string;
  delivery_id: string;
  waybill_id: string;
  biz_id: string;
  openid: string;
  /** The addOrder body as canonical JSON (keys sorted): idempotency and labels. */
  body: string;
  order_status: number;
  /** Increases with every change of the order (cancel, path node): label cache key. */
  version: number;
  waybill_data: WaybillDataItem[];
  /** action_type of the newest path node, 0 before the first (search by tracking status). */
  last_action_type: number;
  created_at: number;
  updated_at: number;
}

/** The columns getOrder needs to find an order and key its cached answer (no body). */
export type OrderHead = Pick<OrderRecord, 'delivery_id' | 'waybill_id' | 'version' | 'order_status'>;

/** Console search over orders; newest first, keyset paging (never OFFSET over 1M rows). */
export interface OrderSearch {
  appid?: string;
  order_id?: string;
  waybill_id?: string;
  delivery_id?: string;
  order_status?: number;
  last_action_type?: number;
  /** Only orders strictly older than this one in (created_at, appid, order_id) DESC order. */
  before?: { created_at: number; appid: string; order_id: string };
  limit: number;
}

export interface AccountRecord {
  appid: string;
  delivery_id: string;
  biz_id: string;
  password: string;
  alias: string;
  remark_content: string;
  remark_wrong_msg: string;
  status_code: number;
  quota_num: number;
  create_time: number;
  update_time: number;
  quota_update_time: number;
}

/** A secretId/secretKey pair for the cloud-call bridge (house rule 13); the key must be kept to verify TC3 signatures. */
export interface CloudCredentialRecord {
  secret_id: string;
  appid: string;
  secret_key: string;
  created_at: number;
}

/** One tracking node of a waybill (business-api.md §7, §13). */
export interface PathNodeRecord {
  action_time: number;
  action_type: number;
  action_msg: string;
}

export type PushMode = 'plain' | 'compatible' | 'secure';
export type PushFormat = 'xml' | 'json';

/** An app's message-push settings, as WeChat's 消息推送 page (events.md §1.1). */
export interface PushConfigRecord {
  appid: string;
  url: string;
  token: string;
  /** 43 characters, or '' in plain mode. */
  encoding_aes_key: string;
  mode: PushMode;
  format: PushFormat;
  updated_at: number;
}

/**
 * pending: waiting for (another) attempt; delivered; dead: attempts used up (replayable);
 * skipped: the app had no push URL when it was written (replayable once one is set).
 */
export type EventStatus = 'pending' | 'delivered' | 'dead' | 'skipped';

/** One event of the outbox, written in the transaction of the change it reports. */
export interface EventRecord {
  id: number;
  appid: string;
  /** Events of one stream (a waybill: `<delivery_id>:<waybill_id>`) are delivered in id order. */
  stream: string;
  event: string;
  /** The event object (wire field names) as JSON; signed and encoded when delivered. */
  payload: string;
  created_at: number;
  status: EventStatus;
  attempts: number;
  /** Wall-clock milliseconds: retries wait real time, whatever the simulated clock says. */
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  delivered_at: number | null;
  last_error: string | null;
}

export type NewEvent = Pick<EventRecord, 'appid' | 'stream' | 'event' | 'payload' | 'created_at' | 'status' | 'next_attempt_at'>;

/** One delivery attempt, for the log (console, `events list`). */
export interface EventAttemptRecord {
  event_id: number;
  attempt: number;
  started_at: number;
  duration_ms: number;
  url: string;
  status_code: number | null;
  response_excerpt: string;
  error: string | null;
  delivered: boolean;
}

export interface EventFilter {
  appid?: string;
  status?: EventStatus;
  stream?: string;
  /** Newest first, ids below this one (paging). */
  beforeId?: number;
  limit: number;
}

export interface AttemptOutcome {
  status: EventStatus;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export interface PrinterRecord {
  appid: string;
  openid: string;
  tagid_list: string;
  updated_at: number;
}

/** A step an auto-progressing order will take when the clock reaches `due_at`. */
export interface ScheduledStepRecord {
  appid: string;
  order_id: string;
  step: number;
  due_at: number;
  action_type: number;
  action_msg: string;
}

export interface AppStore {
  insert(app: AppRecord): Promise<void>;
  get(appid: string): Promise<AppRecord | undefined>;
  list(): Promise<AppRecord[]>;
  /** Serialises concurrent writers of one app's state (row lock; no-op where transactions are exclusive). */
  lock(appid: string): Promise<void>;
}

export interface TokenStore {
  get(tokenHash: string): Promise<TokenRecord | undefined>;
  insert(token: TokenRecord): Promise<void>;
  /** Tokens of one kind that still work at `now`, newest first. */
  listLive(appid: string, kind: TokenKind, now: number): Promise<TokenRecord[]>;
  setRevokeAt(tokenHash: string, revokeAt: number): Promise<void>;
  getForceRefresh(appid: string): Promise<ForceRefreshState | undefined>;
  setForceRefresh(appid: string, state: ForceRefreshState): Promise<void>;
}

export interface OrderStore {
  /** Inserts unless (appid, order_id) exists; answers the stored order when it does. */
  insertIfAbsent(order: OrderRecord): Promise<{ inserted: true } | { inserted: false; existing: OrderRecord }>;
  get(appid: string, orderId: string): Promise<OrderRecord | undefined>;
  /** The order's head only: one covering-index read, for getOrder's cached answers. */
  getHead(appid: string, orderId: string): Promise<OrderHead | undefined>;
  /** The order that holds a waybill number (waybill ids are unique across apps): the provider API's lookup. */
  getByWaybill(waybillId: string): Promise<OrderRecord | undefined>;
  /**
   * Serialises changes of one order across instances: a row lock held until the
   * caller's transaction ends (a no-op where transactions are already exclusive).
   * Call it first, then read the order, in every transaction that changes it.
   */
  lock(appid: string, orderId: string): Promise<void>;
  setStatus(appid: string, orderId: string, orderStatus: number, updatedAt: number): Promise<void>;
  pathCount(appid: string, orderId: string): Promise<number>;
  /** Appends a node at the end of the path and bumps the order's version; answers the new node count. */
  appendPathNode(appid: string, orderId: string, node: PathNodeRecord, updatedAt: number): Promise<number>;
  listPathNodes(appid: string, orderId: string): Promise<PathNodeRecord[]>;
  search(query: OrderSearch): Promise<OrderRecord[]>;
}

export interface PushConfigStore {
  get(appid: string): Promise<PushConfigRecord | undefined>;
  put(config: PushConfigRecord): Promise<void>;
}

export interface EventStore {
  insert(event: NewEvent): Promise<number>;
  get(id: number): Promise<EventRecord | undefined>;
  list(filter: EventFilter): Promise<EventRecord[]>;
  /**
   * Leases up to `limit` due events (pending, next_attempt_at <= now, lease free or
   * expired) that are each the oldest pending event of their stream.
   */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<EventRecord[]>;
  /** Records an attempt and the event's new state; releases the lease. */
  recordAttempt(attempt: EventAttemptRecord, outcome: AttemptOutcome): Promise<void>;
  listAttempts(eventId: number): Promise<EventAttemptRecord[]>;
  /**
   * Makes a dead or skipped event pending again. `attempts` is kept (the attempt
   * log numbers attempts for the event's whole life); the dispatcher grants a
   * fresh round of attempts after each replay.
   */
  replay(id: number, now: number): Promise<boolean>;
  /** Drops every lease (a single-process store after a restart). */
  releaseLeases(): Promise<void>;
}

export interface PrinterStore {
  upsert(printer: PrinterRecord): Promise<void>;
  delete(appid: string, openid: string): Promise<boolean>;
  list(appid: string): Promise<PrinterRecord[]>;
}

export interface ScheduleStore {
  insert(steps: ScheduledStepRecord[]): Promise<void>;
  /** Steps due at or before `now`, earliest first. */
  due(now: number, limit: number): Promise<ScheduledStepRecord[]>;
  /** Removes a step; false when another worker took it already. */
  take(appid: string, orderId: string, step: number): Promise<boolean>;
  /** Removes all remaining steps of an order (it was cancelled or ended in an exception). */
  clear(appid: string, orderId: string): Promise<void>;
}

/** Small named values: the admin key, the clock offset, per-app auto-progress settings. */
export interface SettingStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** Stores `value` unless the key exists; answers the value that is stored either way. */
  putIfAbsent(key: string, value: string): Promise<string>;
  /** Adds `delta` to the number stored under `key` (0 when absent) in one atomic statement; answers the sum. */
  addNumber(key: string, delta: number): Promise<number>;
}

export interface AccountStore {
  get(appid: string, deliveryId: string, bizId: string): Promise<AccountRecord | undefined>;
  list(appid: string): Promise<AccountRecord[]>;
  upsert(account: AccountRecord): Promise<void>;
  delete(appid: string, deliveryId: string, bizId: string): Promise<boolean>;
  /** Takes one unit of quota if any is left; false when the balance is 0. */
  takeQuota(appid: string, deliveryId: string, bizId: string, now: number): Promise<boolean>;
}

export interface CloudStore {
  addCredential(credential: CloudCredentialRecord): Promise<void>;
  findCredential(secretId: string): Promise<CloudCredentialRecord | undefined>;
  listCredentials(appid: string): Promise<CloudCredentialRecord[]>;
  /** Adds a cloud env id to the app (no-op when it is there already). */
  addEnv(appid: string, env: string): Promise<void>;
  listEnvs(appid: string): Promise<string[]>;
}

export interface SequenceStore {
  /** The next value (1, 2, …) of a named counter; never the same value twice. */
  next(name: string): Promise<number>;
}

/** A call-limit override of one app and path (`*` = all its paths); null fields keep the default. */
export interface ApiLimitRecord {
  appid: string;
  cgi_path: string;
  daily_limit: number | null;
  call_count: number | null;
  refresh_second: number | null;
  updated_at: number;
}

/** Calls to add to one app's counter of one path on one (Beijing) day. */
export interface ApiUsageDelta {
  appid: string;
  cgi_path: string;
  day: number;
  count: number;
}

export interface ApiUsageRow {
  appid: string;
  cgi_path: string;
  count: number;
}

/** One answer as getRidInfo shows it (api-management.md §1), keyed by its rid. */
export interface RidRecord {
  rid: string;
  appid: string;
  cgi_path: string;
  invoke_time: number;
  cost_in_ms: number;
  /** The query string as sent (token included), without the `?`. */
  request_url: string;
  request_body: string;
  response_body: string;
  client_ip: string;
}

/** Call quotas (limits, daily counters, monthly resets) and the rid log of getRidInfo. */
export interface ApiCallStore {
  listLimits(appid?: string): Promise<ApiLimitRecord[]>;
  putLimit(limit: ApiLimitRecord): Promise<void>;
  deleteLimit(appid: string, cgiPath: string): Promise<boolean>;
  /** Adds each delta atomically (`count = count + n`); deltas of apps that do not exist are dropped. Keys must be distinct. */
  addUsage(deltas: ApiUsageDelta[]): Promise<void>;
  /** Counters of one day (of every app, or one). */
  listUsage(day: number, appid?: string): Promise<ApiUsageRow[]>;
  /** Sets every counter of the app on that day back to 0 (clearQuota). */
  clearUsage(appid: string, day: number): Promise<void>;
  /** Deletes counters of days before `day`. */
  pruneUsage(beforeDay: number): Promise<number>;
  /** Takes one reset of the month unless `max` are used already; atomic across instances. */
  takeReset(appid: string, month: number, max: number): Promise<boolean>;
  resetsUsed(appid: string, month: number): Promise<number>;
  /** Writes answers of the rid log; rows of apps that do not exist (any more) and repeated rids are dropped. */
  insertRids(rows: RidRecord[]): Promise<void>;
  getRid(rid: string): Promise<RidRecord | undefined>;
  /** Deletes answers older than `before` and all but the newest `keepPerApp` of each app. */
  pruneRids(before: number, keepPerApp: number): Promise<number>;
}

export interface Repositories {
  apps: AppStore;
  tokens: TokenStore;
  orders: OrderStore;
  accounts: AccountStore;
  sequences: SequenceStore;
  cloud: CloudStore;
  pushConfigs: PushConfigStore;
  events: EventStore;
  printers: PrinterStore;
  schedule: ScheduleStore;
  settings: SettingStore;
  apiCalls: ApiCallStore;
  carriers: CarrierStore;
  carrierEvents: CarrierEventStore;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * The order's committed head when this process knows it without a read (a
   * store whose process is the only writer: SQLite); undefined means "read it".
   * Never a head older than the last commit.
   */
  knownOrderHead?(appid: string, orderId: string): OrderHead | undefined;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * The state of one app (or of all), header first, read from one consistent
   * snapshot; never writes. Tokens are not part of it (./state.ts).
   */
  exportState(appid?: string): AsyncIterable<StateRecord>;
  /**
   * Writes an export in one transaction: on any error nothing is written. An app
   * that exists already is an error unless `replace` (then it is reset first, in
   * the same transaction). Event ids are renumbered; sequences take the maximum.
   */
  importState(records: AsyncIterable<StateRecord> | StateRecord[], options?: ImportOptions): Promise<ImportSummary>;
  /** Deletes an app and everything of it (rows and `…:<appid>` settings); false when there was no such app. */
  resetApp(appid: string): Promise<boolean>;
  /**
   * Every row of every table, read in one transaction and kept in memory: what
   * `restoreBaseline` puts back (./baseline.ts). BaselineTooLargeError above `maxRows` rows.
   */
  captureBaseline(maxRows: number): Promise<StoreBaseline>;
  /** Puts every table back to `baseline` in one transaction (rows written since are gone). */
  restoreBaseline(baseline: StoreBaseline): Promise<void>;
}
