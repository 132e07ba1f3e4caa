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

/**
 * Path data written as ASCII bytes into one buffer and decoded once: a symbol has a hundred or
 * more rectangles, and building the string piece by piece allocated one string per number.
 */
class PathWriter {
  #buf = new Uint8Array(4096);
  #n = 0;

  #room(extra: number): void {
    if (this.#n + extra <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#n + extra));
    bigger.set(this.#buf.subarray(0, this.#n));
    this.#buf = bigger;
  }

  /** A non-negative integer. */
  int(x: number): void {
    this.#room(12);
    if (x < 10) { this.#buf[this.#n++] = 48 + x; return; }
    const digits = x < 100 ? 2 : x < 1000 ? 3 : String(x).length;
    for (let i = this.#n + digits - 1; i >= this.#n; i--) { this.#buf[i] = 48 + (x % 10); x = Math.floor(x / 10); }
    this.#n += digits;
  }

  byte(c: number): void {
    this.#room(1);
    this.#buf[this.#n++] = c;
  }

  /** `M x y h w v 1 h -w z`: a rectangle `w` wide and one unit high at (x, y). */
  rect(x: number, y: number, w: number): void {
    this.byte(77); this.int(x); this.byte(32); this.int(y); // M x y
    this.byte(104); this.int(w); // h w
    this.byte(118); this.byte(49); // v1
    this.byte(104); this.byte(45); this.int(w); this.byte(122); // h-w z
  }

  toString(): string {
    return Buffer.from(this.#buf.buffer, 0, this.#n).toString('latin1');
  }
}

/** Path data of the bars, one unit high: `M x 0 h w v 1 h -w z` per bar. */
export function code128PathData(bars: Code128Bars): string {
  const out = new PathWriter();
  let x = 0;
  const { widths } = bars;
  for (let i = 0; i < widths.length; i++) {
    const w = widths[i]!;
    if ((i & 1) === 0) out.rect(x, 0, w);
    x += w;
  }
  return out.toString();
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
  return `<svg data-barcode="code128" viewBox="0 0 ${bars.modules} 1" width="${mm(widthMm)}" height="${mm(opts.heightMm)}"`
    + ` preserveAspectRatio="none" shape-rendering="crispEdges"><path d="${pathData}" fill="#000"/></svg>`;
}

/** Path data of the dark modules, one rectangle per horizontal run. */
export function qrPathData(qr: QrMatrix): string {
  const { size, dark } = qr;
  const out = new PathWriter();
  for (let y = 0; y < size; y++) {
    const row = y * size;
    let x = 0;
    while (x < size) {
      if (dark[row + x] === 0) { x++; continue; }
      const start = x;
      while (x < size && dark[row + x] !== 0) x++;
      out.rect(start, y, x - start);
    }
  }
  return out.toString();
}

/** The QR matrix as an inline `<svg data-barcode="qrcode">`, `sizeMm` square, quiet zone left to the layout. */
export function qrSvg(qr: QrMatrix, sizeMm: number): string {
  return `<svg data-barcode="qrcode" viewBox="0 0 ${qr.size} ${qr.size}" width="${mm(sizeMm)}" height="${mm(sizeMm)}"`
    + ` shape-rendering="crispEdges"><path d="${qrPathData(qr)}" fill="#000"/></svg>`;
}
