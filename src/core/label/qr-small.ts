/**
 * A QR encoder for the small symbols a label prints (versions 1–3, 21–29 modules, error
 * correction M: a waybill number and anything up to 42 bytes), written for speed: each row and
 * column of the symbol is one 32-bit word, so the standard's mask selection (ISO/IEC 18004
 * §7.8.3: evaluate all eight masks with penalty rules N1–N4 and keep the lowest) costs a few
 * word operations per line instead of a pass over every module. bench/label-render.ts measures
 * it 25–30× faster than `qrcode.create` (same run), which was most of a label's QR cost.
 *
 * The rules follow `qrcode`'s implementation of the standard (its N1–N4 scoring, its tie-break
 * on the lowest mask number, its one-segment encoding when given a mode), and qr-small.test.ts
 * checks the matrices are identical to `qrcode`'s for thousands of texts. Larger texts go to
 * `qrcode` itself (qr-matrix.ts).
 */

/** Per version 1–3 at level M: total codewords, error-correction codewords (one block each). */
const CODEWORDS: Record<number, { total: number; ec: number }> = {
  1: { total: 26, ec: 10 },
  2: { total: 44, ec: 16 },
  3: { total: 70, ec: 26 },
};
export const SMALL_MAX_VERSION = 3;

type Mode = 'numeric' | 'alphanumeric' | 'byte';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/** The alphanumeric value of each character of `ALNUM`, by character code. */
const ALNUM_VALUE = new Uint8Array(128);
for (let i = 0; i < ALNUM.length; i++) ALNUM_VALUE[ALNUM.charCodeAt(i)] = i;
const NUMERIC_RE = /^[0-9]+$/;
const ALNUM_RE = /^[0-9A-Z $%*+\-./:]+$/;

/** The most compact single mode for the whole text (numeric, alphanumeric, or UTF-8 bytes). */
export function modeOf(text: string): Mode {
  return NUMERIC_RE.test(text) ? 'numeric' : ALNUM_RE.test(text) ? 'alphanumeric' : 'byte';
}

// ---- Reed–Solomon over GF(256), primitive polynomial 0x11d -------------------------------

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

/** Generator polynomial ∏(x − αⁱ), i < degree, highest coefficient first (which is 1). */
function generator(degree: number): Uint8Array {
  let g = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const next = new Uint8Array(g.length + 1);
    for (let j = 0; j < g.length; j++) {
      next[j]! ^= g[j]!;
      if (g[j] !== 0) next[j + 1]! ^= EXP[LOG[g[j]!]! + i]!;
    }
    g = next;
  }
  return g;
}

function generatorLogs(degree: number): Uint8Array {
  const g = generator(degree);
  if (g.subarray(1).includes(0)) throw new Error(`generator of degree ${degree} has a zero coefficient`);
  return Uint8Array.from(g.subarray(1), (c) => LOG[c]!);
}

/**
 * The error-correction codewords: the remainder of data·x^degree divided by the generator, one
 * long-division step per data codeword (shift the remainder by one and add factor × generator,
 * in one pass), with the generator's coefficients kept as logarithms (`genLog`, none is zero).
 */
function ecCodewords(data: Uint8Array, genLog: Uint8Array, rem: Uint8Array): Uint8Array {
  const degree = genLog.length;
  rem.fill(0);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ rem[0]!;
    if (factor === 0) {
      for (let j = 0; j < degree - 1; j++) rem[j] = rem[j + 1]!;
      rem[degree - 1] = 0;
    } else {
      const lf = LOG[factor]!;
      for (let j = 0; j < degree - 1; j++) rem[j] = rem[j + 1]! ^ EXP[lf + genLog[j]!]!;
      rem[degree - 1] = EXP[lf + genLog[degree - 1]!]!;
    }
  }
  return rem;
}

// ---- Data codewords --------------------------------------------------------------------

class Bits {
  length = 0;
  constructor(readonly bytes: Uint8Array) {
    bytes.fill(0);
  }
  /** The low `n` bits of `value` (n ≤ 16), most significant first, as many at a time as the current byte takes. */
  put(value: number, n: number): void {
    while (n > 0) {
      const free = 8 - (this.length & 7);
      const take = free < n ? free : n;
      const chunk = (value >>> (n - take)) & ((1 << take) - 1);
      this.bytes[this.length >> 3]! |= chunk << (free - take);
      this.length += take;
      n -= take;
    }
  }
}

const MODE_BITS: Record<Mode, number> = { numeric: 0b0001, alphanumeric: 0b0010, byte: 0b0100 };
/** Character-count field width for versions 1–9. */
const COUNT_BITS: Record<Mode, number> = { numeric: 10, alphanumeric: 9, byte: 8 };

function dataBitLength(mode: Mode, count: number): number {
  const head = 4 + COUNT_BITS[mode];
  if (mode === 'numeric') return head + Math.floor(count / 3) * 10 + [0, 4, 7][count % 3]!;
  if (mode === 'alphanumeric') return head + Math.floor(count / 2) * 11 + (count % 2) * 6;
  return head + count * 8;
}

function dataCodewords(text: string, mode: Mode, bytes: Uint8Array | null, out: Uint8Array): Uint8Array {
  const capacity = out.length;
  const b = new Bits(out);
  b.put(MODE_BITS[mode], 4);
  if (mode === 'numeric') {
    b.put(text.length, 10);
    for (let i = 0; i < text.length; i += 3) {
      const digits = Math.min(3, text.length - i);
      let group = 0;
      for (let k = 0; k < digits; k++) group = group * 10 + text.charCodeAt(i + k) - 48;
      b.put(group, digits === 3 ? 10 : digits === 2 ? 7 : 4);
    }
  } else if (mode === 'alphanumeric') {
    b.put(text.length, 9);
    for (let i = 0; i + 1 < text.length; i += 2) b.put(ALNUM_VALUE[text.charCodeAt(i)]! * 45 + ALNUM_VALUE[text.charCodeAt(i + 1)]!, 11);
    if (text.length % 2) b.put(ALNUM_VALUE[text.charCodeAt(text.length - 1)]!, 6);
  } else {
    b.put(bytes!.length, 8);
    for (const byte of bytes!) b.put(byte, 8);
  }
  const bits = capacity * 8;
  if (b.length + 4 <= bits) b.length += 4; // terminator (the buffer is zeroed)
  b.length = (b.length + 7) & ~7;
  for (let i = b.length >> 3, pad = 0; i < capacity; i++, pad ^= 1) b.bytes[i] = pad ? 0x11 : 0xec;
  return b.bytes;
}

// ---- Per-version layout, worked out once ----------------------------------------------

interface VersionLayout {
  size: number;
  /** log α of the generator's coefficients after the leading 1. */
  genLog: Uint8Array;
  /** Buffers for the data and error-correction codewords, reused by every call (encoding is synchronous). */
  dataWords: Uint8Array;
  ecWords: Uint8Array;
  /** Data cells in placement order: their rows, and their columns. */
  orderRows: Uint8Array;
  orderCols: Uint8Array;
  /**
   * Per mask: the dark modules of the function patterns (finders, separators, timing, alignment,
   * dark module) and of that mask's 15 format bits, per row / column.
   */
  patternRows: Int32Array[];
  patternCols: Int32Array[];
  /** Per mask: which data cells the mask flips, per row / column. */
  flipRows: Int32Array[];
  flipCols: Int32Array[];
}

const MASKS: ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

/** BCH(15,5) format information for level M (bits 00) and `mask`, XORed with 0x5412. */
function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  let d = data << 10;
  for (let i = 14; i >= 10; i--) if ((d >>> i) & 1) d ^= 0x537 << (i - 10);
  return ((data << 10) | d) ^ 0x5412;
}

/** The (row, col) cells of format bit i, as `qrcode` and the standard place them (two copies). */
function formatCells(size: number, i: number): [number, number][] {
  const vertical: [number, number] = i < 6 ? [i, 8] : i < 8 ? [i + 1, 8] : [size - 15 + i, 8];
  const horizontal: [number, number] = i < 8 ? [8, size - i - 1] : i < 9 ? [8, 15 - i] : [8, 15 - i - 1];
  return [vertical, horizontal];
}

function buildLayout(version: number): VersionLayout {
  const size = 17 + 4 * version;
  const reserved = new Uint8Array(size * size);
  const fixed = new Uint8Array(size * size);
  const set = (r: number, c: number, dark: boolean): void => {
    reserved[r * size + c] = 1;
    fixed[r * size + c] = dark ? 1 : 0;
  };
  for (const [r0, c0] of [
    [0, 0],
    [size - 7, 0],
    [0, size - 7],
  ] as const) {
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const rr = r0 + r;
        const cc = c0 + c;
        if (rr < 0 || rr >= size || cc < 0 || cc >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(rr, cc, r >= 0 && r <= 6 && c >= 0 && c <= 6 && ring !== 2 && ring !== 4);
      }
    }
  }
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  if (version >= 2) {
    const at = size - 7; // the one alignment pattern of versions 2–6 that misses the finders
    for (let r = -2; r <= 2; r++) for (let c = -2; c <= 2; c++) set(at + r, at + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
  }
  for (let i = 0; i < 15; i++) for (const [r, c] of formatCells(size, i)) reserved[r * size + c] = 1;
  set(size - 8, 8, true); // the dark module

  const order: number[] = [];
  for (let col = size - 1, row = size - 1, inc = -1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (;;) {
      for (let c = 0; c < 2; c++) if (!reserved[row * size + col - c]) order.push(row * size + col - c);
      row += inc;
      if (row < 0 || row >= size) {
        row -= inc;
        inc = -inc;
        break;
      }
    }
  }

  const rowsOf = (cell: (r: number, c: number) => boolean): [Int32Array, Int32Array] => {
    const rows = new Int32Array(size);
    const cols = new Int32Array(size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++)
        if (cell(r, c)) {
          rows[r]! |= 1 << c;
          cols[c]! |= 1 << r;
        }
    }
    return [rows, cols];
  };
  const patternRows: Int32Array[] = [];
  const patternCols: Int32Array[] = [];
  const flipRows: Int32Array[] = [];
  const flipCols: Int32Array[] = [];
  for (let m = 0; m < 8; m++) {
    const dark = fixed.slice();
    const bits = formatBits(m);
    for (let i = 0; i < 15; i++) if ((bits >> i) & 1) for (const [r, c] of formatCells(size, i)) dark[r * size + c] = 1;
    const [fr, fc] = rowsOf((r, c) => dark[r * size + c] === 1);
    patternRows.push(fr);
    patternCols.push(fc);
    const mask = MASKS[m]!;
    const [xr, xc] = rowsOf((r, c) => !reserved[r * size + c] && mask(r, c));
    flipRows.push(xr);
    flipCols.push(xc);
  }
  const { total, ec } = CODEWORDS[version]!;
  return {
    size,
    genLog: generatorLogs(ec),
    dataWords: new Uint8Array(total - ec),
    ecWords: new Uint8Array(ec),
    orderRows: Uint8Array.from(order, (cell) => Math.floor(cell / size)),
    orderCols: Uint8Array.from(order, (cell) => cell % size),
    patternRows,
    patternCols,
    flipRows,
    flipCols,
  };
}

const layouts = new Map<number, VersionLayout>();
function layoutOf(version: number): VersionLayout {
  let l = layouts.get(version);
  if (!l) {
    l = buildLayout(version);
    layouts.set(version, l);
  }
  return l;
}

// ---- Penalty (N1–N4) on row/column words -----------------------------------------------

/** Set bits of every 16-bit value. */
const BITS16 = new Uint8Array(1 << 16);
for (let i = 1; i < 1 << 16; i++) BITS16[i] = (i & 1) + BITS16[i >> 1]!;

const popcount = (x: number): number => BITS16[x & 0xffff]! + BITS16[x >>> 16]!;

/** N1 (runs of five or more: 3 + run − 5) and N3 (1:1:3:1:1 beside four light modules, 40 each) of one line. */
function linePenalty(x: number, n: number): number {
  const e = ~(x ^ (x >>> 1)) & ((1 << (n - 1)) - 1); // bit i: modules i and i+1 alike
  const w5 = e & (e >>> 1) & (e >>> 2) & (e >>> 3); // bit i: modules i..i+4 alike
  // A run of L ≥ 5 marks L − 4 bits of w5 in a row; with the two bits after them that makes the
  // run's L − 2 = 3 + (L − 5) points, and runs are far enough apart not to share any.
  const n1 = popcount(w5 | (w5 << 1) | (w5 << 2));
  const nx = ~x;
  const core = x & (nx >>> 1) & (x >>> 2) & (x >>> 3) & (x >>> 4) & (nx >>> 5) & (x >>> 6); // bit i: 1 0 1 1 1 0 1 from module i on
  if (core === 0) return n1; // most lines: no 1:1:3:1:1 at all
  const light4 = nx & (nx >>> 1) & (nx >>> 2) & (nx >>> 3); // bit i: modules i..i+3 light
  const within = (1 << (n - 10)) - 1; // the eleven modules i..i+10 inside the symbol
  const finderA = core & (light4 >>> 7) & within; // 1 0 1 1 1 0 1 0 0 0 0
  const finderB = light4 & (core >>> 4) & within; // 0 0 0 0 1 0 1 1 1 0 1
  return n1 + 40 * (popcount(finderA) + popcount(finderB));
}

function penalty(rows: Int32Array, cols: Int32Array, n: number): number {
  let points = 0;
  let dark = 0;
  const pairMask = (1 << (n - 1)) - 1;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    points += linePenalty(r, n) + linePenalty(cols[i]!, n);
    dark += popcount(r);
    if (i + 1 < n) {
      const v = ~(r ^ rows[i + 1]!); // vertical neighbours alike
      points += 3 * popcount(v & (v >>> 1) & ~(r ^ (r >>> 1)) & pairMask); // N2: 2×2 blocks of one colour
    }
  }
  const k = Math.abs(Math.ceil((dark * 100) / (n * n) / 5) - 10); // N4
  return points + 10 * k;
}

// ---- Encoder ---------------------------------------------------------------------------

/**
 * A small symbol. Its rows are words (`rowWords`, what the SVG writer reads); the module
 * matrix `dark` (for the PNG writer) is unpacked from them the first time it is read.
 */
export class SmallQr {
  #dark: Uint8Array | undefined;

  constructor(
    readonly size: number,
    /** Row `r` as a word: bit `c` set when module (r, c) is dark (a plain array: cheaper to make than a typed one). */
    readonly rowWords: readonly number[],
    readonly mask: number,
    readonly version: number,
  ) {}

  /** `size` × `size` modules, row-major, 1 = dark. */
  get dark(): Uint8Array {
    if (!this.#dark) {
      const n = this.size;
      const dark = new Uint8Array(n * n);
      for (let r = 0; r < n; r++) {
        const word = this.rowWords[r]!;
        for (let c = 0; c < n; c++) dark[r * n + c] = (word >>> c) & 1;
      }
      this.#dark = dark;
    }
    return this.#dark;
  }
}

const encoder = new TextEncoder();

/**
 * Row and column words, reused by every call (encoding is synchronous): typed arrays over 64
 * bytes live outside V8's heap and cost an allocation each.
 */
const scratch = { dataRows: new Int32Array(32), dataCols: new Int32Array(32), rows: new Int32Array(32), cols: new Int32Array(32) };

/** The QR symbol of `text` at level M in one segment, or null when it needs version 4 or more. */
export function encodeSmallQr(text: string): SmallQr | null {
  const mode = modeOf(text);
  const bytes = mode === 'byte' ? encoder.encode(text) : null;
  const count = bytes ? bytes.length : text.length;
  const bitLength = dataBitLength(mode, count);
  let version = 1;
  while (version <= SMALL_MAX_VERSION && bitLength > (CODEWORDS[version]!.total - CODEWORDS[version]!.ec) * 8) version++;
  if (version > SMALL_MAX_VERSION || count === 0) return null;
  const L = layoutOf(version);
  const n = L.size;
  const data = dataCodewords(text, mode, bytes, L.dataWords);
  const ec = ecCodewords(data, L.genLog, L.ecWords);

  const { dataRows, dataCols, rows, cols } = scratch;
  dataRows.fill(0);
  dataCols.fill(0);
  const { orderRows, orderCols } = L;
  // Codeword bits, most significant first, into the cells in placement order; remainder cells stay light.
  for (let i = 0, k = 0; i < data.length + ec.length; i++, k += 8) {
    const byte = i < data.length ? data[i]! : ec[i - data.length]!;
    for (let b = 0; b < 8; b++) {
      if ((byte >> (7 - b)) & 1) {
        const r = orderRows[k + b]!;
        const c = orderCols[k + b]!;
        dataRows[r]! |= 1 << c;
        dataCols[c]! |= 1 << r;
      }
    }
  }

  let best = 0;
  let bestPoints = Infinity;
  for (let m = 0; m < 8; m++) {
    const fr = L.patternRows[m]!,
      fc = L.patternCols[m]!,
      xr = L.flipRows[m]!,
      xc = L.flipCols[m]!;
    for (let i = 0; i < n; i++) {
      rows[i] = fr[i]! | (dataRows[i]! ^ xr[i]!);
      cols[i] = fc[i]! | (dataCols[i]! ^ xc[i]!);
    }
    const points = penalty(rows, cols, n);
    if (points < bestPoints) {
      bestPoints = points;
      best = m;
    }
  }
  const rowWords: number[] = [];
  const fr = L.patternRows[best]!,
    xr = L.flipRows[best]!;
  for (let r = 0; r < n; r++) rowWords.push(fr[r]! | (dataRows[r]! ^ xr[r]!));
  return new SmallQr(n, rowWords, best, version);
}
