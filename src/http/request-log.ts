/**
 * The console's live request log: the last N WeChat API calls in a
 * ring buffer, with each non-zero errcode explained in plain language. Filled
 * from server.ts hooks and the direct lanes; nothing is re-parsed or copied
 * from bodies, and a call's record allocates nothing that lives on (getOrder is benchmarked).
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

/** Distinct paths the log keeps one string of (see `RequestLog`); past this many it starts over. */
const INTERNED_PATHS_MAX = 256;

/**
 * The ring is kept in columns written in place, so recording a call allocates nothing that
 * outlives the call. An object per call lived for `capacity` calls: under load long enough for
 * V8 to copy it out of the young generation and promote it, and most of what each scavenge
 * promoted on a busy server was these entries and their path strings (docs/performance.md).
 * Paths repeat (one client, one token, one API), so a path equal to one recorded recently is
 * kept as that string instead of the request's own copy.
 */
export class RequestLog {
  /** 0 marks an empty slot (seq starts at 1). */
  readonly #seqs: Float64Array;
  readonly #ats: Float64Array;
  readonly #durations: Float64Array;
  readonly #errcodes: Float64Array;
  readonly #methods: string[];
  readonly #paths: string[];
  readonly #appids: (string | null)[];
  readonly #explanations: (string | null)[];
  readonly #interned = new Map<string, string>();
  #next = 0;
  #seq = 0;
  readonly #tokensIssued = new Map<string, TokenCounts>();

  constructor(readonly capacity = 500) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('request log capacity must be a positive integer');
    this.#seqs = new Float64Array(capacity);
    this.#ats = new Float64Array(capacity);
    this.#durations = new Float64Array(capacity);
    this.#errcodes = new Float64Array(capacity);
    this.#methods = new Array<string>(capacity).fill('');
    this.#paths = new Array<string>(capacity).fill('');
    this.#appids = new Array<string | null>(capacity).fill(null);
    this.#explanations = new Array<string | null>(capacity).fill(null);
  }

  /** `path` may still hold token or secret values: they are masked when the log is read (`list`), not on every call. */
  record(e: NewRequestLogEntry): void {
    const i = this.#next;
    this.#seqs[i] = ++this.#seq;
    this.#ats[i] = e.at;
    this.#methods[i] = e.method;
    this.#paths[i] = this.#intern(e.path);
    this.#appids[i] = e.appid;
    this.#errcodes[i] = e.errcode;
    this.#durations[i] = e.duration_ms;
    this.#explanations[i] = e.errcode === 0 ? null : e.error ? explainError(e.error) : (EXPLANATIONS[e.errcode] ?? null);
    this.#next = (i + 1) % this.capacity;
  }

  /** Entries with seq > `after`, oldest first, at most `limit` (the newest ones when more are there). */
  list(after = 0, limit = this.capacity): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    for (let n = 0; n < this.capacity; n++) {
      const i = (this.#next + n) % this.capacity;
      const seq = this.#seqs[i]!;
      if (seq === 0 || seq <= after) continue;
      out.push({
        seq,
        at: this.#ats[i]!,
        method: this.#methods[i]!,
        path: this.#paths[i]!,
        appid: this.#appids[i]!,
        errcode: this.#errcodes[i]!,
        duration_ms: this.#durations[i]!,
        explanation: this.#explanations[i]!,
      });
    }
    return out.slice(-limit).map((e) => ({ ...e, path: redactUrl(e.path) }));
  }

  /** Forgets every entry and token count (a reset); `seq` keeps counting, so a console polling with `after` sees what comes next. */
  clear(): void {
    this.#seqs.fill(0);
    this.#methods.fill('');
    this.#paths.fill('');
    this.#appids.fill(null);
    this.#explanations.fill(null);
    this.#interned.clear();
    this.#next = 0;
    this.#tokensIssued.clear();
  }

  get lastSeq(): number {
    return this.#seq;
  }

  #intern(path: string): string {
    const known = this.#interned.get(path);
    if (known !== undefined) return known;
    if (this.#interned.size >= INTERNED_PATHS_MAX) this.#interned.clear();
    this.#interned.set(path, path);
    return path;
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
