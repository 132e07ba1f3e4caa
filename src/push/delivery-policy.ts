/**
 * How hard the dispatcher tries (events.md §1.5): WeChat waits 5 s for an
 * answer and sends each push three times in all. The waits between attempts
 * are not documented; ours grow: base, 4×base, 16×base…
 */
export interface DeliveryPolicy {
  maxAttempts: number;
  timeoutMs: number;
  backoffBaseMs: number;
  /** Pushes in flight at once (across waybills; one per waybill at a time). */
  concurrency: number;
  /** How often the outbox is polled for work written by other processes. */
  pollMs: number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  maxAttempts: 3,
  timeoutMs: 5000,
  backoffBaseMs: 2000,
  concurrency: 32,
  pollMs: 500,
};

/** Wait before attempt `n + 1` after `n` failed attempts (n ≥ 1). */
export const backoffMs = (policy: DeliveryPolicy, failedAttempts: number): number =>
  policy.backoffBaseMs * 4 ** Math.max(0, failedAttempts - 1);
