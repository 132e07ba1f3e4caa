/**
 * A small deterministic PRNG for fault probabilities: the seed (string or
 * number, hashed with FNV-1a) starts a mulberry32 stream of numbers in [0, 1).
 * The same seed gives the same stream on every platform, so a test can
 * predict which calls a `probability` rule fires on.
 */
export function seededRandom(seed: string | number): () => number {
  let state = fnv1a(String(seed));
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
