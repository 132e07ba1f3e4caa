// The secure-mode message envelope, events.md §1.4 (WeChat's "WXBizMsgCrypt" scheme).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PushError } from './errors.ts';

// §1.4: PKCS#7 with a 32-byte block, not AES's 16, so node's own padding must stay off.
const PAD_BLOCK = 32;
const ENCODING_AES_KEY = /^[a-zA-Z0-9]{43}$/;

/** True when the string is a well-formed EncodingAESKey: 43 chars of [a-zA-Z0-9] (§1.1). */
export function isValidEncodingAesKey(encodingAesKey: string): boolean {
  return ENCODING_AES_KEY.test(encodingAesKey);
}

/**
 * AESKey = Base64_Decode(EncodingAESKey + "=") → 32 bytes (§1.4).
 * @throws PushError `invalidEncodingAesKey` when the key breaks §1.1.
 */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!isValidEncodingAesKey(encodingAesKey)) {
    throw new PushError('invalidEncodingAesKey', 'EncodingAESKey must be 43 characters of [a-zA-Z0-9]');
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

function assertKey(aesKey: Buffer): void {
  if (aesKey.length !== 32) throw new PushError('invalidEncodingAesKey', 'AES key must be 32 bytes');
}

/**
 * Encrypt one push body into the `Encrypt` value: base64(AES-256-CBC(random16 ‖ len32BE ‖ msg ‖ appid ‖ pad)).
 * `random16` is injectable so tests and vectors are reproducible.
 */
export function encryptMessage(aesKey: Buffer, plaintext: string, appid: string, random16: Buffer = randomBytes(16)): string {
  assertKey(aesKey);
  if (random16.length !== 16) throw new PushError('invalidPushOptions', 'random16 must be 16 bytes');
  const msg = Buffer.from(plaintext, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const body = Buffer.concat([random16, len, msg, Buffer.from(appid, 'utf8')]);
  // A body already on a 32-byte boundary still gets a full block of 32 × 0x20 (§1.4: pad is 1…32).
  const pad = PAD_BLOCK - (body.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/**
 * Decrypt an `Encrypt` value and run §1.4's decrypt check (trailing appid must match).
 * @throws PushError `invalidCiphertext` | `invalidPadding` | `invalidLength` | `appidMismatch`.
 */
export function decryptMessage(aesKey: Buffer, encryptB64: string, expectedAppid: string): string {
  assertKey(aesKey);
  const data = Buffer.from(encryptB64, 'base64');
  if (data.length === 0 || data.length % PAD_BLOCK !== 0) {
    throw new PushError('invalidCiphertext', 'ciphertext is not a whole number of 32-byte blocks');
  }
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    throw new PushError('invalidPadding', 'bad PKCS#7 padding (block size 32)');
  }
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new PushError('invalidLength', 'plaintext shorter than random16 + msg_len');
  const msgLen = body.readUInt32BE(16);
  if (20 + msgLen > body.length) throw new PushError('invalidLength', 'msg_len exceeds plaintext');
  const appid = body.subarray(20 + msgLen).toString('utf8');
  if (appid !== expectedAppid) throw new PushError('appidMismatch', `appid mismatch: got ${JSON.stringify(appid)}`);
  return body.subarray(20, 20 + msgLen).toString('utf8');
}
