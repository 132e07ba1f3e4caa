/** Records for the conformance suite: complete, with every nullable field exercised somewhere. */
import type { AccountRecord, AppRecord, NewEvent, OrderRecord, Store, TokenRecord } from './types.ts';

export const APP = 'wxa000000000000001';
export const APP2 = 'wxb000000000000002';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const times = <T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

/** Byte-order comparison of ASCII keys (what SQLite's BINARY and COLLATE "C" do). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const app = (appid = APP, created_at = 1_700_000_000): AppRecord => ({ appid, secret_hash: `scrypt$${appid}`, created_at });

export async function withApps(store: Store, ...appids: string[]): Promise<void> {
  for (const [i, id] of (appids.length ? appids : [APP]).entries()) await store.apps.insert(app(id, 1_700_000_000 + i));
}

export const token = (hash: string, over: Partial<TokenRecord> = {}): TokenRecord => ({
  token_hash: hash,
  appid: APP,
  kind: 'token',
  issued_at: 1000,
  expires_at: 8200,
  revoke_at: null,
  token_text: null,
  ...over,
});

export const order = (order_id: string, over: Partial<OrderRecord> = {}): OrderRecord => ({
  appid: APP,
  order_id,
  delivery_id: 'TEST',
  waybill_id: `WB-${over.appid ?? APP}-${order_id}`,
  biz_id: 'test_biz_id',
  openid: 'oOPENID',
  body: JSON.stringify({ order_id, note: '中文 and "quotes"' }),
  order_status: 0,
  version: 1,
  waybill_data: [{ key: 'TEST_mark', value: '001-A' }],
  last_action_type: 0,
  created_at: 1_700_000_100,
  updated_at: 1_700_000_100,
  ...over,
});

export const account = (biz_id: string, over: Partial<AccountRecord> = {}): AccountRecord => ({
  appid: APP,
  delivery_id: 'SF',
  biz_id,
  password: 'pw',
  alias: 'alias',
  remark_content: '',
  remark_wrong_msg: '',
  status_code: 0,
  quota_num: 0,
  create_time: 100,
  update_time: 100,
  quota_update_time: 100,
  ...over,
});

export const newEvent = (stream: string, over: Partial<NewEvent> = {}): NewEvent => ({
  appid: APP,
  stream,
  event: 'add_express_path',
  payload: JSON.stringify({ stream }),
  created_at: 1_700_000_200,
  status: 'pending',
  next_attempt_at: 1000,
  ...over,
});
