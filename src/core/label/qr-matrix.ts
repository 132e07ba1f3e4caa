/**
 * The QR module matrix of a text at error correction M (what the label has always used), the
 * mask chosen by the standard's penalty rules (ISO/IEC 18004 §7.8.3). Texts that fit versions
 * 1–3 (every waybill number) take our word-parallel encoder (qr-small.ts, checked module for
 * module against `qrcode`); longer ones go to the `qrcode` package. Drawing is ours
 * (symbol-svg.ts, symbol-png.ts).
 */
import QRCode from 'qrcode';
import { encodeSmallQr } from './qr-small.ts';

/** `size` × `size` modules, row-major, 1 = dark. */
export interface QrMatrix {
  size: number;
  dark: Uint8Array;
  /** The rows as words (bit `c` = column `c`), when the symbol is at most 32 modules wide. */
  rowWords?: readonly number[];
}

/** Throws when the text is empty or does not fit a version-40 symbol. */
export function encodeQr(text: string): QrMatrix {
  const small = encodeSmallQr(text);
  if (small) return small;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: modules.data };
}
