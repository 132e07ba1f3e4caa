/**
 * WeChat's API-management endpoints (api-management.md §1–§4): getRidInfo,
 * getApiQuota, clearQuota, clearQuotaByAppSecret; and the limit settings the
 * admin API, the CLI and the console change.
 */
import {
  beijingDay,
  beijingMonth,
  componentRateLimit,
  COUNTED_PATHS,
  isCountedPath,
  isForbiddenPath,
  RESETS_PER_MONTH,
  RID_PATTERN,
  RID_RETENTION_SECONDS,
  validateOverride,
  type CallLimit,
  type CallLimitOverride,
} from './api-quota.ts';
import type { ApiUsageMeter } from './api-usage-meter.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import type { RidLog } from './rid-log.ts';
import type { TokenService } from './token-service.ts';
import type { ApiLimitRecord, Store } from '../storage/types.ts';

/** A body field, else the query parameter of the same name (§4: clients send either). */
export type Params = Record<string, unknown>;

const text = (p: Params, name: string): string | undefined => {
  const v = p[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export interface PathUsage {
  cgi_path: string;
  used: number;
  daily_limit: number;
  remain: number;
  rate_limit: CallLimit['rate_limit'];
}

export class ApiManagementService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly meter: ApiUsageMeter,
    readonly rids: RidLog,
    private readonly tokens: TokenService,
  ) {}

  /** POST /cgi-bin/openapi/rid/get */
  async getRidInfo(appid: string, p: Params): Promise<Record<string, unknown>> {
    const rid = text(p, 'rid')?.toLowerCase();
    if (rid === undefined || !RID_PATTERN.test(rid)) throw new WxError('ridIsError', 'rid must be three groups of 8 hex digits');
    const found = await this.rids.find(rid);
    if (!found || found.invoke_time < nowSeconds(this.clock) - RID_RETENTION_SECONDS)
      throw new WxError('ridNotFound', 'no answer with this rid in the last 7 days');
    if (found.appid !== appid) throw new WxError('ridNoPermission', 'the rid was answered to another app');
    return {
      errcode: 0,
      errmsg: 'ok',
      request: {
        invoke_time: found.invoke_time,
        cost_in_ms: found.cost_in_ms,
        request_url: found.request_url,
        request_body: found.request_body,
        response_body: found.response_body,
        client_ip: found.client_ip,
      },
    };
  }

  /** POST /cgi-bin/openapi/quota/get */
  async getApiQuota(appid: string, p: Params): Promise<Record<string, unknown>> {
    const path = text(p, 'cgi_path');
    if (path !== undefined && isForbiddenPath(path)) throw new WxError('cgiPathNoPermission', `${path} is a carrier-side API`);
    if (path === undefined || !isCountedPath(path))
      throw new WxError('cgiPathNotFound', 'cgi_path must be an API path with a leading / and no host');
    const u = this.usage(appid, path);
    return {
      errcode: 0,
      errmsg: 'ok',
      quota: { daily_limit: u.daily_limit, used: u.used, remain: u.remain },
      rate_limit: u.rate_limit,
      component_rate_limit: componentRateLimit(u.rate_limit),
    };
  }

  /** POST /cgi-bin/clear_quota: the token's own app only. */
  async clearQuota(appid: string, p: Params): Promise<Record<string, unknown>> {
    const named = text(p, 'appid');
    if (named === undefined) throw new WxError('appidMissing');
    if (named !== appid) throw new WxError('invalidAppid', "clear_quota takes the access_token's own appid");
    await this.#reset(appid);
    return { errcode: 0, errmsg: 'ok' };
  }

  /** POST /cgi-bin/clear_quota/v2: appid + appsecret, no token. */
  async clearQuotaByAppSecret(p: Params): Promise<Record<string, unknown>> {
    const appid = text(p, 'appid');
    if (appid === undefined) throw new WxError('appidMissing');
    const secret = text(p, 'appsecret');
    if (secret === undefined) throw new WxError('appsecretMissing');
    await this.tokens.checkAppSecret(appid, secret);
    await this.#reset(appid);
    return { errcode: 0, errmsg: 'ok' };
  }

  async #reset(appid: string): Promise<void> {
    const month = beijingMonth(nowSeconds(this.clock));
    if (!(await this.store.apiCalls.takeReset(appid, month, RESETS_PER_MONTH))) {
      throw new WxError('clearQuotaLimitReached', `${RESETS_PER_MONTH} resets per calendar month are used`);
    }
    await this.meter.clear(appid);
  }

  /** Today's use of one path, as this instance knows it. */
  usage(appid: string, path: string): PathUsage {
    const limit = this.meter.limitOf(appid, path);
    const used = this.meter.usedToday(appid, path);
    return {
      cgi_path: path,
      used,
      daily_limit: limit.daily_limit,
      remain: Math.max(0, limit.daily_limit - used),
      rate_limit: limit.rate_limit,
    };
  }

  /** Today's use of every path of an app, from the store (flushed calls) plus this instance's pending ones. */
  async usageToday(appid: string): Promise<{ day: number; resets_this_month: number; paths: PathUsage[] }> {
    await this.meter.reload();
    const now = nowSeconds(this.clock);
    return {
      day: beijingDay(now),
      resets_this_month: await this.store.apiCalls.resetsUsed(appid, beijingMonth(now)),
      paths: COUNTED_PATHS.map((path) => this.usage(appid, path)),
    };
  }

  listLimits(appid: string): Promise<ApiLimitRecord[]> {
    return this.store.apiCalls.listLimits(appid);
  }

  /** Stores an override (`cgi_path` `*` = every path of the app); throws RangeError on bad values. */
  async setLimit(appid: string, o: CallLimitOverride): Promise<ApiLimitRecord> {
    if (!(await this.store.apps.get(appid))) throw new RangeError(`no app ${appid}`);
    const problem = validateOverride(o);
    if (problem) throw new RangeError(problem);
    const record: ApiLimitRecord = { appid, ...o, updated_at: nowSeconds(this.clock) };
    await this.store.apiCalls.putLimit(record);
    await this.meter.reload();
    return record;
  }

  async deleteLimit(appid: string, path: string): Promise<boolean> {
    const deleted = await this.store.apiCalls.deleteLimit(appid, path);
    await this.meter.reload();
    return deleted;
  }
}
