import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerSlabs, ownCopy } from './answer-slabs.ts';

test('views taken from a slab are disjoint, 8-byte aligned, and share one allocation until it is full', () => {
  const slabs = new AnswerSlabs(4096);
  const views = [100, 13, 200, 8, 1].map((n) => slabs.take(n));
  views.forEach((v, i) => v.fill(i + 1));
  views.forEach((v, i) =>
    assert.ok(
      v.every((b) => b === i + 1),
      `view ${i} kept its bytes`,
    ),
  );
  assert.ok(views.every((v) => v.buffer === views[0]!.buffer && v.byteOffset % 8 === 0));
  assert.deepEqual(
    views.map((v) => v.length),
    [100, 13, 200, 8, 1],
  );
  // What does not fit in the rest of the slab starts a new one; the old views stay as they were.
  const big = slabs.take(500);
  const next = slabs.take(500);
  assert.equal(big.buffer, views[0]!.buffer);
  const again = Array.from({ length: 8 }, () => slabs.take(500));
  assert.ok(
    again.some((v) => v.buffer !== views[0]!.buffer),
    'a full slab is left behind',
  );
  views.forEach((v, i) =>
    assert.ok(
      v.every((b) => b === i + 1),
      `view ${i} untouched by later takes`,
    ),
  );
  assert.equal(next.length, 500);
});

test('more than an eighth of a slab is a buffer of its own', () => {
  const slabs = new AnswerSlabs(4096);
  const small = slabs.take(512);
  const large = slabs.take(513);
  assert.equal(small.buffer.byteLength, 4096);
  assert.equal(large.buffer.byteLength, 513);
});

test('ownCopy gives a view its own buffer with the same bytes, and leaves an own buffer as it is', () => {
  const view = new AnswerSlabs(4096).take(300).fill(7);
  const copy = ownCopy(view);
  assert.ok(copy.equals(view));
  assert.equal(copy.buffer.byteLength, 300);
  copy[0] = 1;
  assert.equal(view[0], 7, 'a copy, not the same memory');
  assert.equal(ownCopy(copy), copy);
});
