/**
 * Inline SVG barcodes for the waybill label, drawn by bwip-js (pure JS, no I/O). The `xmlns`
 * attribute bwip-js writes is dropped: inline SVG in HTML5 does not need it, and the label must
 * contain no URL at all.
 */
import bwipjs from 'bwip-js';
import QRCode from 'qrcode';

/** One dot of a 203 dpi thermal print head, in mm. */
const DOT_MM = 25.4 / 203;
/** bwip-js draws one module as `SCALE` SVG units. */
const SCALE = 2;

export interface Code128SvgOptions {
  /** Widest the symbol may be, quiet zones excluded. */
  maxWidthMm: number;
  heightMm: number;
}

const mm = (n: number): string => `${Number(n.toFixed(3))}mm`;

function viewBox(svg: string): { w: number; h: number; body: string } {
  const m = /^<svg viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>([\s\S]*)<\/svg>\s*$/.exec(svg);
  if (!m) throw new Error('bwip-js: unexpected SVG shape');
  return { w: Number(m[1]), h: Number(m[2]), body: (m[3] ?? '').trim() };
}

/** A Code128 drawn once by bwip-js, to be placed at one or more sizes. */
export interface Code128Symbol {
  modules: number;
  viewW: number;
  viewH: number;
  body: string;
}

/** Code128 of `text` (bwip-js chooses code sets A/B/C for the shortest symbol); throws if not encodable. */
export function code128Symbol(text: string): Code128Symbol {
  const { w, h, body } = viewBox(bwipjs.toSVG({ bcid: 'code128', text, scale: SCALE, height: 10, includetext: false }));
  return { modules: w / SCALE, viewW: w, viewH: h, body };
}

/**
 * The symbol as an inline `<svg data-barcode="code128">`. The module width is a whole number of
 * 203 dpi dots when that fits in `maxWidthMm`, so every bar prints with the same width; otherwise
 * the symbol is squeezed to `maxWidthMm`.
 */
export function placeCode128(sym: Code128Symbol, opts: Code128SvgOptions): string {
  const dots = Math.floor(opts.maxWidthMm / sym.modules / DOT_MM);
  const widthMm = dots >= 1 ? sym.modules * dots * DOT_MM : opts.maxWidthMm;
  return (
    `<svg data-barcode="code128" viewBox="0 0 ${sym.viewW} ${sym.viewH}" width="${mm(widthMm)}" height="${mm(opts.heightMm)}"` +
    ` preserveAspectRatio="none" shape-rendering="crispEdges">${sym.body}</svg>`
  );
}

/** `placeCode128(code128Symbol(text), opts)`. */
export function code128Svg(text: string, opts: Code128SvgOptions): string {
  return placeCode128(code128Symbol(text), opts);
}

/** QR code (BWIPP's default error correction, M) of `text`, `sizeMm` square, quiet zone left to the layout. */
export function qrSvg(text: string, sizeMm = 16): string {
  // The `qrcode` package encodes ~10× faster than bwip-js's PostScript QR (≈1 ms vs
  // ≈4–12 ms), which matters on a cold label cache; we draw its module matrix as
  // one path of unit squares.
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) if (modules.get(y, x)) d += `M${x} ${y}h1v1h-1z`;
  }
  return (
    `<svg data-barcode="qrcode" viewBox="0 0 ${n} ${n}" width="${mm(sizeMm)}" height="${mm(sizeMm)}"` +
    ` shape-rendering="crispEdges"><path d="${d}" fill="#000"/></svg>`
  );
}
