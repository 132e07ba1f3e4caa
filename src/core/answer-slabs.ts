/**
 * Bump allocation of answer bytes from shared slabs, for answers that live a
 * short, similar time (getOrder answers asked for once: most labels are printed
 * once). Each such answer as a malloc'd buffer of its own (~10 KB) lives long
 * enough to reach V8's old generation, so its memory comes back only at the next
 * full GC, and V8 lets up to ~64 MB of such external memory build up before it
 * runs one: the dead answers, interleaved with everything else the server
 * allocates, kept the malloc heap at ~110 MB after a cold getOrder load (~65 MB
 * with every allocation of 8 KB and more in a mapping of its own;
 * `bench/memory.ts`). Carved from 1 MB slabs, about a hundred answers share one
 * allocation, and a slab is freed whole once the last view into it is gone.
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
