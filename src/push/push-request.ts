// Building one push request, events.md §1.2–§1.4. Pure: the dispatcher does the I/O.
import { decodeAesKey, encryptMessage } from './aes-envelope.ts';
import { PushError } from './errors.ts';
import { type WireObject, toJson, toXml } from '../core/push-events.ts';
import { msgSignature, signature } from './signature.ts';

export type PushMode = 'plain' | 'compatible' | 'secure';
export type PushFormat = 'xml' | 'json';

export type PushRequestOptions = {
  url: string;
  token: string;
  /** Required for `compatible` and `secure` (§1.1). */
  encodingAesKey?: string;
  mode: PushMode;
  format: PushFormat;
  /** The receiving Mini Program's appid: the trailer of the encrypted plaintext (§1.4). */
  appid: string;
  /** The Mini Program's original ID (gh_…); the secure envelope's `ToUserName` (§1.3). */
  toUserName: string;
  event: WireObject;
  timestamp: string;
  nonce: string;
  random16?: Buffer;
};

export type PushRequest = { url: string; body: string; contentType: string };

// events.md does not name the Content-Type. WeChat-side SDKs (e.g. royalrick/weapp, §3.0) pick the
// format from it, so it must tell XML from JSON; these are the conventional media types.
const CONTENT_TYPE: Record<PushFormat, string> = { xml: 'text/xml', json: 'application/json' };

/**
 * Sign (and in compatible/secure mode encrypt) one event push (§1.3).
 * @example buildPushRequest({ url, token, mode: 'plain', format: 'json', appid, toUserName, event, timestamp, nonce })
 * @throws PushError `invalidPushOptions` / `invalidEncodingAesKey` for a bad configuration.
 */
export function buildPushRequest(o: PushRequestOptions): PushRequest {
  const url = new URL(o.url);
  url.searchParams.set('signature', signature(o.token, o.timestamp, o.nonce));
  url.searchParams.set('timestamp', o.timestamp);
  url.searchParams.set('nonce', o.nonce);
  const serialise = o.format === 'xml' ? toXml : toJson;
  const plaintext = serialise(o.event);
  if (o.mode === 'plain') return { url: url.href, body: plaintext, contentType: CONTENT_TYPE[o.format] };

  if (o.encodingAesKey === undefined) throw new PushError('invalidPushOptions', `${o.mode} mode needs an EncodingAESKey`);
  // A mismatch would make the envelope contradict the ciphertext; refuse rather than guess.
  if (typeof o.event['ToUserName'] === 'string' && o.event['ToUserName'] !== o.toUserName) {
    throw new PushError('invalidPushOptions', 'toUserName differs from the event ToUserName');
  }
  const encrypt = encryptMessage(decodeAesKey(o.encodingAesKey), plaintext, o.appid, o.random16);
  url.searchParams.set('encrypt_type', 'aes');
  url.searchParams.set('msg_signature', msgSignature(o.token, o.timestamp, o.nonce, encrypt));
  // §1.3: secure carries ToUserName + Encrypt only; compatible the plaintext fields with Encrypt appended.
  const envelope: WireObject = o.mode === 'secure' ? { ToUserName: o.toUserName, Encrypt: encrypt } : { ...o.event, Encrypt: encrypt };
  return { url: url.href, body: serialise(envelope), contentType: CONTENT_TYPE[o.format] };
}

/** The GET URL of the URL check (§1.2); the receiver must echo `echostr`. Query order as in the spec's example. */
export function buildUrlCheck(o: { url: string; token: string; timestamp: string; nonce: string; echostr: string }): string {
  const url = new URL(o.url);
  url.searchParams.set('signature', signature(o.token, o.timestamp, o.nonce));
  url.searchParams.set('echostr', o.echostr);
  url.searchParams.set('timestamp', o.timestamp);
  url.searchParams.set('nonce', o.nonce);
  return url.href;
}

/**
 * Whether a merchant-event reply ends delivery (§1.5): any 2xx whose body is exactly `success`
 * or empty. Carrier events (§3–§5) need a structured reply instead and are not judged here.
 * No trimming: §1.5 says "an empty (0-byte) string", and WeChat's tolerance of `success\n` or
 * surrounding spaces is undocumented, so the emulator holds receivers to the literal text
 * (a receiver that passes here passes with WeChat). Anything else counts as a failed attempt.
 */
export function isAcceptedReply(statusCode: number, body: string): boolean {
  return statusCode >= 200 && statusCode < 300 && (body === '' || body === 'success');
}
