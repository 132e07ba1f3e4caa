import type { Endpoint } from './endpoints.ts';
import { WxApiError, WxTransportError } from './errors.ts';

export type RetryDecision = 'refresh-token' | 'back-off' | 'give-up';

export interface AttemptFailure {
  error: unknown;
  endpoint: Endpoint;
  /** A fresh token was already fetched for this call. */
  tokenRefreshed: boolean;
  /** Back-off retries still allowed (`maxRetries` minus those spent). */
  retriesLeft: number;
}

const TOKEN_STALE = new Set([40001, 42001]);
const errcodeOf = (e: unknown): number | undefined => (e instanceof WxApiError ? e.errcode : undefined);

/** First matching rule wins; no rule matches → give up. */
const RULES: { reason: string; applies: (f: AttemptFailure) => boolean; decision: RetryDecision }[] = [
  {
    reason: 'The token was superseded (someone fetched a newer one) or expired; the call did not run. Refresh once.',
    applies: (f) => TOKEN_STALE.has(errcodeOf(f.error) ?? 0) && !f.tokenRefreshed,
    decision: 'refresh-token',
  },
  {
    reason: 'A token fresh from WeChat refused again means wrong credentials or clocks: retrying would loop.',
    applies: (f) => TOKEN_STALE.has(errcodeOf(f.error) ?? 0),
    decision: 'give-up',
  },
  {
    reason: 'The back-off budget (`maxRetries`) is spent.',
    applies: (f) => f.retriesLeft <= 0,
    decision: 'give-up',
  },
  {
    reason: 'The connection was refused: the server did nothing, so even a write is safe to send again.',
    applies: (f) => f.error instanceof WxTransportError && !f.error.requestSent,
    decision: 'back-off',
  },
  {
    reason:
      '-1 "system error" means busy, retry later (auth-and-errors.md §5); a read may also retry a lost answer. A write may have acted, so it is not repeated.',
    applies: (f) => f.endpoint.idempotent && (errcodeOf(f.error) === -1 || f.error instanceof WxTransportError),
    decision: 'back-off',
  },
];

export function retryDecision(failure: AttemptFailure): RetryDecision {
  return RULES.find((rule) => rule.applies(failure))?.decision ?? 'give-up';
}

/** Exponential back-off (0.5 s, 1 s, 2 s … capped at 5 s) with up to 50 % jitter so clients spread out. */
export function backOffMs(retryNumber: number): number {
  const base = Math.min(5_000, 500 * 2 ** retryNumber);
  return base * (0.5 + Math.random() / 2);
}
