// Opening a carrier's encrypted reply, events.md §1.4 ("Encrypted reply", "msg_signature",
// "Decrypt check"). Written on node:crypto from the spec rather than reusing src/push, so that a
// mistake in our sender's envelope code cannot hide the same mistake in a carrier's reply.
import { createDecipheriv, createHash } from 'node:crypto';
import { findField, type ReplyBody } from './reply-body.ts';

export type OpenedReply =
  { encrypted: false } | { encrypted: true; ok: true; plaintext: string } | { encrypted: true; ok: false; problem: string };

const sha1Sorted = (parts: string[]): string =>
  createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');

/**
 * A reply carrying `Encrypt` is an encrypted envelope: `MsgSignature` must equal
 * sha1(sort(Token, TimeStamp, Nonce, Encrypt)), and the ciphertext must decrypt to
 * random16 ‖ len ‖ msg ‖ appid with PKCS#7/32 padding and the carrier's own appid as trailer.
 */
export function openReplyEnvelope(body: ReplyBody, o: { token: string; encodingAesKey: string; appid: string }): OpenedReply {
  const encrypt = findField(body, 'Encrypt');
  if (encrypt === undefined) return { encrypted: false };
  const fail = (problem: string): OpenedReply => ({ encrypted: true, ok: false, problem });
  const missing = ['MsgSignature', 'TimeStamp', 'Nonce'].filter((k) => findField(body, k) === undefined);
  if (missing.length > 0) return fail(`envelope lacks ${missing.join(', ')}`);
  const expected = sha1Sorted([o.token, findField(body, 'TimeStamp')!.value, findField(body, 'Nonce')!.value, encrypt.value]);
  if (findField(body, 'MsgSignature')!.value !== expected)
    return fail('MsgSignature does not match sha1(sort(Token, TimeStamp, Nonce, Encrypt))');
  try {
    return { encrypted: true, ok: true, plaintext: decrypt(encrypt.value, o.encodingAesKey, o.appid) };
  } catch (err: unknown) {
    return fail((err as Error).message);
  }
}

function decrypt(encrypt: string, encodingAesKey: string, appid: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey does not decode to 32 bytes');
  const data = Buffer.from(encrypt, 'base64');
  if (data.length === 0 || data.length % 32 !== 0) throw new Error('Encrypt is not a whole number of 32-byte blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32 || !plain.subarray(plain.length - pad).every((b) => b === pad)) throw new Error('bad PKCS#7 padding (block 32)');
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new Error('plaintext too short');
  const len = content.readUInt32BE(0);
  if (4 + len > content.length) throw new Error('msg_len exceeds the plaintext');
  const trailer = content.subarray(4 + len).toString('utf8');
  if (trailer !== appid) throw new Error(`decrypted appid ${JSON.stringify(trailer)} is not the carrier's ${JSON.stringify(appid)}`);
  return content.subarray(4, 4 + len).toString('utf8');
}
