import { test } from 'node:test';
import assert from 'node:assert/strict';
import QRCode, { type QRCodeSegment } from 'qrcode';
import { encodeQr } from './qr-matrix.ts';
import { encodeSmallQr, modeOf } from './qr-small.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';

/** A deterministic stream of pseudo-random texts of every mode and length up to version 3. */
function* texts(count: number): Generator<string> {
  const rnd = seededRandom(12345);
  const alphabets = ['0123456789', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:', 'abcxyzSF0123456789-_#@', '收寄件人广州顺丰ab1'];
  for (let i = 0; i < count; i++) {
    const a = alphabets[i % alphabets.length]!;
    const len = 1 + rnd(a === alphabets[0] ? 90 : a === alphabets[3] ? 14 : 60);
    let s = '';
    for (let k = 0; k < len; k++) s += a[rnd(a.length)];
    yield s;
  }
  yield* ['SF1234567890123', '773012345678901', 'YT7000000000001', 'TESTwb-1', '1', 'A', 'a'];
}

test('versions 1–3 are module for module what qrcode draws for the same segment, mask included', () => {
  let small = 0;
  const masks = new Set<number>();
  const versions = new Set<number>();
  for (const text of texts(4000)) {
    const ours = encodeSmallQr(text);
    const theirs = QRCode.create([{ data: text, mode: modeOf(text) } as QRCodeSegment], { errorCorrectionLevel: 'M' });
    if (!ours) {
      assert.ok(theirs.version > 3, `${JSON.stringify(text)} fits version ${theirs.version}`);
      continue;
    }
    small++;
    masks.add(ours.mask);
    versions.add(ours.version);
    assert.equal(ours.version, theirs.version, text);
    assert.equal(ours.mask, theirs.maskPattern, `mask of ${JSON.stringify(text)}`);
    assert.deepEqual(ours.dark, theirs.modules.data, JSON.stringify(text));
  }
  assert.ok(small > 2000, `${small} small symbols compared`);
  assert.deepEqual([...versions].sort(), [1, 2, 3]);
  assert.equal(masks.size, 8, 'every mask was chosen for some text');
});

test('longer texts still encode, through qrcode', () => {
  const text = 'https://example.com/'.padEnd(200, 'x');
  const m = encodeQr(text);
  assert.equal(m.size, QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size);
  assert.ok(m.size > 29);
  assert.throws(() => encodeQr(''));
});
