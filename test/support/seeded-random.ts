/**
 * A repeatable stream of pseudo-random integers for tests that generate their inputs: `rnd(n)`
 * is in 0 … n − 1, the same sequence for the same seed on every run (a linear congruential
 * generator, its low bits dropped).
 */
export function seededRandom(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}
