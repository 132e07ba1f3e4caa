/**
 * Reset to a baseline (`startWxLogistics().reset()`, `POST /_wxl/api/reset`):
 * the state a server had when it started listening — its apps, their secrets
 * and cloud keys — comes back, and everything since is gone: orders, paths,
 * tokens, accounts, printers, push settings and outbox, auto-progress plans,
 * the clock's offset, and what this process keeps in memory about them (token
 * and cloud-key lookups, labels, call counters and unwritten rid-log answers,
 * the console's request log, fault rules).
 *
 * The baseline is every row of the store, in memory (src/storage/baseline.ts),
 * so a reset costs a few DELETEs and INSERTs: cheap on a store that held little
 * at start, which is how test suites start one. A store with more than
 * `maxRows` rows at start gets no baseline, and a reset is refused.
 */
import type { LogisticsCore } from './core/logistics-core.ts';
import { BaselineTooLargeError, type StoreBaseline } from './storage/baseline.ts';

/** Rows a baseline may hold: a seeded test store is far below; a production store is not kept in memory. */
export const DEFAULT_BASELINE_MAX_ROWS = 20_000;

/** Thrown by `reset()` when there is no baseline to go back to (answered 409 by the admin API). */
export class ResetUnavailableError extends Error {
  override name = 'ResetUnavailableError' as const;
}

export interface BaselineResetOptions {
  core: LogisticsCore;
  maxRows?: number | undefined;
  /** Drops the process's own in-memory state that must not outlive a reset (request log, fault rules). */
  forget: () => void;
}

export class BaselineReset {
  #baseline: { store: StoreBaseline; clockOffsetMs: number } | undefined;
  #refusal = 'no baseline yet: one is taken when the server starts listening';
  readonly #listeners = new Set<() => void>();

  constructor(private readonly o: BaselineResetOptions) {}

  /** Takes the baseline: the state right now. A store too large for one leaves reset refused (with the reason). */
  async save(): Promise<void> {
    const { core } = this.o;
    await core.time.sync();
    try {
      const store = await core.store.captureBaseline(this.o.maxRows ?? DEFAULT_BASELINE_MAX_ROWS);
      this.#baseline = { store, clockOffsetMs: core.clock.offsetMs };
    } catch (error) {
      if (!(error instanceof BaselineTooLargeError)) throw error;
      this.#baseline = undefined;
      this.#refusal = `reset is not available: ${error.message} when the server started`;
    }
  }

  get available(): boolean {
    return this.#baseline !== undefined;
  }

  /**
   * Puts the store, the clock and the caches back to the baseline. The caller
   * holds the background workers (push dispatcher, auto-progress) still.
   */
  async restore(): Promise<void> {
    const baseline = this.#baseline;
    if (!baseline) throw new ResetUnavailableError(this.#refusal);
    const { core } = this.o;
    // Call counters and rid-log answers waiting in memory belong to the state being undone.
    await core.apiManagement.meter.forget();
    await core.apiManagement.rids.forget();
    await core.store.restoreBaseline(baseline.store);
    await core.apiManagement.meter.reload();
    core.clock.rewindTo(baseline.clockOffsetMs);
    core.tokens.forgetLookups();
    core.cloud.forgetLookups();
    core.orders.labels.clear();
    this.o.forget();
    for (const listener of this.#listeners) listener();
  }

  /** `listener` runs after every reset; answers a function that removes it. */
  onReset(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
