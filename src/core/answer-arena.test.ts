import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerArena, type Lease } from './answer-arena.ts';

test('answer arena: live answers never share bytes, whatever order they are released in', () => {
  const arena = new AnswerArena(64 * 1024);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const live: { lease: Lease; fill: number }[] = [];
  let taken = 0;
  let refused = 0;
  for (let step = 0; step < 20_000; step++) {
    if (live.length > 0 && random() < 0.5) {
      // Release one (mostly the oldest, sometimes any): its bytes must be what was written.
      const i = random() < 0.7 ? 0 : Math.floor(random() * live.length);
      const [{ lease, fill }] = live.splice(i, 1) as [{ lease: Lease; fill: number }];
      assert.ok(
        lease.bytes.every((b) => b === fill),
        `answer ${fill} was overwritten while in flight`,
      );
      lease.release();
      lease.release(); // a second release changes nothing
    } else {
      const n = 1 + Math.floor(random() * 12_000);
      const lease = arena.take(n);
      if (!lease) {
        refused++;
        continue;
      }
      assert.equal(lease.bytes.length, n);
      const fill = taken++ % 251;
      lease.bytes.fill(fill);
      live.push({ lease, fill });
    }
  }
  assert.ok(taken > 5_000, `${taken} taken`);
  assert.ok(refused > 0, 'a full ring refuses (and the caller allocates)');
  for (const { lease } of live) lease.release();
  assert.equal(arena.inUse, 0);
});

test('answer arena: one answer held back keeps the space after it; released, the ring starts over', () => {
  const arena = new AnswerArena(1024 * 16);
  const slow = arena.take(1000)!;
  for (let i = 0; i < 100; i++) {
    const lease = arena.take(1000);
    if (!lease) break;
    lease.release();
  }
  assert.ok(arena.inUse >= 1000);
  assert.equal(arena.take(4096 * 4), undefined, 'more than a quarter of the ring is never taken');
  slow.release();
  assert.equal(arena.inUse, 0);
  const next = arena.take(10)!;
  assert.equal(next.bytes.byteOffset, slow.bytes.byteOffset, 'from the start again');
});
