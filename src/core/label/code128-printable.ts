/**
 * Code128 for printable ASCII (0x20–0x7E) with the code sets JsBarcode's CODE128 auto encoder
 * chooses (jsbarcode/bin/barcodes/CODE128/auto.js), worked out by scanning the text once
 * instead of matching regular expressions built per call:
 *
 *   - start in C when the text opens with two digits or more, else in B;
 *   - in C, as many digit pairs as there are; then A when every character left is in A
 *     (0x20–0x5F: no lower case), else B;
 *   - in A or B, go to C at the first place (one character in at least) where an even run of
 *     four digits or more starts. JsBarcode's change between A and B never happens here: A is
 *     chosen only when it can encode everything left, and B encodes every printable character.
 *
 * For printable text JsBarcode's SHIFT rewrite never applies (a one-character stretch between
 * two set changes cannot arise), so none is needed here. Symbol patterns come from JsBarcode's
 * own table. code128.test.ts compares the bars with JsBarcode's for thousands of texts.
 */
import { packageRequire } from '../../package-files.ts';

const { BARS } = packageRequire('jsbarcode/bin/barcodes/CODE128/constants.js') as { BARS: number[] };

/** Bar/space widths of a symbol written as bits (`1` bar, `0` space): the lengths of its runs. */
export function runsOf(bits: string): number[] {
  const widths: number[] = [];
  let run = 1;
  for (let i = 1; i < bits.length; i++) {
    if (bits.charCodeAt(i) === bits.charCodeAt(i - 1)) run++;
    else {
      widths.push(run);
      run = 1;
    }
  }
  widths.push(run);
  return widths;
}

/** Each of the 107 symbols (values 0–102, starts 103–105, stop 106) as bar/space widths. */
const PATTERNS: readonly (readonly number[])[] = BARS.map((bits) => runsOf(String(bits)));

const START_B = 104;
const START_C = 105;
const CODE_C = 99;
const CODE_B = 100;
const CODE_A = 101;
const STOP = 106;

const PRINTABLE = /^[\x20-\x7e]+$/;

/** True for a non-empty text of printable ASCII, which `encodePrintableCode128` encodes. */
export const isPrintableAscii = (text: string): boolean => PRINTABLE.test(text);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const inSetA = (c: number): boolean => c <= 0x5f; // of printable characters

/** Whether every character of `text` from `from` on is in set A. */
function restInSetA(text: string, from: number): boolean {
  for (let k = from; k < text.length; k++) if (!inSetA(text.charCodeAt(k))) return false;
  return true;
}

/** Digits in a row from each position (reused: encoding is synchronous). */
let digitRuns = new Int32Array(64);

/** Bar/space widths of the symbol for `text`, which must be printable ASCII (`isPrintableAscii`). */
export function encodePrintableCode128(text: string): number[] {
  const n = text.length;
  if (digitRuns.length <= n) digitRuns = new Int32Array(n + 1);
  const run = digitRuns;
  run[n] = 0;
  for (let i = n - 1; i >= 0; i--) run[i] = isDigit(text.charCodeAt(i)) ? run[i + 1]! + 1 : 0;

  const values: number[] = [];

  // A and B give printable characters up to 0x5F the same values, so only "in C or not" matters.
  let inC = run[0]! >= 2;
  values.push(inC ? START_C : START_B);
  let i = 0;
  while (i < n) {
    if (inC) {
      const end = i + (run[i]! & ~1);
      for (; i < end; i += 2) values.push((text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48);
      if (i === n) break;
      values.push(restInSetA(text, i) ? CODE_A : CODE_B);
      inC = false;
      continue;
    }
    // A is chosen only when no lower case follows, so A or B encodes the rest: the one way out is to C.
    let toC = n;
    for (let k = i + 1; k < n; k++) {
      const r = run[k]!;
      if (r >= 4 && (r & 1) === 0) {
        toC = k;
        break;
      }
    }
    for (; i < toC; i++) values.push(text.charCodeAt(i) - 32);
    if (i < n) {
      values.push(CODE_C);
      inC = true;
    }
  }

  let checksum = values[0]!;
  for (let k = 1; k < values.length; k++) checksum += values[k]! * k;
  values.push(checksum % 103, STOP);

  const widths: number[] = [];
  for (const v of values) for (const w of PATTERNS[v]!) widths.push(w);
  return widths;
}
