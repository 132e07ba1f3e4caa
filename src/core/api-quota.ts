/**
 * The rules of WeChat's API call quotas (api-management.md §2–§5), without I/O:
 * which paths are counted, their default limits, the Beijing-time day and month
 * the counters and resets belong to, and the rid format of getRidInfo.
 */
import { operations } from './operations.ts';

/** Beijing time (UTC+8): the day's calls turn at midnight there, resets per calendar month there. */
const BEIJING_OFFSET_SECONDS = 8 * 3600;

/** The day number (days since 1970-01-01, Beijing time) a Unix time falls on. */
export const beijingDay = (unixSeconds: number): number => Math.floor((unixSeconds + BEIJING_OFFSET_SECONDS) / 86400);

/** The calendar month (Beijing time) as year × 12 + month index: 2026-12 → 24322. */
export function beijingMonth(unixSeconds: number): number {
  const d = new Date((unixSeconds + BEIJING_OFFSET_SECONDS) * 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** clearQuota and clearQuotaByAppSecret together: 10 per account per calendar month (§3). */
export const RESETS_PER_MONTH = 10;

/** getRidInfo finds rids for 7 days (§1). */
export const RID_RETENTION_SECONDS = 7 * 86400;

/** Three groups of 8 lowercase hex, the first the Unix time (auth-and-errors.md §4). */
export const RID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

export interface RateLimit {
  call_count: number;
  refresh_second: number;
}

/** What applies to one app and path: the day's limit and the per-period rate. */
export interface CallLimit {
  daily_limit: number;
  rate_limit: RateLimit;
}

/** An override stored per app and path (`*` = every path of the app); null fields keep the default. */
export interface CallLimitOverride {
  cgi_path: string;
  daily_limit: number | null;
  call_count: number | null;
  refresh_second: number | null;
}

export const WILDCARD_PATH = '*';

export const API_MANAGEMENT_PATHS = {
  getRidInfo: '/cgi-bin/openapi/rid/get',
  getApiQuota: '/cgi-bin/openapi/quota/get',
  clearQuota: '/cgi-bin/clear_quota',
  clearQuotaByAppSecret: '/cgi-bin/clear_quota/v2',
} as const;

/** The account default seen live (§2): 1,000,000 a day, 4,200,000 per 60 s. */
const ACCOUNT_DEFAULT: CallLimit = { daily_limit: 1_000_000, rate_limit: { call_count: 4_200_000, refresh_second: 60 } };

/**
 * Known limits that differ from the account default. getPath: 500,000 a day for
 * an account without WeChat Pay (§2; apps here have no WeChat Pay merchant, set
 * 1,000,000 with `app limits` to model one). stable_token: 10,000 a minute and
 * 500,000 a day (auth-and-errors.md §2).
 */
const KNOWN_DEFAULTS: Readonly<Record<string, CallLimit>> = {
  '/cgi-bin/express/business/path/get': { daily_limit: 500_000, rate_limit: ACCOUNT_DEFAULT.rate_limit },
  '/cgi-bin/stable_token': { daily_limit: 500_000, rate_limit: { call_count: 10_000, refresh_second: 60 } },
};

/**
 * Every path with a call quota: the logistics APIs, the token endpoints and the
 * API-management endpoints. clear_quota/v2 is counted but never refused: it is
 * what an app calls when its quota is used up.
 */
export const COUNTED_PATHS: readonly string[] = [
  '/cgi-bin/token',
  '/cgi-bin/stable_token',
  ...operations.map((op) => op.path),
  ...Object.values(API_MANAGEMENT_PATHS),
];
const counted = new Set(COUNTED_PATHS);
export const isCountedPath = (path: string): boolean => counted.has(path);
export const isRefusablePath = (path: string): boolean => counted.has(path) && path !== API_MANAGEMENT_PATHS.clearQuotaByAppSecret;

/** Paths of WeChat's API a mini program's token may not use: the carrier side (provider-api.md). */
export const isForbiddenPath = (path: string): boolean => path.startsWith('/cgi-bin/express/delivery/');

export const defaultLimit = (path: string): CallLimit => KNOWN_DEFAULTS[path] ?? ACCOUNT_DEFAULT;

/** The limit of one path: the default, then the app's `*` override, then the path's own. */
export function resolveLimit(path: string, overrides: readonly CallLimitOverride[]): CallLimit {
  const base = defaultLimit(path);
  let daily = base.daily_limit;
  let count = base.rate_limit.call_count;
  let seconds = base.rate_limit.refresh_second;
  for (const scope of [WILDCARD_PATH, path]) {
    const o = overrides.find((x) => x.cgi_path === scope);
    if (!o) continue;
    if (o.daily_limit !== null) daily = o.daily_limit;
    if (o.call_count !== null) count = o.call_count;
    if (o.refresh_second !== null) seconds = o.refresh_second;
  }
  return { daily_limit: daily, rate_limit: { call_count: count, refresh_second: seconds } };
}

/**
 * A third-party platform's rate on the same path. There are no third-party
 * platforms here; we show a quarter of the app's rate, as the live answer of §2 does.
 */
export const componentRateLimit = (rate: RateLimit): RateLimit => ({
  call_count: Math.floor(rate.call_count / 4),
  refresh_second: rate.refresh_second,
});

/** Checks an override before it is stored: whole numbers, a known path (or `*`). */
export function validateOverride(o: CallLimitOverride): string | undefined {
  if (o.cgi_path !== WILDCARD_PATH && !isCountedPath(o.cgi_path))
    return `cgi_path ${JSON.stringify(o.cgi_path)} is not an API with a call quota`;
  if (o.daily_limit !== null && !(Number.isSafeInteger(o.daily_limit) && o.daily_limit >= 0))
    return 'daily_limit must be a whole number ≥ 0';
  if (o.call_count !== null && !(Number.isSafeInteger(o.call_count) && o.call_count >= 0))
    return 'rate_limit.call_count must be a whole number ≥ 0';
  if (o.refresh_second !== null && !(Number.isSafeInteger(o.refresh_second) && o.refresh_second >= 1))
    return 'rate_limit.refresh_second must be a whole number ≥ 1';
  return undefined;
}

/** The Unix time a rid was answered at (its first group). */
export const ridTime = (rid: string): number => parseInt(rid.slice(0, 8), 16);

/**
 * An override from the admin API's JSON (`{"cgi_path": …, "daily_limit": N,
 * "rate_limit": {"call_count": N, "refresh_second": S}}`, the shape getApiQuota
 * answers); a field left out or null keeps the default. Throws RangeError.
 */
export function overrideFromJson(input: unknown): CallLimitOverride {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new RangeError('a limit is a JSON object');
  const o = input as Record<string, unknown>;
  if (typeof o.cgi_path !== 'string') throw new RangeError('cgi_path is required (an API path, or * for every path of the app)');
  const rate = o.rate_limit ?? {};
  if (rate === null || typeof rate !== 'object') throw new RangeError('rate_limit is an object {call_count, refresh_second}');
  const n = (v: unknown, name: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number') throw new RangeError(`${name} must be a number`);
    return v;
  };
  const r = rate as Record<string, unknown>;
  const override = {
    cgi_path: o.cgi_path,
    daily_limit: n(o.daily_limit, 'daily_limit'),
    call_count: n(r.call_count, 'rate_limit.call_count'),
    refresh_second: n(r.refresh_second, 'rate_limit.refresh_second'),
  };
  const problem = validateOverride(override);
  if (problem) throw new RangeError(problem);
  return override;
}
