// Push signatures, events.md §1.2 (URL check / plain push) and §1.4 (msg_signature).
import { createHash } from 'node:crypto';

/** sha1 over the parts sorted lexicographically and joined with no separator, lowercase hex. */
function sortedSha1(parts: readonly string[]): string {
  // Default sort compares UTF-16 code units; every part here is ASCII, so this equals
  // the byte order WeChat's reference implementations use.
  return createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');
}

/**
 * The `signature` query parameter of the URL check and of every push (§1.2, §1.3).
 * @example signature('AAAAA', '1714036504', '1514711492') // 'f464b24f…'
 */
export function signature(token: string, timestamp: string, nonce: string): string {
  return sortedSha1([token, timestamp, nonce]);
}

/** The `msg_signature` query parameter of secure/compatible pushes: the same sha1 with `Encrypt` added (§1.4). */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sortedSha1([token, timestamp, nonce, encrypt]);
}
