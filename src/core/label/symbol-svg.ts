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
 * Path data is joined from precomputed pieces, so a rectangle costs one or two string
 * concatenations and no number formatting: `M x y` for every module position of a symbol up
 * to 32 × 32 (every QR a label prints, and the bars' y = 0 row up to 512 modules),
 * `h w v1 h-w z` for every width, and for the QR's later runs in a row `m dx 0 h w v1 h-w z`:
 * after `z` the pen is back at the rectangle's start, so the next one is `dx` to its right.
 */
const MAX_QR_WORD = 32;
const MAX_BAR_MODULES = 512;
const MOVES = Array.from({ length: MAX_QR_WORD * MAX_QR_WORD }, (_, i) => `M${i % MAX_QR_WORD} ${Math.floor(i / MAX_QR_WORD)}`);
const BAR_MOVES = Array.from({ length: MAX_BAR_MODULES }, (_, x) => `M${x} 0`);
const SPANS = Array.from({ length: MAX_BAR_MODULES }, (_, w) => `h${w}v1h-${w}z`);
const STEP = MAX_QR_WORD + 1;
/** `m dx 0 h w v1 h-w z` at index dx × STEP + w, for dx and w up to 32. */
const NEXT_RUNS = Array.from({ length: STEP * STEP }, (_, i) => `m${Math.floor(i / STEP)} 0${SPANS[i % STEP]}`);

/** `M x y h w v 1 h -w z`: a rectangle `w` wide and one unit high at (x, y). */
const rect = (x: number, y: number, w: number): string => `M${x} ${y}h${w}v1h-${w}z`;

/** Path data of the bars, one unit high: `M x 0 h w v 1 h -w z` per bar. */
export function code128PathData(bars: Code128Bars): string {
  let x = 0;
  let d = '';
  const { widths } = bars;
  for (let i = 0; i < widths.length; i++) {
    const w = widths[i]!;
    if ((i & 1) === 0) d += x < MAX_BAR_MODULES && w < MAX_BAR_MODULES ? BAR_MOVES[x]! + SPANS[w]! : rect(x, 0, w);
    x += w;
  }
  return d;
}

/** Remembers up to 64 `<svg>` openings by a symbol's width in modules (only a few widths occur). */
function openingsBy(open: (modules: number) => string): (modules: number) => string {
  const seen = new Map<number, string>();
  return (modules) => {
    let head = seen.get(modules);
    if (head === undefined) {
      if (seen.size >= 64) seen.clear();
      head = open(modules);
      seen.set(modules, head);
    }
    return head;
  };
}

const PATH_END = '" fill="#000"/></svg>';

/**
 * The symbol as an inline `<svg data-barcode="code128">`, drawn at one size. The module width is a
 * whole number of 203 dpi dots when that fits in `maxWidthMm`, so every bar prints with the same
 * width; otherwise the symbol is squeezed to `maxWidthMm`. `pathData` is `code128PathData(bars)`,
 * passed in so a label drawing the symbol at two sizes writes it once. The `<svg>` opening depends
 * only on the symbol's width in modules, so it is worked out once per width.
 */
export function code128SvgAt(opts: Code128SvgOptions): (bars: Code128Bars, pathData?: string) => string {
  const opening = openingsBy((modules) => {
    const dots = Math.floor(opts.maxWidthMm / modules / DOT_MM);
    const widthMm = dots >= 1 ? modules * dots * DOT_MM : opts.maxWidthMm;
    return (
      `<svg data-barcode="code128" viewBox="0 0 ${modules} 1" width="${mm(widthMm)}" height="${mm(opts.heightMm)}"` +
      ` preserveAspectRatio="none" shape-rendering="crispEdges"><path d="`
    );
  });
  return (bars, pathData = code128PathData(bars)) => opening(bars.modules) + pathData + PATH_END;
}

/** `code128SvgAt(opts)(bars, pathData)`, for a single drawing. */
export const code128Svg = (bars: Code128Bars, opts: Code128SvgOptions, pathData?: string): string => code128SvgAt(opts)(bars, pathData);

/**
 * Path data of the dark modules, one rectangle per horizontal run: the first of a row at
 * `M x y`, the others a relative `m dx 0` from the one before.
 */
export function qrPathData(qr: QrMatrix): string {
  const { size, rowWords } = qr; // not `dark`: a small symbol unpacks it from the words when read
  let d = '';
  if (rowWords && size <= MAX_QR_WORD) {
    // Runs straight from each row's word: the lowest set bit starts a run, the lowest clear bit above it ends it.
    for (let y = 0; y < size; y++) {
      let word = rowWords[y]! >>> 0;
      let x = 0;
      let last = -1;
      while (word !== 0) {
        const skip = 31 - Math.clz32(word & -word);
        word >>>= skip;
        x += skip;
        const inverted = ~word;
        const run = inverted === 0 ? 32 : 31 - Math.clz32(inverted & -inverted);
        d += last < 0 ? MOVES[y * MAX_QR_WORD + x]! + SPANS[run]! : NEXT_RUNS[(x - last) * STEP + run]!;
        last = x;
        word = run === 32 ? 0 : word >>> run;
        x += run;
      }
    }
    return d;
  }
  const { dark } = qr;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    let x = 0;
    let last = -1;
    while (x < size) {
      if (dark[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && dark[row + x] !== 0) x++;
      d += last < 0 ? rect(start, y, x - start) : `m${start - last} 0h${x - start}v1h-${x - start}z`;
      last = start;
    }
  }
  return d;
}

/** The QR matrix as an inline `<svg data-barcode="qrcode">`, `sizeMm` square, quiet zone left to the layout. */
export function qrSvgAt(sizeMm: number): (qr: QrMatrix) => string {
  const opening = openingsBy(
    (size) =>
      `<svg data-barcode="qrcode" viewBox="0 0 ${size} ${size}" width="${mm(sizeMm)}" height="${mm(sizeMm)}" shape-rendering="crispEdges"><path d="`,
  );
  return (qr) => opening(qr.size) + qrPathData(qr) + PATH_END;
}
