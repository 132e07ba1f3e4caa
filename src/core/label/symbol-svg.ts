/**
 * Our SVG writer for the label's symbols: vector, one `<path>` per symbol, each bar or run of
 * dark modules one closed rectangle (`M x y h w v 1 h -w z`), in module units so the geometry is
 * exact and `shape-rendering="crispEdges"` keeps edges on device pixels. No `xmlns`: inline SVG
 * in HTML5 does not need it, and the label contains no URL at all.
 */
import type { Code128Bars } from './code128.ts';
import type { QrMatrix } from './qr-matrix.ts';

/** One dot of a 203 dpi thermal print head, in mm. */
const DOT_MM = 25.4 / 203;

const mm = (n: number): string => `${Number(n.toFixed(3))}mm`;

export interface Code128SvgOptions {
  /** Widest the symbol may be, quiet zones excluded. */
  maxWidthMm: number;
  heightMm: number;
}

/*
 * Path data is written as ASCII bytes into one reused buffer and decoded once: a symbol has a
 * hundred or more rectangles, and building the string piece by piece allocated a string per
 * number. Rendering is synchronous, so one buffer serves every symbol in turn.
 */
const DIGITS = Array.from({ length: 256 }, (_, i) => Buffer.from(String(i), 'latin1'));
let buf = Buffer.allocUnsafe(16384);
let len = 0;

function putInt(x: number): void {
  const d = x < 256 ? DIGITS[x]! : Buffer.from(String(x), 'latin1');
  for (let k = 0; k < d.length; k++) buf[len++] = d[k]!;
}

/** `M x y h w v 1 h -w z`: a rectangle `w` wide and one unit high at (x, y). */
function putRect(x: number, y: number, w: number): void {
  if (len + 64 > buf.length) {
    const bigger = Buffer.allocUnsafe(buf.length * 2);
    buf.copy(bigger, 0, 0, len);
    buf = bigger;
  }
  buf[len++] = 77;
  putInt(x);
  buf[len++] = 32;
  putInt(y); // M x y
  buf[len++] = 104;
  putInt(w); // h w
  buf[len++] = 118;
  buf[len++] = 49; // v1
  buf[len++] = 104;
  buf[len++] = 45;
  putInt(w);
  buf[len++] = 122; // h-w z
}

function takePath(): string {
  const d = buf.toString('latin1', 0, len);
  len = 0;
  return d;
}

/** Path data of the bars, one unit high: `M x 0 h w v 1 h -w z` per bar. */
export function code128PathData(bars: Code128Bars): string {
  let x = 0;
  const { widths } = bars;
  for (let i = 0; i < widths.length; i++) {
    const w = widths[i]!;
    if ((i & 1) === 0) putRect(x, 0, w);
    x += w;
  }
  return takePath();
}

/**
 * The symbol as an inline `<svg data-barcode="code128">`. The module width is a whole number of
 * 203 dpi dots when that fits in `maxWidthMm`, so every bar prints with the same width; otherwise
 * the symbol is squeezed to `maxWidthMm`. `pathData` is `code128PathData(bars)`, passed in so a
 * label drawing the symbol at two sizes writes it once.
 */
export function code128Svg(bars: Code128Bars, opts: Code128SvgOptions, pathData = code128PathData(bars)): string {
  const dots = Math.floor(opts.maxWidthMm / bars.modules / DOT_MM);
  const widthMm = dots >= 1 ? bars.modules * dots * DOT_MM : opts.maxWidthMm;
  return (
    `<svg data-barcode="code128" viewBox="0 0 ${bars.modules} 1" width="${mm(widthMm)}" height="${mm(opts.heightMm)}"` +
    ` preserveAspectRatio="none" shape-rendering="crispEdges"><path d="${pathData}" fill="#000"/></svg>`
  );
}

/** Path data of the dark modules, one rectangle per horizontal run. */
export function qrPathData(qr: QrMatrix): string {
  const { size, dark } = qr;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    let x = 0;
    while (x < size) {
      if (dark[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && dark[row + x] !== 0) x++;
      putRect(start, y, x - start);
    }
  }
  return takePath();
}

/** The QR matrix as an inline `<svg data-barcode="qrcode">`, `sizeMm` square, quiet zone left to the layout. */
export function qrSvg(qr: QrMatrix, sizeMm: number): string {
  return (
    `<svg data-barcode="qrcode" viewBox="0 0 ${qr.size} ${qr.size}" width="${mm(sizeMm)}" height="${mm(sizeMm)}"` +
    ` shape-rendering="crispEdges"><path d="${qrPathData(qr)}" fill="#000"/></svg>`
  );
}
