/**
 * Per-app, per-path call counters (api-management.md §2, §5) that cost a few map
 * operations per call. Calls are counted in this process and added to the shared
 * store in batches (`flush`, every ~200 ms and at close: `count = count + n`, so
 * no increment is lost however many instances flush at once); the daily check
 * uses the total the store answered at the last flush plus this process's
 * pending calls. Across instances a day's limit may therefore be overshot by the
 * calls the other instances admit within one flush interval (docs/deviations.md).
 * The per-period rate is counted per process (fixed windows on the clock).
 */
import { nowSeconds, type Clock } from './clock.ts';
import { beijingDay, isRefusablePath, resolveLimit, type CallLimit, type CallLimitOverride } from './api-quota.ts';
import { WxError } from './errors.ts';
import type { ApiUsageDelta, Store } from '../storage/types.ts';

const key = (day: number, appid: string, path: string): string => `${day}\u0000${appid}\u0000${path}`;

export class ApiUsageMeter {
  /** Calls counted here and not yet added to the store. */
  #pending = new Map<string, ApiUsageDelta>();
  /** Calls being written by the flush in progress: still counted until it has re-read the totals. */
  #inFlight = new Map<string, ApiUsageDelta>();
  /** Store totals of today as of the last flush (every instance's calls). */
  #known = new Map<string, number>();
  #overrides = new Map<string, CallLimitOverride[]>();
  readonly #limits = new Map<string, CallLimit>();
  readonly #windows = new Map<string, { window: number; count: number }>();
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The limit in force for one app and path (cached until the overrides change). */
  limitOf(appid: string, path: string): CallLimit {
    const k = `${appid}\u0000${path}`;
    let limit = this.#limits.get(k);
    if (!limit) {
      limit = resolveLimit(path, this.#overrides.get(appid) ?? []);
      this.#limits.set(k, limit);
    }
    return limit;
  }

  /** Today's calls of one app on one path, as far as this process knows. */
  usedToday(appid: string, path: string): number {
    return this.#used(key(beijingDay(nowSeconds(this.clock)), appid, path));
  }

  #used(k: string): number {
    return (this.#known.get(k) ?? 0) + (this.#inFlight.get(k)?.count ?? 0) + (this.#pending.get(k)?.count ?? 0);
  }

  /**
   * Admits one call and counts it, or answers why not: 45009 when the day's
   * calls are used up, 45011 when the period's rate is. Refused calls are not counted.
   */
  admit(appid: string, path: string): WxError | undefined {
    const refused = this.check(appid, path);
    if (!refused) this.count(appid, path);
    return refused;
  }

  /** Whether one more call would be admitted, without counting it. */
  check(appid: string, path: string): WxError | undefined {
    if (!isRefusablePath(path)) return undefined;
    const nowMs = this.clock.nowMs();
    const limit = this.limitOf(appid, path);
    const k = key(beijingDay(Math.floor(nowMs / 1000)), appid, path);
    const used = this.#used(k);
    if (used >= limit.daily_limit) return new WxError('dailyQuotaReached', `${used} of ${limit.daily_limit} calls of ${path} used today`);
    const w = this.#windows.get(`${appid}\u0000${path}`);
    if (w && w.window === Math.floor(nowMs / (limit.rate_limit.refresh_second * 1000)) && w.count >= limit.rate_limit.call_count) {
      return new WxError('minuteQuotaReached', `${limit.rate_limit.call_count} calls per ${limit.rate_limit.refresh_second} s on ${path}`);
    }
    return undefined;
  }

  /** Counts one call (today's counter and the current period's). */
  count(appid: string, path: string): void {
    const nowMs = this.clock.nowMs();
    const day = beijingDay(Math.floor(nowMs / 1000));
    const k = key(day, appid, path);
    const p = this.#pending.get(k);
    if (p) p.count++;
    else this.#pending.set(k, { appid, cgi_path: path, day, count: 1 });
    if (!isRefusablePath(path)) return;
    const window = Math.floor(nowMs / (this.limitOf(appid, path).rate_limit.refresh_second * 1000));
    const wk = `${appid}\u0000${path}`;
    const w = this.#windows.get(wk);
    if (w && w.window === window) w.count++;
    else this.#windows.set(wk, { window, count: 1 });
  }

  /** Today's day number on the clock (Beijing time). */
  today(): number {
    return beijingDay(nowSeconds(this.clock));
  }

  /**
   * Adds the pending calls to the store, then re-reads today's totals and the
   * limit overrides (another instance or the CLI may have changed either). On a
   * store failure the calls stay pending for the next flush.
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight = batch;
    try {
      if (batch.size > 0) await this.store.transaction((tx) => tx.apiCalls.addUsage([...batch.values()]));
    } catch (error) {
      for (const [k, d] of batch) {
        const p = this.#pending.get(k);
        if (p) p.count += d.count;
        else this.#pending.set(k, d);
      }
      this.#inFlight = new Map();
      throw error;
    }
    try {
      await this.reload(); // the totals it reads include the batch
    } catch (error) {
      for (const [k, d] of batch) this.#known.set(k, (this.#known.get(k) ?? 0) + d.count);
      throw error;
    } finally {
      this.#inFlight = new Map();
    }
  }

  /** Re-reads today's totals and the overrides from the store. */
  async reload(): Promise<void> {
    const day = beijingDay(nowSeconds(this.clock));
    const [rows, overrides] = await Promise.all([this.store.apiCalls.listUsage(day), this.store.apiCalls.listLimits()]);
    this.#known = new Map(rows.map((r) => [key(day, r.appid, r.cgi_path), r.count]));
    const byApp = new Map<string, CallLimitOverride[]>();
    for (const o of overrides) byApp.set(o.appid, [...(byApp.get(o.appid) ?? []), o]);
    this.#overrides = byApp;
    this.#limits.clear();
  }

  /** clearQuota: today's counters of the app start again at 0, here and in the store. */
  async clear(appid: string): Promise<void> {
    // Calls being written right now must land before the counters are cleared.
    await this.#flushing?.catch(() => undefined);
    const day = beijingDay(nowSeconds(this.clock));
    for (const [k, d] of this.#pending) if (d.appid === appid) this.#pending.delete(k);
    for (const k of this.#windows.keys()) if (k.startsWith(`${appid}\u0000`)) this.#windows.delete(k);
    await this.store.apiCalls.clearUsage(appid, day);
    for (const k of this.#known.keys()) if (k.startsWith(`${day}\u0000${appid}\u0000`)) this.#known.delete(k);
  }
}
