/**
 * A fault rule: data that makes the server fail on purpose, the same shape on
 * every surface (programmatic, admin API JSON, CLI flags, console). A rule
 * names what it matches (an API, optionally an app and an order) and how often
 * (the next N calls, or a seeded probability), and one effect: a WeChat error,
 * a delay, a reset or hung connection — or, for our own pushes to the
 * merchant, a dropped, delayed or duplicated delivery.
 *
 * Validation lives here so that every surface refuses the same rules with the
 * same message.
 */
import { errorTable } from '../core/errors.ts';
import { operations } from '../core/operations.ts';

/** Business APIs as in operations.ts (the README's API table). `'*'` matches every one of them. */
export const BUSINESS_APIS: readonly string[] = operations.map((op) => op.name);
/** The token endpoints: matchable only by name, never by `'*'` (a `'*'` rule should not lock a client out of its token). */
export const TOKEN_APIS = ['getAccessToken', 'getStableAccessToken'] as const;
/** Our own deliveries to the merchant's push URL (message push). */
export const PUSH_API = 'push';
export const PUSH_EVENTS = ['add_express_path', 'update_business_bind_result'] as const;

export type ConnectionEffect = 'reset' | 'hang';
export type PushEffect = 'drop' | 'duplicate';
export type PushEventName = (typeof PUSH_EVENTS)[number];

/** The longest delay a rule may ask for (10 minutes): longer is a hang. */
export const MAX_DELAY_MS = 600_000;

/** What a caller writes (JSON over the admin API, `wx.faults.add({...})`, CLI flags). */
export interface FaultRuleInput {
  /** A business API's name (`addOrder`, `getOrder`, …), `'*'` (every business API), `getAccessToken` / `getStableAccessToken`, or `'push'`. */
  api: string;
  /** Only calls of this app (the token's app; for the token endpoints the `appid` asked for). */
  appid?: string;
  /** Only calls whose body names this order_id (batchGetOrder: any entry of order_list); for pushes, the event's OrderId. */
  order_id?: string;
  /** Only calls whose body names this delivery_id; for pushes, the event's DeliveryID / delivery_id. */
  delivery_id?: string;
  /** Push rules only: only this event. */
  event?: PushEventName;
  /** Fires for the next `times` matching calls, then stops (kept in the list, `remaining: 0`). Default: no limit. */
  times?: number;
  /** Fires for each matching call with this chance (0–1), drawn from a PRNG seeded by `seed`. Default 1. */
  probability?: number;
  /** Seed of the probability draws: the same seed fires on the same calls (the n-th matching call, n-th draw). Default: a random one, listed with the rule. */
  seed?: string | number;
  /** Answer this WeChat errcode instead of running the API. */
  errcode?: number;
  /** errmsg of the answer (a rid is appended); default: the errcode table's text. */
  errmsg?: string;
  /** Extra fields beside errcode (defaults given on 9300501: -1 and "fault injected"). */
  delivery_resultcode?: number;
  delivery_resultmsg?: string;
  /** Alone: the API runs and its answer is sent this much later. With errcode/reset: that effect, this much later. Pushes: sent later. */
  delay_ms?: number;
  /** `reset`: the connection is reset (the client sees ECONNRESET); `hang`: never answered, until the client gives up. */
  connection?: ConnectionEffect;
  /** Push rules: `drop` fails the attempt without sending it (the retry policy applies); `duplicate` delivers it twice. */
  push?: PushEffect;
}

/** A stored rule: the input plus its id and how often it fired. */
export interface FaultRule extends FaultRuleInput {
  id: number;
  /** How many calls this rule changed. */
  hits: number;
  /** Calls it matched (api/appid/ids) while not exhausted, fired or not: the probability draws made so far. */
  matched: number;
  /** Firings left (`times` − hits), or null without `times`. */
  remaining: number | null;
  /** Wall-clock milliseconds when added. */
  created_at: number;
}

/** A rule refused for its shape; the admin API answers it as HTTP 400. */
export class FaultRuleError extends Error {
  override name = 'FaultRuleError' as const;
}

const FIELDS = new Set([
  'api',
  'appid',
  'order_id',
  'delivery_id',
  'event',
  'times',
  'probability',
  'seed',
  'errcode',
  'errmsg',
  'delivery_resultcode',
  'delivery_resultmsg',
  'delay_ms',
  'connection',
  'push',
]);

const knownErrmsg = new Map<number, string>(Object.values(errorTable).map((e) => [e.errcode, e.errmsg]));

/** The errmsg of an errcode in our one table (src/core/errors.ts), if it is there. */
export const tableErrmsg = (errcode: number): string | undefined => knownErrmsg.get(errcode);

const fail = (message: string): never => {
  throw new FaultRuleError(message);
};

function optionalString(v: Record<string, unknown>, key: string): string | undefined {
  const value = v[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string`);
  return value as string;
}

function optionalInteger(v: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = v[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(`${key} must be an integer from ${min} to ${max}`);
  return value as number;
}

function oneOf<T extends string>(v: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
  const value = v[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(`${key} must be one of ${allowed.join(', ')}`);
  return value as T;
}

const isApi = (api: string): boolean =>
  api === '*' || api === PUSH_API || BUSINESS_APIS.includes(api) || (TOKEN_APIS as readonly string[]).includes(api);

/**
 * Checks a rule's shape and answers it with only the fields it gave (in a
 * fixed order). Throws FaultRuleError with a message naming the field.
 * @example parseFaultRule({ api: 'addOrder', errcode: 9300501, times: 1 })
 */
export function parseFaultRule(input: unknown): FaultRuleInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return fail('a fault rule is a JSON object');
  const v = input as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!FIELDS.has(key)) fail(`unknown field ${key} (a rule has ${[...FIELDS].join(', ')})`);
  if (typeof v.api !== 'string' || !isApi(v.api)) {
    fail(`api must be '*', 'push', ${[...TOKEN_APIS].join(', ')} or a business API: ${BUSINESS_APIS.join(', ')}`);
  }
  const api = v.api as string;
  const rule: FaultRuleInput = { api };
  const put = <K extends keyof FaultRuleInput>(key: K, value: FaultRuleInput[K] | undefined) => {
    if (value !== undefined) rule[key] = value as FaultRuleInput[K];
  };
  put('appid', optionalString(v, 'appid'));
  put('order_id', optionalString(v, 'order_id'));
  put('delivery_id', optionalString(v, 'delivery_id'));
  put('event', oneOf(v, 'event', PUSH_EVENTS));
  put('times', optionalInteger(v, 'times', 1, Number.MAX_SAFE_INTEGER));
  if (v.probability !== undefined) {
    if (typeof v.probability !== 'number' || !(v.probability >= 0 && v.probability <= 1)) fail('probability must be a number from 0 to 1');
    rule.probability = v.probability as number;
  }
  if (v.seed !== undefined) {
    if (!(typeof v.seed === 'string' || (typeof v.seed === 'number' && Number.isFinite(v.seed)))) fail('seed must be a string or a number');
    if (rule.probability === undefined) fail('seed needs probability (it seeds the probability draws)');
    rule.seed = v.seed as string | number;
  }
  put('errcode', optionalInteger(v, 'errcode', -(2 ** 31), 2 ** 31 - 1));
  put('errmsg', optionalString(v, 'errmsg'));
  put('delivery_resultcode', optionalInteger(v, 'delivery_resultcode', -(2 ** 31), 2 ** 31 - 1));
  if (v.delivery_resultmsg !== undefined) {
    if (typeof v.delivery_resultmsg !== 'string') fail('delivery_resultmsg must be a string');
    rule.delivery_resultmsg = v.delivery_resultmsg as string;
  }
  put('delay_ms', optionalInteger(v, 'delay_ms', 0, MAX_DELAY_MS));
  put('connection', oneOf(v, 'connection', ['reset', 'hang'] as const));
  put('push', oneOf(v, 'push', ['drop', 'duplicate'] as const));
  checkEffects(rule);
  return rule;
}

function checkEffects(rule: FaultRuleInput): void {
  if (rule.api === PUSH_API) {
    for (const key of ['errcode', 'errmsg', 'delivery_resultcode', 'delivery_resultmsg', 'connection'] as const) {
      if (rule[key] !== undefined) fail(`${key} is not a push effect (push rules take push: drop | duplicate and/or delay_ms)`);
    }
    if (rule.push === undefined && rule.delay_ms === undefined) fail('a push rule needs push (drop | duplicate) or delay_ms');
    if (rule.push === 'drop' && rule.delay_ms !== undefined) fail('push: drop sends nothing, so it takes no delay_ms');
    return;
  }
  if (rule.push !== undefined) fail("push is an effect of api: 'push' rules");
  if (rule.event !== undefined) fail("event filters api: 'push' rules");
  if (rule.errcode === undefined && rule.connection === undefined && rule.delay_ms === undefined) {
    fail('a rule needs an effect: errcode, delay_ms or connection (reset | hang)');
  }
  if (rule.errcode !== undefined && rule.connection !== undefined) fail('errcode and connection are two effects; give one');
  if (rule.errcode === 0) fail('errcode 0 is a success; a fault needs a non-zero errcode (or delay_ms alone)');
  if (rule.errcode === undefined) {
    for (const key of ['errmsg', 'delivery_resultcode', 'delivery_resultmsg'] as const)
      if (rule[key] !== undefined) fail(`${key} goes with errcode`);
  } else if (rule.errmsg === undefined && tableErrmsg(rule.errcode) === undefined) {
    fail(`errcode ${rule.errcode} is not in the errcode table (docs/errcodes.md): give its errmsg`);
  }
  if (rule.connection === 'hang' && rule.delay_ms !== undefined) fail('connection: hang never answers, so it takes no delay_ms');
  if (TOKEN_APIS.includes(rule.api as (typeof TOKEN_APIS)[number]) && (rule.order_id !== undefined || rule.delivery_id !== undefined)) {
    fail('the token endpoints have no order_id or delivery_id');
  }
}
