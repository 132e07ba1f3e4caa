import { test } from 'node:test';
import assert from 'node:assert/strict';
import bwipjs from 'bwip-js';
import { decodeModules } from '../../../test/support/code128-decode.ts';
import { encodeCode128, jsBarcodeCode128Widths } from './code128.ts';
import { encodePrintableCode128, isPrintableAscii } from './code128-printable.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';

function* randomTexts(count: number): Generator<string> {
  const rnd = seededRandom(7);
  const pools = [
    '0123456789',
    '0123456789SFYTZ',
    'abcdefXYZ0123456789-_',
    '\x00\x01\x09\x1fABC012',
    ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\x7f09az',
  ];
  for (let i = 0; i < count; i++) {
    const pool = pools[i % pools.length]!;
    let s = '';
    for (let k = 0, n = 1 + rnd(30); k < n; k++) s += pool[rnd(pool.length)];
    yield s;
  }
}

test('every 7-bit ASCII text decodes back from its bars', () => {
  for (const text of randomTexts(3000)) {
    const bars = encodeCode128(text);
    assert.ok(bars, JSON.stringify(text));
    assert.equal(
      bars.widths.reduce((a, b) => a + b, 0),
      bars.modules,
    );
    assert.equal(decodeModules(bars.widths), text, JSON.stringify(text));
  }
});

test("digit runs use code set C: no longer than bwip-js's symbol plus one character", () => {
  for (const text of ['SF1234567890123', '773012345678901', '12345678901', 'YT7000000000001', 'JT0001234567890']) {
    const ours = encodeCode128(text)!.modules;
    const theirs = (bwipjs as unknown as { raw(b: string, t: string, o: string): { sbs: number[] }[] })
      .raw('code128', text, '')[0]!
      .sbs.reduce((a, b) => a + b, 0);
    assert.ok(ours <= theirs + 11, `${text}: ${ours} modules vs bwip-js ${theirs}`);
  }
});

test('non-ASCII text goes through FNC4 as UTF-8 bytes; empty text has no symbol', () => {
  assert.equal(decodeModules(encodeCode128('广州')!.widths), Buffer.from('广州', 'utf8').toString('latin1'));
  assert.equal(decodeModules(encodeCode128('\u00c8x')!.widths), Buffer.from('\u00c8x', 'utf8').toString('latin1'));
  assert.equal(encodeCode128(''), null);
});

/** Printable texts built from pieces that move the code-set choice: digit runs of every length, upper and lower case. */
function* printableTexts(count: number): Generator<string> {
  const rnd = seededRandom(11);
  const pieces = [
    () => '0123456789'.slice(0, 1 + rnd(9)),
    () => String(rnd(10)),
    () => 'SFYTZJT'.slice(rnd(6)).slice(0, 1 + rnd(3)),
    () => 'abcxyz'.slice(rnd(5)).slice(0, 1 + rnd(2)),
    () => ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'[rnd(32)]!,
  ];
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let k = 0, n = 1 + rnd(8); k < n; k++) s += pieces[rnd(pieces.length)]!();
    yield s;
  }
}

test('printable text gets the same bars as from JsBarcode, code sets and checksum included', () => {
  const samples = [
    'SF1234567890123',
    '773012345678901',
    'YT7000000000001',
    'JT0001234567890',
    '1',
    '12',
    '123',
    'a1234',
    'A12345b',
    '12AB',
    '12Ab',
    'ab12cd3456',
  ];
  let texts = 0;
  for (const text of [...samples, ...printableTexts(5000)]) {
    assert.ok(isPrintableAscii(text), JSON.stringify(text));
    assert.deepEqual(encodePrintableCode128(text), jsBarcodeCode128Widths(text), JSON.stringify(text));
    texts++;
  }
  assert.equal(texts, 5012);
  assert.equal(isPrintableAscii('a\tb'), false);
  assert.equal(isPrintableAscii('广州'), false);
});

test('a printable text longer than 65,536 characters still takes code set C where its digits run', () => {
  // digit runs are counted per position; a 16-bit counter would wrap inside this run
  const text = `A${'1'.repeat(70_000)}`;
  const widths = encodePrintableCode128(text);
  assert.equal(decodeModules(widths), text);
  // A in set B, a change to C, 35,000 digit pairs, checksum and stop: 11 modules each, 13 for the stop
  assert.equal(
    widths.reduce((a, b) => a + b, 0),
    11 * (1 + 1 + 1 + 35_000 + 1) + 13,
  );
});
