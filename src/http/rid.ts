import { randomBytes } from 'node:crypto';

/**
 * The `rid` WeChat appends to every errmsg (auth-and-errors.md §4): three
 * groups of 8 lowercase hex, the first being the request's Unix time.
 */
export function newRid(unixSeconds: number): string {
  // Random bytes are taken from a pool refilled 512 rids at a time (one crypto call, not one per answer).
  if (offset + 8 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const r = pool.toString('hex', offset, (offset += 8));
  return `${(unixSeconds >>> 0).toString(16).padStart(8, '0')}-${r.slice(0, 8)}-${r.slice(8)}`;
}

let pool = Buffer.alloc(0);
let offset = 0;
