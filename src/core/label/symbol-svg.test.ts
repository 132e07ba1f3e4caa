import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCode128 } from './code128.ts';
import { encodeQr } from './qr-matrix.ts';
import { code128PathData, qrPathData } from './symbol-svg.ts';

/** The rectangles of a path, `M x y h w v1 h-w z` or, from the last one's start, `m dx dy h w v1 h-w z`, as [x, y, w]. */
function rects(d: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  const re = /([Mm])(\d+) (\d+)h(\d+)v1h-(\d+)z/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  let x0 = 0;
  let y0 = 0;
  while ((m = re.exec(d))) {
    assert.equal(m[4], m[5], 'each rectangle closes on itself');
    const relative = m[1] === 'm';
    assert.ok(!relative || out.length > 0, 'a path starts with an absolute move');
    x0 = (relative ? x0 : 0) + Number(m[2]);
    y0 = (relative ? y0 : 0) + Number(m[3]);
    out.push([x0, y0, Number(m[4])]);
    at = re.lastIndex;
  }
  assert.equal(at, d.length, `the path is rectangles only: ${d.slice(at, at + 40)}`);
  return out;
}

const texts = [
  'SF1234567890123',
  '0',
  'ABC-123 $%*+./:',
  '中文集包地',
  'x'.repeat(42),
  ...Array.from({ length: 300 }, (_, i) => `YT${(9876543210 + i * 7919).toString(36)}${i}`),
];

test('QR path: its rectangles cover exactly the dark modules, one per horizontal run', () => {
  for (const text of texts) {
    const qr = encodeQr(text);
    const painted = new Uint8Array(qr.size * qr.size);
    for (const [x, y, w] of rects(qrPathData(qr))) {
      assert.ok(w > 0 && x + w <= qr.size && y < qr.size);
      for (let c = x; c < x + w; c++) {
        assert.equal(painted[y * qr.size + c], 0, 'no module painted twice');
        painted[y * qr.size + c] = 1;
      }
      // a run is maximal: the modules just outside it are light
      if (x > 0) assert.equal(qr.dark[y * qr.size + x - 1], 0);
      if (x + w < qr.size) assert.equal(qr.dark[y * qr.size + x + w], 0);
    }
    assert.deepEqual(painted, Uint8Array.from(qr.dark), text);
  }
});

test('QR path: the row words and the module matrix give the same path', () => {
  for (const text of texts) {
    const qr = encodeQr(text);
    if (!qr.rowWords) continue;
    assert.equal(qrPathData(qr), qrPathData({ size: qr.size, dark: qr.dark }), text);
  }
  assert.ok(encodeQr('SF1234567890123').rowWords, 'a waybill number takes the word path');
});

test('QR path: a symbol wider than 32 modules is drawn from its matrix', () => {
  const qr = encodeQr('https://example.com/'.repeat(8));
  assert.ok(qr.size > 32);
  const painted = new Uint8Array(qr.size * qr.size);
  for (const [x, y, w] of rects(qrPathData(qr))) for (let c = x; c < x + w; c++) painted[y * qr.size + c] = 1;
  assert.deepEqual(painted, Uint8Array.from(qr.dark));
});

test('Code128 path: one rectangle per bar, at the bars’ offsets and widths', () => {
  for (const text of ['SF1234567890123', 'JD0001234567-1-1-', '123456', 'x'.repeat(60)]) {
    const bars = encodeCode128(text)!;
    const expected: [number, number, number][] = [];
    let x = 0;
    bars.widths.forEach((w, i) => {
      if (i % 2 === 0) expected.push([x, 0, w]);
      x += w;
    });
    assert.deepEqual(rects(code128PathData(bars)), expected, text);
  }
});
