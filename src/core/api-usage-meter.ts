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

/**
 * One app and path on this process. Found through two map lookups keyed by the
 * appid and route strings the request already holds (no key is built per call).
 */
interface Slot {
  appid: string;
  path: string;
  /** The Beijing day the counts below belong to. */
  day: number;
  /** Store total at the last read (every instance's calls). */
  known: number;
  /** Calls of this process being written by the flush in progress. */
  inFlight: number;
  /** Calls of this process not yet written. */
  pending: number;
  window: number;
  windowCount: number;
  limit: CallLimit | undefined;
}

export class ApiUsageMeter {
  readonly #slots = new Map<string, Map<string, Slot>>();
  /** Pending calls of days that have ended (written by the next flush). */
  #carry: ApiUsageDelta[] = [];
  #overrides = new Map<string, CallLimitOverride[]>();
  #flushing: Promise<void> | undefined;
  /**
   * Flushes and reloads run one after the other. A reload whose read overlapped a
   * flush could read totals that already hold the batch while its calls were still
   * counted in flight, and count them twice (seen as 2 calls for 1 in the console).
   */
  #serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  #slot(appid: string, path: string, day: number): Slot {
    let byPath = this.#slots.get(appid);
    if (!byPath) this.#slots.set(appid, (byPath = new Map()));
    let s = byPath.get(path);
    if (!s) {
      s = { appid, path, day, known: 0, inFlight: 0, pending: 0, window: -1, windowCount: 0, limit: undefined };
      byPath.set(path, s);
    } else if (s.day < day) {
      // The day turned: yesterday's unwritten calls still go to yesterday's counter.
      if (s.pending > 0) this.#carry.push({ appid, cgi_path: path, day: s.day, count: s.pending });
      s.day = day;
      s.known = 0;
      s.inFlight = 0;
      s.pending = 0;
    }
    return s;
  }

  #limit(s: Slot): CallLimit {
    return (s.limit ??= resolveLimit(s.path, this.#overrides.get(s.appid) ?? []));
  }

  /** The limit in force for one app and path. */
  limitOf(appid: string, path: string): CallLimit {
    return this.#limit(this.#slot(appid, path, this.today()));
  }

  /** Today's calls of one app on one path, as far as this process knows. */
  usedToday(appid: string, path: string): number {
    const s = this.#slot(appid, path, this.today());
    return s.known + s.inFlight + s.pending;
  }

  /**
   * Admits one call and counts it, or answers why not: 45009 when the day's
   * calls are used up, 45011 when the period's rate is. Refused calls are not counted.
   */
  admit(appid: string, path: string): WxError | undefined {
    const nowMs = this.clock.nowMs();
    const s = this.#slot(appid, path, beijingDay(Math.floor(nowMs / 1000)));
    const refused = this.#check(s, nowMs);
    if (!refused) this.#count(s, nowMs);
    return refused;
  }

  /**
   * Whether one more call would be admitted, without counting it. Used with appids
   * nobody has proved yet (the token endpoints), so it never adds a slot: a caller
   * naming random appids must not grow this process's memory.
   */
  check(appid: string, path: string): WxError | undefined {
    const nowMs = this.clock.nowMs();
    const day = beijingDay(Math.floor(nowMs / 1000));
    const existing = this.#slots.get(appid)?.get(path);
    if (existing) return this.#check(this.#slot(appid, path, day), nowMs);
    const limit = resolveLimit(path, this.#overrides.get(appid) ?? []);
    const unused = { appid, path, day, known: 0, inFlight: 0, pending: 0, window: -1, windowCount: 0, limit };
    return this.#check(unused, nowMs);
  }

  /** Counts one call (today's counter and the current period's). */
  count(appid: string, path: string): void {
    const nowMs = this.clock.nowMs();
    this.#count(this.#slot(appid, path, beijingDay(Math.floor(nowMs / 1000))), nowMs);
  }

  #check(s: Slot, nowMs: number): WxError | undefined {
    if (!isRefusablePath(s.path)) return undefined;
    const limit = this.#limit(s);
    const used = s.known + s.inFlight + s.pending;
    if (used >= limit.daily_limit) return new WxError('dailyQuotaReached', `${used} of ${limit.daily_limit} calls of ${s.path} used today`);
    const rate = limit.rate_limit;
    if (s.windowCount >= rate.call_count && s.window === Math.floor(nowMs / (rate.refresh_second * 1000))) {
      return new WxError('minuteQuotaReached', `${rate.call_count} calls per ${rate.refresh_second} s on ${s.path}`);
    }
    return undefined;
  }

  #count(s: Slot, nowMs: number): void {
    s.pending++;
    const window = Math.floor(nowMs / (this.#limit(s).rate_limit.refresh_second * 1000));
    if (s.window === window) s.windowCount++;
    else {
      s.window = window;
      s.windowCount = 1;
    }
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
    this.#flushing ??= this.#serially(() => this.#flush()).finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  #serially<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(op, op);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #flush(): Promise<void> {
    const deltas = this.#carry;
    this.#carry = [];
    const moved: [Slot, number][] = [];
    for (const byPath of this.#slots.values()) {
      for (const s of byPath.values()) {
        if (s.pending === 0) continue;
        deltas.push({ appid: s.appid, cgi_path: s.path, day: s.day, count: s.pending });
        moved.push([s, s.day]);
        s.inFlight += s.pending;
        s.pending = 0;
      }
    }
    try {
      if (deltas.length > 0) await this.store.transaction((tx) => tx.apiCalls.addUsage(deltas));
    } catch (error) {
      // Back to pending (or to the carry, for a day that has ended meanwhile).
      for (const d of deltas) {
        const s = this.#slots.get(d.appid)?.get(d.cgi_path);
        if (s && s.day === d.day && s.inFlight >= d.count) {
          s.inFlight -= d.count;
          s.pending += d.count;
        } else this.#carry.push(d);
      }
      throw error;
    }
    try {
      await this.#reload(moved); // the totals it reads include the batch (and it clears the in-flight calls)
    } catch (error) {
      // The batch is written but the totals were not read: count it as known.
      for (const [s, day] of moved) {
        if (s.day !== day) continue;
        s.known += s.inFlight;
        s.inFlight = 0;
      }
      throw error;
    }
  }

  /** Re-reads today's totals and the overrides from the store (after a flush in progress). */
  reload(): Promise<void> {
    return this.#serially(() => this.#reload());
  }

  /** `landed`: slots whose in-flight calls the totals read now include (cleared with the same step). */
  async #reload(landed: readonly [Slot, number][] = []): Promise<void> {
    const day = this.today();
    const [rows, overrides] = await Promise.all([this.store.apiCalls.listUsage(day), this.store.apiCalls.listLimits()]);
    for (const byPath of this.#slots.values())
      for (const s of byPath.values()) if (s.day <= day) this.#slot(s.appid, s.path, day).known = 0;
    for (const r of rows) this.#slot(r.appid, r.cgi_path, day).known = r.count;
    for (const [s, landedDay] of landed) if (s.day === landedDay) s.inFlight = 0;
    const byApp = new Map<string, CallLimitOverride[]>();
    for (const o of overrides) byApp.set(o.appid, [...(byApp.get(o.appid) ?? []), o]);
    this.#overrides = byApp;
    for (const byPath of this.#slots.values()) for (const s of byPath.values()) s.limit = undefined;
  }

  /**
   * A reset is about to put the store back: calls counted here are of the state
   * before it and are dropped (after a write in progress lands, which the reset
   * then overwrites). `reload()` afterwards reads the restored totals.
   */
  async forget(): Promise<void> {
    await this.#flushing?.catch(() => undefined);
    this.#slots.clear();
    this.#carry = [];
  }

  /** clearQuota: today's counters of the app start again at 0, here and in the store. */
  async clear(appid: string): Promise<void> {
    // Calls being written right now must land before the counters are cleared.
    await this.#flushing?.catch(() => undefined);
    const day = this.today();
    this.#carry = this.#carry.filter((d) => d.appid !== appid || d.day !== day);
    for (const s of this.#slots.get(appid)?.values() ?? []) {
      s.pending = 0;
      s.window = -1;
      s.windowCount = 0;
    }
    await this.store.apiCalls.clearUsage(appid, day);
    for (const s of this.#slots.get(appid)?.values() ?? []) if (s.day === day) s.known = 0;
  }
}
