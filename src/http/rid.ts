import { randomBytes } from 'node:crypto';

/**
 * The `rid` WeChat appends to every errmsg (auth-and-errors.md §4): three
 * groups of 8 lowercase hex, the first being the request's Unix time.
 */
export function newRid(unixSeconds: number): string {
  // Random hex is taken from a pool refilled 512 rids at a time (one crypto call and one hex
  // conversion, not one per answer); the time's group is made once per second.
  if (at + 16 > hex.length) {
    hex = randomBytes(4096).toString('hex');
    at = 0;
  }
  if (unixSeconds !== second) {
    second = unixSeconds;
    timeGroup = `${(unixSeconds >>> 0).toString(16).padStart(8, '0')}-`;
  }
  const rid = `${timeGroup}${hex.slice(at, at + 8)}-${hex.slice(at + 8, at + 16)}`;
  at += 16;
  return rid;
}

let hex = '';
let at = 0;
let second = NaN;
let timeGroup = '';
