import { randomBytes } from 'node:crypto';

/**
 * The `rid` WeChat appends to every errmsg (auth-and-errors.md §4): three
 * groups of 8 lowercase hex, the first being the request's Unix time.
 */
export function newRid(unixSeconds: number): string {
  const r = randomBytes(8).toString('hex');
  return `${(unixSeconds >>> 0).toString(16).padStart(8, '0')}-${r.slice(0, 8)}-${r.slice(8)}`;
}
