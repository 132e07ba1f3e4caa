/**
 * A fixed ring of memory for answers that live only as long as their write: a getOrder answer
 * asked for once (most labels are printed once) is built, sent and forgotten. As a buffer of its
 * own, each such ~10 KB answer is a malloc'd block freed only when V8 collects its Buffer, and a
 * stream of them grows glibc's heap, which does not shrink from the middle (bench/memory.ts:
 * ~110 MB of malloc heap after the cold getOrder load, ~50 MB with answers out of it). Fresh
 * mappings instead (slabs of their own) cost a page fault per 4 KB of every answer.
 *
 * The ring is allocated once and reused: an answer takes the next free bytes, and gives them
 * back (`release`) once its socket write is done. Space is reclaimed in the order it was taken,
 * so one slow reader holds back the space taken after it until it is done; when the ring is full
 * (more answers in flight than it holds) `take` answers undefined and the caller allocates as
 * before. Whoever takes a lease must release it exactly once, and must not keep the bytes (or a
 * view of them) past that: the next answer overwrites them.
 */
export interface Lease {
  bytes: Buffer;
  release(): void;
}

interface Region {
  start: number;
  end: number;
  released: boolean;
}

export class AnswerArena {
  readonly #ring: Buffer;
  /** Regions taken and not yet reclaimed, oldest first (the oldest unreleased one bounds the free space). */
  readonly #regions: Region[] = [];
  #first = 0;
  #head = 0;

  constructor(readonly size = 4 * 1024 * 1024) {
    this.#ring = Buffer.allocUnsafeSlow(size);
  }

  /** Bytes in regions not yet reclaimed (released ones behind an unreleased older one included). */
  get inUse(): number {
    if (this.#first === this.#regions.length) return 0;
    const tail = this.#regions[this.#first]!.start;
    return this.#head > tail ? this.#head - tail : this.size - tail + this.#head;
  }

  /** `n` bytes of the ring for one answer, or undefined when they are not free. */
  take(n: number): Lease | undefined {
    if (n <= 0 || n > this.size >>> 2) return undefined;
    let start: number;
    if (this.#first === this.#regions.length) {
      start = 0; // nothing in flight: start again from the beginning
    } else {
      const tail = this.#regions[this.#first]!.start;
      if (this.#head > tail) {
        // Free: [head, size) and, wrapping, [0, tail).
        if (this.#head + n <= this.size) start = this.#head;
        else if (n < tail) start = 0;
        else return undefined;
      } else {
        // Wrapped: free is [head, tail).
        if (this.#head + n < tail) start = this.#head;
        else return undefined;
      }
    }
    const end = start + n;
    // The next region starts 8-byte aligned.
    this.#head = Math.min(this.size, (end + 7) & ~7);
    const region: Region = { start, end, released: false };
    this.#regions.push(region);
    let done = false;
    return {
      bytes: this.#ring.subarray(start, end),
      release: () => {
        if (done) return;
        done = true;
        region.released = true;
        this.#reclaim();
      },
    };
  }

  #reclaim(): void {
    const regions = this.#regions;
    while (this.#first < regions.length && regions[this.#first]!.released) this.#first++;
    if (this.#first === regions.length) {
      regions.length = 0;
      this.#first = 0;
      this.#head = 0;
    } else if (this.#first > 1024 && this.#first * 2 > regions.length) {
      regions.splice(0, this.#first);
      this.#first = 0;
    }
  }
}
