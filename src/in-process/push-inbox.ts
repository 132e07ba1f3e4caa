/**
 * The push inbox of an in-process server: every event the server writes to its
 * outbox for a merchant (`add_express_path`, `update_business_bind_result`),
 * captured in this process without any receiver — whether or not the app has a
 * push URL. It sees each event as written, before delivery: push faults (drop,
 * delay, duplicate) change what a receiver gets, not what the inbox holds.
 *
 * Events are read back from the store after the transaction that wrote them
 * has committed (the core's `onOutboxWrite`), so a rolled-back write is never
 * seen; `waitFor` also polls, so nothing written by a path that does not
 * announce itself is missed.
 */
import type { AddExpressPathEvent, UpdateBusinessBindResultEvent } from '../core/push-events.ts';
import type { EventRecord, Store } from '../storage/types.ts';

/** An event as the merchant's receiver decodes it (the XML and JSON formats carry the same fields). */
export type PushEvent = AddExpressPathEvent | UpdateBusinessBindResultEvent;

export interface WaitForOptions {
  /** How long to wait for a matching event (default 5000 ms). */
  timeoutMs?: number | undefined;
}

/** The events of all apps, or of one (`wx.pushes(appid)`). */
export interface PushInbox {
  /** Captured events, oldest first (a copy). */
  readonly events: PushEvent[];
  /**
   * The first event (captured already, or arriving within `timeoutMs`) that
   * matches `predicate` (default: any); rejects with PushWaitTimeoutError.
   * @example const path = await wx.pushes(app.appid).waitFor((e) => e.Event === 'add_express_path' && e.Count === 2);
   */
  waitFor<T extends PushEvent>(predicate: (event: PushEvent) => event is T, options?: WaitForOptions): Promise<T>;
  waitFor(predicate?: (event: PushEvent) => boolean, options?: WaitForOptions): Promise<PushEvent>;
  /** Forgets the captured events (of this app, when the inbox is one app's). */
  clear(): void;
}

/** `waitFor` saw no matching event in time. */
export class PushWaitTimeoutError extends Error {
  override name = 'PushWaitTimeoutError' as const;
}

interface Captured {
  id: number;
  appid: string;
  event: PushEvent;
}

interface Waiter {
  appid: string | undefined;
  predicate: (event: PushEvent) => boolean;
  resolve: (event: PushEvent) => void;
  reject: (error: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 5000;
const POLL_MS = 25;
const PAGE = 100;
/**
 * Ids are taken when an event is inserted, and transactions may commit out of
 * id order (PostgreSQL): each read looks this far below the highest id seen.
 */
const LOOKBACK_IDS = 64;

export class PushCapture {
  #captured: Captured[] = [];
  readonly #seen = new Set<number>();
  #highest = 0;
  #reading: Promise<void> = Promise.resolve();
  #again = false;
  readonly #waiters = new Set<Waiter>();
  #closed = false;
  /** Bumped by a reset: a read that started before it brings back nothing. */
  #generation = 0;

  constructor(private readonly store: Store) {}

  /** Starts after the events that are in the store already (they were not pushed by this run). */
  async start(): Promise<void> {
    const newest = await this.store.events.list({ limit: LOOKBACK_IDS });
    for (const e of newest) this.#seen.add(e.id);
    this.#highest = newest[0]?.id ?? 0;
  }

  /** Reads what was written since the last read (one read at a time; a request during one runs after it). */
  pull(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#again = true;
    this.#reading = this.#reading.then(async () => {
      if (!this.#again || this.#closed) return;
      this.#again = false;
      await this.#read();
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    const generation = this.#generation;
    const floor = Math.max(0, this.#highest - LOOKBACK_IDS);
    const fresh: EventRecord[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.store.events.list({ limit: PAGE, ...(beforeId === undefined ? {} : { beforeId }) });
      const above = page.filter((e) => e.id > floor);
      fresh.push(...above.filter((e) => !this.#seen.has(e.id)));
      if (above.length < PAGE) break;
      beforeId = page[page.length - 1]!.id;
    }
    if (generation !== this.#generation) return;
    fresh.sort((a, b) => a.id - b.id);
    for (const record of fresh) {
      const captured: Captured = { id: record.id, appid: record.appid, event: JSON.parse(record.payload) as PushEvent };
      this.#seen.add(record.id);
      this.#highest = Math.max(this.#highest, record.id);
      this.#captured.push(captured);
      for (const waiter of this.#waiters) {
        let hit: boolean;
        try {
          hit = matches(waiter, captured);
        } catch (error) {
          // A predicate that throws fails its own wait, not the inbox.
          this.#waiters.delete(waiter);
          waiter.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (hit) {
          this.#waiters.delete(waiter);
          waiter.resolve(captured.event);
        }
      }
    }
    const low = this.#highest - LOOKBACK_IDS;
    for (const id of this.#seen) if (id <= low) this.#seen.delete(id);
  }

  /** The inbox of all apps (`appid` undefined) or of one. */
  inbox(appid?: string): PushInbox {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the inbox object's getters read the capture, not themselves
    const capture = this;
    const mine = (c: Captured) => appid === undefined || c.appid === appid;
    return {
      get events() {
        return capture.#captured.filter(mine).map((c) => c.event);
      },
      waitFor(predicate: (event: PushEvent) => boolean = () => true, options: WaitForOptions = {}) {
        return capture.#waitFor(appid, predicate, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      },
      clear() {
        capture.#captured = capture.#captured.filter((c) => !mine(c));
      },
    } as PushInbox;
  }

  async #waitFor(appid: string | undefined, predicate: (event: PushEvent) => boolean, timeoutMs: number): Promise<PushEvent> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError('timeoutMs must be a number ≥ 0');
    await this.pull();
    return new Promise<PushEvent>((resolve, reject) => {
      const waiter: Waiter = { appid, predicate, resolve: () => undefined, reject: () => undefined };
      const found = this.#captured.find((c) => matches(waiter, c));
      if (found) return resolve(found.event);
      if (this.#closed) return reject(new Error('the server was stopped'));
      const poll = setInterval(() => void this.pull(), POLL_MS);
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        clearInterval(poll);
        const seen = this.#captured.filter((c) => appid === undefined || c.appid === appid).map((c) => c.event.Event);
        reject(
          new PushWaitTimeoutError(
            `no push matched within ${timeoutMs} ms${appid === undefined ? '' : ` for app ${appid}`}; captured: ${describe(seen)}`,
          ),
        );
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        clearInterval(poll);
      };
      waiter.resolve = (event) => {
        settle();
        resolve(event);
      };
      waiter.reject = (error) => {
        settle();
        reject(error);
      };
      this.#waiters.add(waiter);
    });
  }

  /** A reset: the captured events are forgotten (waiters go on waiting for new ones). */
  clear(): void {
    this.#generation++;
    this.#captured = [];
  }

  /** The server stops: waiters are rejected, nothing more is read. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.reject(new Error('the server was stopped while waiting for a push'));
    this.#waiters.clear();
  }
}

function matches(waiter: Pick<Waiter, 'appid' | 'predicate'>, c: Captured): boolean {
  return (waiter.appid === undefined || waiter.appid === c.appid) && waiter.predicate(c.event);
}

function describe(names: string[]): string {
  if (names.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, k]) => `${n} ×${k}`).join(', ');
}
