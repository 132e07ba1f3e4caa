/**
 * Raster images of the symbols for carrier templates, whose language puts a barcode as
 * `<img src="data:image/jpeg;base64, ##CODE128(…)">`: a 1-bit greyscale PNG (browsers and print
 * engines pick the decoder from the bytes, not from the data URL's declared type, and a PNG keeps
 * bar edges sharp where a JPEG would smear them). Each module is a whole number of pixels and the
 * image carries the quiet zones the standards ask for (10 modules for Code128, 4 for QR).
 */
import { deflateSync } from 'node:zlib';
import type { Code128Bars } from './code128.ts';
import type { QrMatrix } from './qr-matrix.ts';

const CODE128_MODULE_PX = 2;
const CODE128_HEIGHT_PX = 80;
const CODE128_QUIET = 10;
const QR_MODULE_PX = 4;
const QR_QUIET = 4;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf: Uint8Array, from: number, to: number): number {
  let c = -1;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A 1-bit greyscale PNG `width` × `height` px; `darkRow(y, row)` sets `row[x]` to 1 for each
 * black pixel of row `y` (the row comes zeroed).
 */
export function bilevelPng(width: number, height: number, darkRow: (y: number, row: Uint8Array) => void): Buffer {
  const stride = Math.ceil(width / 8);
  const raw = new Uint8Array((stride + 1) * height);
  const row = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    row.fill(0);
    darkRow(y, row);
    const at = y * (stride + 1) + 1; // filter byte 0 (None) before each row
    for (let x = 0; x < width; x++) {
      if (row[x] === 0) raw[at + (x >> 3)]! |= 0x80 >> (x & 7); // 1 = white in greyscale
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale; compression, filter and interlace bytes stay 0
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** The Code128 as a PNG, 2 px per module, 80 px high, with 10-module quiet zones. */
export function code128Png(bars: Code128Bars): Buffer {
  const X = CODE128_MODULE_PX;
  const width = (bars.modules + 2 * CODE128_QUIET) * X;
  const line = new Uint8Array(width);
  let x = CODE128_QUIET * X;
  bars.widths.forEach((w, i) => {
    if ((i & 1) === 0) line.fill(1, x, x + w * X);
    x += w * X;
  });
  return bilevelPng(width, CODE128_HEIGHT_PX, (_y, row) => row.set(line));
}

/** The QR matrix as a PNG, 4 px per module, with a 4-module quiet zone. */
export function qrPng(qr: QrMatrix): Buffer {
  const X = QR_MODULE_PX;
  const n = qr.size;
  const side = (n + 2 * QR_QUIET) * X;
  return bilevelPng(side, side, (y, row) => {
    const my = Math.floor(y / X) - QR_QUIET;
    if (my < 0 || my >= n) return;
    for (let mx = 0; mx < n; mx++) {
      if (qr.dark[my * n + mx]) row.fill(1, (mx + QR_QUIET) * X, (mx + QR_QUIET + 1) * X);
    }
  });
}
