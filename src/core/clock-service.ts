import type { AdjustableClock } from './clock.ts';
import type { Store } from '../storage/types.ts';

const OFFSET_KEY = 'clock_offset_ms';

/**
 * House rule 14 across restarts and instances: the offset of the one clock is
 * kept in the store, so a moved clock stays moved and every instance on the
 * same database agrees (each adopts the largest offset it sees).
 */
export class ClockService {
  constructor(
    private readonly store: Store,
    readonly clock: AdjustableClock,
  ) {}

  async sync(): Promise<void> {
    const raw = await this.store.settings.get(OFFSET_KEY);
    if (raw !== undefined) this.clock.catchUp(Number(raw));
  }

  /** Moves the clock forward by `seconds`; answers the new time (Unix seconds). */
  async advance(seconds: number): Promise<number> {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError('seconds must be a positive number');
    // One atomic add in the store: two instances moving the clock at once both count.
    const offsetMs = await this.store.settings.addNumber(OFFSET_KEY, Math.round(seconds * 1000));
    this.clock.catchUp(offsetMs);
    return Math.floor(this.clock.nowMs() / 1000);
  }
}
