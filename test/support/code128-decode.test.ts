import { test } from 'node:test';
import assert from 'node:assert/strict';
import bwipjs from 'bwip-js';
import { barIntervals, decodeCode128Svg, decodeModules, findCode128Svgs, runWidths, toModules } from './code128-decode.ts';

const raw = (text: string): string => bwipjs.toSVG({ bcid: 'code128', text, includetext: false });

test('decodes bwip-js Code128 across code sets A, B, C and shifts', () => {
  for (const text of [
    'SF1234567890123',
    '773012345678901',
    '12345',
    '7',
    'Hello, World!',
    'abc\x01def',
    'AB\tc',
    '0123abcDEF4567',
    'a^b~c',
  ]) {
    assert.equal(decodeCode128Svg(raw(text)), text, JSON.stringify(text));
  }
});

test('decodes extended ASCII through FNC4 (bwip-js writes UTF-8 bytes)', () => {
  assert.equal(decodeCode128Svg(raw('x\u00e9y')), Buffer.from('x\u00e9y', 'utf8').toString('latin1'));
});

const modulesOf = (text: string): number[] => toModules(runWidths(barIntervals(raw(text))));

test('decodes a symbol read right to left', () => {
  assert.equal(decodeModules(modulesOf('SF1234567890123').reverse()), 'SF1234567890123');
});

test('rejects a bad checksum, a missing stop pattern and a bad pattern', () => {
  const m = modulesOf('ABCD');
  assert.equal(decodeModules(m), 'ABCD');
  // symbol 1 ('A') replaced by symbol 2 ('B'): every pattern valid, the checksum is not
  const swapped = [...m.slice(0, 6), ...m.slice(12, 18), ...m.slice(12)];
  assert.throws(() => decodeModules(swapped), /checksum/);
  assert.throws(() => decodeModules(m.slice(0, -7)), /stop|not a Code128/);
  const bad = [...m];
  bad[7] = (bad[7] ?? 1) + 1; // one space a module wider
  bad[8] = (bad[8] ?? 2) - 1 || 3;
  assert.throws(() => decodeModules(bad));
});

test('finds only the Code128 svgs of a document', () => {
  const html = `<p>x</p><svg data-barcode="qrcode" viewBox="0 0 1 1"></svg><svg data-barcode="code128" viewBox="0 0 2 2"><path/></svg>`;
  assert.equal(findCode128Svgs(html).length, 1);
});

test("decodes the label's own bars: one filled path, a rectangle per bar, relative commands too", async () => {
  const { encodeCode128 } = await import('../../src/core/label/code128.ts');
  const { code128Svg } = await import('../../src/core/label/symbol-svg.ts');
  for (const text of ['SF1234567890123', '773012345678901', '12345', 'Hello, World!', 'abc\x01def', '0123abcDEF4567', 'x\u00e9y']) {
    const bars = encodeCode128(text);
    assert.ok(bars, text);
    const svg = code128Svg(bars, { maxWidthMm: 60, heightMm: 10 });
    // eslint-disable-next-line no-control-regex -- 7-bit ASCII, control characters included
    const expected = /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
    assert.equal(decodeCode128Svg(svg), expected, JSON.stringify(text));
    // the same bars written with relative moves and an absolute close-back
    const relative = svg.replace(/d="([^"]*)"/, (_m, d: string) => {
      let prev = 0;
      const out = d.replace(/M(\d+) 0h(\d+)v1h-\d+z/g, (_b, x: string, w: string) => {
        const r = `m${Number(x) - prev} 0h${w}v1H${x}z`;
        prev = Number(x);
        return r;
      });
      return `d="${out.replace(/^m/, 'M')}"`;
    });
    assert.notEqual(relative, svg);
    assert.equal(decodeCode128Svg(relative), expected);
  }
});

test('refuses path data that is not bars', () => {
  assert.throws(() => decodeCode128Svg('<svg data-barcode="code128"><path d="M0 0c1 1 2 2 3 3z"/></svg>'), /not a bar/);
  assert.throws(() => decodeCode128Svg('<svg data-barcode="code128"><path d="M0 0v1z"/></svg>'), /no width/);
});
