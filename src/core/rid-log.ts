/**
 * The answers getRidInfo shows (api-management.md §1). Every answer is recorded
 * here at the cost of one small object (bodies are kept by reference), then
 * written to the shared store in batches, so that any instance finds a rid
 * answered by any other. Bounded: at most `pendingMax` answers wait in memory, of
 * them at most `successPendingMax` successes (a success beyond that is not kept;
 * past `pendingMax`, the oldest successes are dropped first, errors last); a flush writes at most
 * `batch` failures and `successBatch` successes (a success is a 12 KB getOrder
 * answer: writing thousands a second would cost the server a core — measured in
 * bench/api-management-cost.ts); the store keeps 7 days and at most `keepPerApp`
 * per app. Under more load than that, successes are sampled: those that find room
 * in the queue wait (findable here) until written, the others are not recorded.
 */
import { RID_RETENTION_SECONDS } from './api-quota.ts';
import { nowSeconds, type Clock } from './clock.ts';
import type { RidRecord, Store } from '../storage/types.ts';

/** An answer as recorded on the request path: the response body may still be bytes. */
export interface RidEntry extends Omit<RidRecord, 'response_body'> {
  response_body: string | Uint8Array;
  /** Non-zero errcode: kept longest when answers must be dropped. */
  failed: boolean;
}

export interface RidLogOptions {
  /** Failed answers written per flush at most (default 200). */
  batch: number;
  /** Successful answers written per flush at most (default 25). */
  successBatch: number;
  /** Answers waiting in memory at most (default 5,000). */
  pendingMax: number;
  /**
   * Successes waiting in memory at most (default 200, eight flushes' worth): a success
   * holds its answer (a getOrder answer is ~10 KB), and only `successBatch` of them
   * are written per flush, so more waiting would only hold memory until dropped.
   */
  successPendingMax: number;
  /** Answers kept in the store per app (default 100,000). */
  keepPerApp: number;
}

export const defaultRidLogOptions: RidLogOptions = {
  batch: 200,
  successBatch: 25,
  pendingMax: 5_000,
  successPendingMax: 200,
  keepPerApp: 100_000,
};

/** A FIFO that drops from the front in O(1) (amortised). */
class Queue<T> {
  #items: T[] = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  /** The newest item that matches, or undefined. */
  findLast(match: (item: T) => boolean): T | undefined {
    for (let i = this.#items.length - 1; i >= this.#head; i--) if (match(this.#items[i]!)) return this.#items[i];
    return undefined;
  }
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

const asText = (body: string | Uint8Array): string =>
  typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');

export class RidLog {
  readonly #failures = new Queue<RidEntry>();
  readonly #successes = new Queue<RidEntry>();
  readonly options: RidLogOptions;
  #dropped = 0;
  /** The batch being written (still found here until it is committed). */
  #writing: RidEntry[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: Partial<RidLogOptions> = {},
  ) {
    this.options = { ...defaultRidLogOptions, ...options };
  }

  /** Answers dropped before they were written (more answers than `batch` per flush could carry). */
  get dropped(): number {
    return this.#dropped;
  }

  get waiting(): number {
    return this.#failures.size + this.#successes.size;
  }

  /**
   * Whether an answer recorded now would be kept (a success finding no room is not); one that
   * would not is counted as dropped here, so that callers can skip building its entry.
   */
  admits(failed: boolean): boolean {
    if (failed || this.#successes.size < this.options.successPendingMax) return true;
    this.#dropped++;
    return false;
  }

  /** On the request path: no lookup structure is kept, a find scans the (bounded) queues. */
  record(entry: RidEntry): void {
    // A success beyond the cap is not recorded at all: holding every answer while newer ones push
    // it out would keep each alive into V8's old generation. Bytes are kept by reference (cached
    // answers are shared): a caller whose bytes are reused once sent records a copy.
    if (!this.admits(entry.failed)) return;
    (entry.failed ? this.#failures : this.#successes).push(entry);
    if (this.#failures.size + this.#successes.size > this.options.pendingMax) {
      if (this.#successes.shift() ?? this.#failures.shift()) this.#dropped++;
    }
  }

  /** A reset put the store back: answers not yet written are of the state before it, and go. */
  async forget(): Promise<void> {
    await this.#flushing?.catch(() => undefined);
    this.#failures.clear();
    this.#successes.clear();
    this.#writing = [];
  }

  /** An answer by its rid: still waiting here, else from the store. */
  async find(rid: string): Promise<RidRecord | undefined> {
    const match = (e: RidEntry) => e.rid === rid;
    const waiting = this.#failures.findLast(match) ?? this.#successes.findLast(match) ?? this.#writing.find(match);
    if (waiting) return toRecord(waiting);
    return this.store.apiCalls.getRid(rid);
  }

  /** Writes up to `batch` waiting failures and `successBatch` successes. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const batch: RidEntry[] = [];
    for (const [queue, max] of [
      [this.#failures, this.options.batch],
      [this.#successes, this.options.successBatch],
    ] as const) {
      for (let taken = 0; taken < max;) {
        const e = queue.shift();
        if (!e) break;
        batch.push(e);
        taken++;
      }
    }
    if (batch.length === 0) return;
    // Written or not, they leave memory: a store that refuses them must not make it grow.
    this.#writing = batch;
    try {
      await this.store.transaction((tx) => tx.apiCalls.insertRids(batch.map(toRecord)));
    } finally {
      this.#writing = [];
    }
  }

  /** Drops answers older than 7 days of clock time and the oldest beyond `keepPerApp`. */
  prune(): Promise<number> {
    return this.store.apiCalls.pruneRids(nowSeconds(this.clock) - RID_RETENTION_SECONDS, this.options.keepPerApp);
  }
}

function toRecord(e: RidEntry): RidRecord {
  return {
    rid: e.rid,
    appid: e.appid,
    cgi_path: e.cgi_path,
    invoke_time: e.invoke_time,
    cost_in_ms: e.cost_in_ms,
    request_url: e.request_url,
    request_body: e.request_body,
    response_body: asText(e.response_body),
    client_ip: e.client_ip,
  };
}
