/**
 * Code128 as bar/space widths in modules, from well-kept encoders used below their renderers:
 * JsBarcode's CODE128 auto encoder (code sets A/B/C chosen for a short symbol) for 7-bit ASCII,
 * which is every waybill number we have seen, and bwip-js's encoder (`raw`, UTF-8 bytes through
 * FNC4) for anything else, e.g. a 集包地 in Chinese. Neither draws anything: the SVG and PNG
 * writers (symbol-svg.ts, symbol-png.ts) do.
 *
 * Printable ASCII (every waybill number) takes a loop of our own that makes JsBarcode's choices
 * (code128-printable.ts, checked symbol for symbol against JsBarcode): JsBarcode builds regular
 * expressions and a string of bits per call, which was a fifth of a label's render.
 */
import bwipjs from 'bwip-js';
import { packageRequire } from '../../package-files.ts';
import { encodePrintableCode128, isPrintableAscii, runsOf } from './code128-printable.ts';

interface JsBarcodeEncoder {
  encode(): { data: string };
}
type JsBarcodeCtor = new (data: string, options: object) => JsBarcodeEncoder;

// JsBarcode's package entry draws into a DOM or canvas; its encoder classes are plain CommonJS.
const Code128Auto = (packageRequire('jsbarcode/bin/barcodes/CODE128/CODE128_AUTO.js') as { default: JsBarcodeCtor }).default;

/** 7-bit ASCII only: JsBarcode reads 200–211 as its own start/shift markers, so those stay out. */
// eslint-disable-next-line no-control-regex -- the whole 7-bit range, control characters included, is the point
const ASCII = /^[\x00-\x7f]+$/;

/** A Code128 symbol: alternating bar, space, … widths in modules, start to stop, quiet zones excluded. */
export interface Code128Bars {
  widths: number[];
  modules: number;
}

interface BwipRaw {
  sbs: number[];
}

/** The bars JsBarcode's own encoder gives for 7-bit ASCII `text` (the reference for the printable loop). */
export function jsBarcodeCode128Widths(text: string): number[] {
  return runsOf(new Code128Auto(text, {}).encode().data);
}

/** The Code128 of `text`, or null when it cannot be encoded (empty text, or an encoder refuses it). */
export function encodeCode128(text: string): Code128Bars | null {
  if (text === '') return null;
  try {
    let widths: number[];
    if (isPrintableAscii(text)) {
      widths = encodePrintableCode128(text);
    } else if (ASCII.test(text)) {
      widths = jsBarcodeCode128Widths(text);
    } else {
      const raw = (bwipjs as unknown as { raw(bcid: string, text: string, opts: string): BwipRaw[] }).raw('code128', text, '');
      widths = raw[0]?.sbs ?? [];
    }
    let modules = 0;
    for (const w of widths) modules += w;
    return widths.length > 0 ? { widths, modules } : null;
  } catch {
    return null;
  }
}
