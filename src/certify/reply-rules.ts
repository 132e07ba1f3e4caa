// What events.md §3 asks of each carrier reply: the fields, their types, what they echo and the
// documented ResultCode tables. Data only; judge-reply.ts applies it.

export type FieldType = 'string' | 'integer' | 'number';

export type ReplyRule = {
  /** Reply fields in the spec's casing (§3.0 "exactly as in the tables"), each required. */
  fields: Readonly<Record<string, FieldType>>;
  /** Fields whose value must equal the push's field of the same name. */
  echoes: readonly string[];
  codes: Readonly<Record<number, string>>;
};

const HEADER: Record<string, FieldType> = {
  ToUserName: 'string',
  FromUserName: 'string',
  CreateTime: 'integer',
  MsgType: 'string',
  Event: 'string',
};

const ACCOUNT_CODES = { [-1]: 'other error', 10001: 'customer code / monthly account does not exist', 10002: 'wrong customer password' };

export const REPLY_RULES: Readonly<Record<'add_waybill' | 'cancel_waybill' | 'check_biz' | 'get_quota', ReplyRule>> = {
  // §3.1 reply table (verified) and its ResultCode table.
  add_waybill: {
    fields: {
      ...HEADER,
      Token: 'string',
      OrderID: 'string',
      BizID: 'string',
      WayBillID: 'string',
      ResultCode: 'integer',
      ResultMsg: 'string',
      WaybillData: 'string',
    },
    echoes: ['Token', 'OrderID', 'BizID'],
    codes: {
      0: 'order placed',
      ...ACCOUNT_CODES,
      20001: 'waybill ID wrong',
      20002: 'sender info incomplete',
      20003: 'sender address unreachable',
      20004: 'receiver info incomplete',
      20005: 'receiver address unreachable',
      20006: 'cargo count, weight or size wrong',
      20007: 'merchant balance insufficient',
      20008: 'insurance info wrong',
      20009: 'service info wrong',
    },
  },
  // §3.2: "All are required."
  cancel_waybill: {
    fields: { ...HEADER, BizID: 'string', OrderID: 'string', WayBillID: 'string', ResultCode: 'integer', ResultMsg: 'string' },
    echoes: ['BizID', 'OrderID', 'WayBillID'],
    codes: {
      0: 'cancelled',
      [-1]: 'other error',
      30001: 'parameter error (not found)',
      30002: 'already picked up, cannot cancel',
      30003: 'invalid order (already cancelled …)',
      30004: 'carrier does not support cancellation',
    },
  },
  // §3.3 and §3.4: BizID, ResultCode, ResultMsg, Quota, all required; Quota a number (royalrick/weapp: float).
  check_biz: {
    fields: { ...HEADER, BizID: 'string', ResultCode: 'integer', ResultMsg: 'string', Quota: 'number' },
    echoes: ['BizID'],
    codes: { 0: 'approved', ...ACCOUNT_CODES },
  },
  get_quota: {
    fields: { ...HEADER, BizID: 'string', ResultCode: 'integer', ResultMsg: 'string', Quota: 'number' },
    echoes: ['BizID'],
    codes: { 0: 'query succeeded', ...ACCOUNT_CODES },
  },
};

export type CarrierEventName = keyof typeof REPLY_RULES;

/**
 * WaybillData grammar (§3.1): `##` then zero or more `key##value##` pairs.
 * Returns the pairs, or a reason the string breaks the grammar.
 */
export function parseWaybillData(s: string): { ok: true; pairs: { key: string; value: string }[] } | { ok: false; problem: string } {
  if (!s.startsWith('##')) return { ok: false, problem: 'does not start with ##' };
  if (s === '##') return { ok: true, pairs: [] };
  if (!s.endsWith('##') || s.length < 4) return { ok: false, problem: 'does not end with ##' };
  const parts = s.slice(2, -2).split('##');
  if (parts.length % 2 !== 0) return { ok: false, problem: `${parts.length} ##-separated items, not key/value pairs` };
  const pairs: { key: string; value: string }[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const key = parts[i]!;
    if (key === '' || key.includes('#')) return { ok: false, problem: `bad key ${JSON.stringify(key)} in pair ${i / 2 + 1}` };
    pairs.push({ key, value: parts[i + 1]! });
  }
  return { ok: true, pairs };
}
