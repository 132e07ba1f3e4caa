/**
 * The store interfaces the core needs. Every method is asynchronous even where
 * the backend (better-sqlite3) is synchronous, so PostgreSQL fits behind the
 * same interfaces. Stores persist and guarantee atomicity; rules live in core/.
 * Times are Unix seconds.
 */
import type { TokenKind } from '../core/tokens.ts';
import type { WaybillDataItem } from '../core/waybill.ts';

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
  created_at: number;
  updated_at: number;
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
  setStatus(appid: string, orderId: string, orderStatus: number, updatedAt: number): Promise<void>;
  pathCount(appid: string, orderId: string): Promise<number>;
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

export interface Repositories {
  apps: AppStore;
  tokens: TokenStore;
  orders: OrderStore;
  accounts: AccountStore;
  sequences: SequenceStore;
  cloud: CloudStore;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}
