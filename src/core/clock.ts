/**
 * House rule 14: all time comes from one clock. It runs with real time plus an
 * offset that tests, the CLI and the console can move forward (never back, so
 * token expiry and path times stay monotonic).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, as the server sees it. */
  nowMs(): number;
}

export class AdjustableClock implements Clock {
  #offsetMs: number;

  constructor(offsetMs = 0) {
    this.#offsetMs = offsetMs;
  }

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Adopts a larger offset (another instance moved the shared clock); never moves back. */
  catchUp(offsetMs: number): void {
    if (Number.isFinite(offsetMs) && offsetMs > this.#offsetMs) this.#offsetMs = offsetMs;
  }

  /**
   * Puts the offset back to one it had before: only for a reset of the whole
   * state (orders, tokens and paths go back with it, so nothing stored is
   * newer than the clock). Everything else moves the clock forward only.
   */
  rewindTo(offsetMs: number): void {
    if (!Number.isFinite(offsetMs) || offsetMs < 0) throw new RangeError('a clock offset is a finite number ≥ 0');
    this.#offsetMs = offsetMs;
  }

  /** Moves the clock forward by `ms` (negative values are refused). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.#offsetMs += ms;
  }
}

export const nowSeconds = (clock: Clock): number => Math.floor(clock.nowMs() / 1000);
