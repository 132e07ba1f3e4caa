/**
 * The QR module matrix of a text, error correction M (what the label has always used), from the
 * `qrcode` package's encoder: segments, version, Reed–Solomon and the mask chosen by the
 * standard's penalty rules (ISO/IEC 18004 §7.8.3). Drawing is ours (symbol-svg.ts, symbol-png.ts).
 */
import QRCode from 'qrcode';

/** `size` × `size` modules, row-major, 1 = dark. */
export interface QrMatrix { size: number; dark: Uint8Array }

/** Throws when the text does not fit a version-40 symbol. */
export function encodeQr(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: modules.data };
}
