/**
 * The console's live request log: the last N WeChat API calls in a
 * ring buffer, with each non-zero errcode explained in plain language. Filled
 * from server.ts hooks at the cost of one small object per call: nothing is
 * re-parsed or copied from bodies (getOrder is benchmarked).
 */
import type { WxError } from '../core/errors.ts';
import type { TokenKind } from '../core/tokens.ts';

export interface RequestLogEntry {
  /** Increases by one per recorded call; the console polls with `after=<seq>`. */
  seq: number;
  /** Server clock, Unix milliseconds. */
  at: number;
  method: string;
  /** Path and query, with the values of access_token and secret replaced by `***`. */
  path: string;
  appid: string | null;
  errcode: number;
  duration_ms: number;
  /** Plain-language reason for a non-zero errcode; null for successes. */
  explanation: string | null;
}

export type NewRequestLogEntry = Omit<RequestLogEntry, 'seq' | 'explanation'> & { error?: WxError | undefined };

/**
 * Why WeChat answers an errcode, for failures thrown without a `detail`
 * (most carry one; these are the generic ones raised by the HTTP adapter).
 */
const EXPLANATIONS: Readonly<Record<number, string>> = {
  [-1]: 'the server failed unexpectedly; the request may be retried (see the server log)',
  40001: 'the access_token is not one this server issued, is malformed, or was superseded by a newer token',
  40002: 'grant_type must be client_credential',
  40013: 'no app with this appid exists on this server',
  40066: 'no API answers on this path (check the URL and the method)',
  40097: 'a parameter has an invalid value',
  40125: 'the secret does not match the appid',
  40199: 'the waybill_id does not belong to this order',
  41001: 'the request has no access_token query parameter',
  41002: 'the request has no appid',
  41004: 'the request has no secret',
  42001: 'the access_token is older than 7200 s; fetch a new one',
  43001: 'this API must be called with GET',
  43002: 'this API must be called with POST',
  44002: 'the POST request has an empty body',
  45009: 'the daily call quota of this API is used up (getApiQuota shows it; clearQuota resets the day)',
  45011: 'too many calls of this API in the current period (rate_limit); retry in the next one',
  48006: 'clearQuota / clear_quota/v2 were used 10 times this calendar month',
  76001: 'no answer with this rid in the last 7 days',
  76002: 'rid must be three groups of 8 hex digits, as printed after "rid: "',
  76003: 'this rid was answered to another app',
  76021: 'cgi_path must be an API path with a leading / and no host',
  76022: 'this token may not use that API (carrier-side path)',
  47001: 'the body is not a JSON object of the documented field types, or is over 1 MiB',
  9300501: 'the carrier refused the order',
  9300502: 'the carrier side failed; retry later',
  9300503: 'delivery_id is not one of the carriers of getAllDelivery',
  9300506: 'the waybill already has tracking nodes, so it can no longer be cancelled',
  9300510: 'service_type is not offered by this carrier',
  9300522: 'this order_id was used before with a different body',
  9300524: 'the order is already cancelled',
  9300525: 'no account with this biz_id is bound for this carrier (bindAccount first, or use TEST / test_biz_id)',
  9300526: 'a field is longer than allowed',
  9300528: 'the waybill_id does not match the order',
  9300531: 'the carrier rejected the biz_id or password',
  9300535: 'the shop fields (goods, image, count) are incomplete',
  9300536: 'wxa_appid is not a valid mini program appid',
  930561: 'a required field is missing or has a wrong value',
  930563: 'no order with this order_id and delivery_id exists in this app',
  930564: 'the e-waybill quota of this carrier account is used up',
};

/** The plain-language reason of a failure: its own detail, else the table's line for its errcode. */
export function explainError(error: WxError): string {
  return error.detail ?? EXPLANATIONS[error.errcode] ?? error.errmsg;
}

const SECRET_PARAMS = /([?&](?:access_token|secret)=)[^&]*/g;

/** The request URL without token or secret values (they must never reach the console). */
export const redactUrl = (url: string): string => (url.includes('=') ? url.replace(SECRET_PARAMS, '$1***') : url);

export interface TokenCounts {
  token: number;
  stable: number;
}

export class RequestLog {
  readonly #entries: (RequestLogEntry | undefined)[];
  #next = 0;
  #seq = 0;
  readonly #tokensIssued = new Map<string, TokenCounts>();

  constructor(readonly capacity = 500) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('request log capacity must be a positive integer');
    this.#entries = new Array<RequestLogEntry | undefined>(capacity);
  }

  /** `path` may still hold token or secret values: they are masked when the log is read (`list`), not on every call. */
  record(e: NewRequestLogEntry): void {
    const explanation = e.errcode === 0 ? null : e.error ? explainError(e.error) : (EXPLANATIONS[e.errcode] ?? null);
    this.#entries[this.#next] = {
      seq: ++this.#seq,
      at: e.at,
      method: e.method,
      path: e.path,
      appid: e.appid,
      errcode: e.errcode,
      duration_ms: e.duration_ms,
      explanation,
    };
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Entries with seq > `after`, oldest first, at most `limit` (the newest ones when more are there). */
  list(after = 0, limit = this.capacity): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.#entries[(this.#next + i) % this.capacity];
      if (e && e.seq > after) out.push(e);
    }
    return out.slice(-limit).map((e) => ({ ...e, path: redactUrl(e.path) }));
  }

  /** Forgets every entry and token count (a reset); `seq` keeps counting, so a console polling with `after` sees what comes next. */
  clear(): void {
    this.#entries.fill(undefined);
    this.#next = 0;
    this.#tokensIssued.clear();
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** Counts a token answered by /cgi-bin/token or /cgi-bin/stable_token (since this process started). */
  countToken(appid: string, kind: TokenKind): void {
    const counts = this.#tokensIssued.get(appid) ?? { token: 0, stable: 0 };
    counts[kind]++;
    this.#tokensIssued.set(appid, counts);
  }

  tokensIssued(appid: string): TokenCounts {
    return { ...(this.#tokensIssued.get(appid) ?? { token: 0, stable: 0 }) };
  }
}
