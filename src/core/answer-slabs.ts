/**
 * Bump allocation of answer bytes from shared slabs, for answers that live a
 * short, similar time (getOrder answers asked for once: most labels are printed
 * once). As a malloc'd buffer of its own, each such answer (~10 KB) outlives a
 * few scavenges in the first-seen part of the cache, so it dies in V8's old
 * generation and its memory comes back only at a full GC, while the malloc heap
 * fills up around it. Carved from 1 MB slabs, about a hundred answers share one
 * allocation, and a slab is freed whole once the last view into it is gone.
 *
 * A slab helps only as a mapping of its own: glibc maps blocks from 128 KB up,
 * but raises that threshold each time a mapped block is freed, after which the
 * slabs come from the heap like the rest; the bin fixes the threshold
 * (`MALLOC_MMAP_THRESHOLD_`). `bench/memory.ts` (cold, hot and addOrder rounds):
 * malloc heap 112 MB before, 112 MB with the slabs alone, 86 MB with the fixed
 * threshold alone, 55 MB with both.
 *
 * Nothing is ever written twice: a slab is not reused, so a view handed out
 * stays valid for as long as anything (a socket write, the rid log) holds it.
 * The flip side: one long-lived view keeps its whole slab. Answers that are kept
 * long (the cache's part for answers asked for again) must have buffers of
 * their own — `ownCopy`.
 */
export class AnswerSlabs {
  #slab: Buffer = Buffer.alloc(0);
  #used = 0;

  constructor(readonly slabBytes = 1024 * 1024) {}

  /** `n` uninitialised bytes: a view into the current slab (a buffer of its own above an eighth of a slab). */
  take(n: number): Buffer {
    if (n > this.slabBytes >>> 3) return Buffer.allocUnsafeSlow(n);
    if (this.#used + n > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.#used = 0;
    }
    const view = this.#slab.subarray(this.#used, this.#used + n);
    // The next view starts 8-byte aligned.
    this.#used = Math.min(this.#slab.length, (this.#used + n + 7) & ~7);
    return view;
  }
}

/** `bytes` in a buffer of its own (not a view that keeps a slab alive). */
export function ownCopy(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
