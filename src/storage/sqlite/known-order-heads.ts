import type { OrderHead } from '../types.ts';

/**
 * The heads (delivery_id, waybill_id, version, order_status) of orders this
 * process has read, as they are committed now — so a cached getOrder answer is
 * checked against its order's version without a store read.
 *
 * Correct because on SQLite this process writes the database through one
 * connection, and every statement of ours that changes an orders row reports it
 * (`written`: forgotten at once, and again when its transaction settles, since
 * a read on the other connection may still see — and remember — the last
 * committed head until the COMMIT). A read remembers a head in the same
 * synchronous step as it reads it, so no commit falls between the two.
 * Commits by other processes on the same file (a `wxlogistics import` or
 * `reset` run next to a server) are noticed through SQLite's `data_version`,
 * which changes for a connection whenever another connection commits: then
 * everything is forgotten. Reading it is a statement (a WAL read lock: two
 * fcntl calls), so it is read once per event-loop turn, not once per call: a
 * commit by another process during a turn is concurrent with every request that
 * turn answers, and the next turn sees it. An in-memory database has no other
 * connection and reads none. Bounded: the oldest entries go first.
 */
export class KnownOrderHeads {
  readonly #heads = new Map<string, OrderHead>();
  /** Orders written in the transaction group now open. */
  readonly #touched = new Set<string>();
  #dataVersion: number;
  /** data_version was read in this event-loop turn (cleared by a setImmediate). */
  #checked = false;
  readonly #nextTurn = (): void => {
    this.#checked = false;
  };

  constructor(
    private readonly max: number,
    /** `PRAGMA data_version` of the writing connection (changes when another process commits); none in memory. */
    private readonly dataVersion: (() => number) | undefined,
  ) {
    this.#dataVersion = dataVersion?.() ?? 0;
  }

  /** The order's committed head, if known without reading it. */
  get(appid: string, orderId: string): OrderHead | undefined {
    if (this.dataVersion && !this.#checked) {
      this.#checked = true;
      setImmediate(this.#nextTurn);
      const now = this.dataVersion();
      if (now !== this.#dataVersion) {
        this.#dataVersion = now;
        this.#heads.clear();
        return undefined;
      }
    }
    return this.#heads.get(key(appid, orderId));
  }

  /** A head just read from the committed state (call in the same synchronous step as the read). */
  remember(appid: string, orderId: string, head: OrderHead): void {
    const k = key(appid, orderId);
    this.#heads.delete(k);
    if (this.#heads.size >= this.max) this.#heads.delete(this.#heads.keys().next().value as string);
    this.#heads.set(k, head);
  }

  /** A statement changed (or inserted) this order's row. */
  written(appid: string, orderId: string): void {
    const k = key(appid, orderId);
    this.#heads.delete(k);
    this.#touched.add(k);
  }

  /** The open transaction group committed or rolled back: forget what it wrote once more. */
  settled(): void {
    for (const k of this.#touched) this.#heads.delete(k);
    this.#touched.clear();
  }

  /** Writes that do not say which orders they touch (state import, app reset). */
  clear(): void {
    this.#heads.clear();
  }
}

const key = (appid: string, orderId: string) => `${appid}\u0000${orderId}`;
