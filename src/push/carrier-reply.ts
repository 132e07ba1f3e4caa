// Reading a carrier's structured reply (events.md §3.0): XML with any root element or a JSON
// object, keys read case-insensitively, and in compatible/secure mode possibly the §1.4
// encrypted envelope (Encrypt, MsgSignature, TimeStamp, Nonce), verified and decrypted.
import { decodeAesKey, decryptMessage } from './aes-envelope.ts';
import { msgSignature } from './signature.ts';

export type ReplyFields = Record<string, unknown>;

/** Thrown when a reply cannot be read: the core counts it as garbage (9300502). */
export class CarrierReplyError extends Error {
  override name = 'CarrierReplyError' as const;
}

const lowerKeys = (o: Record<string, unknown>): ReplyFields => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));

/** An XML or JSON reply body as its top-level fields, keys lower-cased. */
export function parseReplyBody(body: string): ReplyFields {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') throw new CarrierReplyError('empty reply');
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CarrierReplyError('reply is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CarrierReplyError('JSON reply is not an object');
    return lowerKeys(parsed as Record<string, unknown>);
  }
  if (text.startsWith('<')) return parseXmlDocument(text);
  throw new CarrierReplyError(`reply is neither XML nor JSON: ${JSON.stringify(text.slice(0, 40))}`);
}

export interface ReplyKeys {
  token: string;
  /** '' in plain mode. */
  encodingAesKey: string;
  /** The carrier's appid: the trailer of its encrypted plaintext (§1.4). */
  appid: string;
}

/**
 * The reply's fields, decrypted when it is the encrypted envelope: its MsgSignature must
 * verify over (Token, TimeStamp, Nonce, Encrypt) and the plaintext must end with the
 * carrier's appid; otherwise it is garbage. A plain reply is accepted in every mode.
 */
export function readCarrierReply(body: string, keys: ReplyKeys): ReplyFields {
  const fields = parseReplyBody(body);
  const encrypt = fields.encrypt;
  if (typeof encrypt !== 'string') return fields;
  if (keys.encodingAesKey === '') throw new CarrierReplyError('encrypted reply, but the carrier has no EncodingAESKey (plain mode)');
  const sig = String(fields.msgsignature ?? '');
  const expected = msgSignature(keys.token, String(fields.timestamp ?? ''), String(fields.nonce ?? ''), encrypt);
  if (sig !== expected) throw new CarrierReplyError('encrypted reply: MsgSignature does not verify');
  let plain: string;
  try {
    plain = decryptMessage(decodeAesKey(keys.encodingAesKey), encrypt, keys.appid);
  } catch (e) {
    throw new CarrierReplyError(`encrypted reply does not decrypt: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseReplyBody(plain);
}

// --- a small XML reader: elements, CDATA, the five entities; enough for flat event replies ---

const NAME = /^<([A-Za-z_][\w.:-]*)(?:\s[^>]*?)?(\/?)>/;

function parseXmlDocument(xml: string): ReplyFields {
  let s = xml
    .replace(/^<\?xml[\s\S]*?\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
  const open = NAME.exec(s);
  if (!open) throw new CarrierReplyError('XML reply has no root element');
  const [, root, selfClosing] = open;
  if (selfClosing === '/') return {};
  const close = `</${root}>`;
  if (!s.endsWith(close)) throw new CarrierReplyError(`XML reply: root <${root}> is not closed at the end`);
  s = s.slice(open[0].length, s.length - close.length);
  const fields = children(s);
  if (typeof fields === 'string') throw new CarrierReplyError('XML reply root holds text, not fields');
  return fields;
}

/** The elements of `inner` as fields (keys lower-cased, repeated names become arrays), or its text when it has none. */
function children(inner: string): ReplyFields | string {
  const trimmed = inner.trim();
  if (!trimmed.startsWith('<') || trimmed.startsWith('<![CDATA[')) return text(inner);
  const out: ReplyFields = {};
  let i = 0;
  while (i < inner.length) {
    while (i < inner.length && /\s/.test(inner[i]!)) i++;
    if (i >= inner.length) break;
    const m = NAME.exec(inner.slice(i));
    if (!m) throw new CarrierReplyError(`XML reply: unexpected text near ${JSON.stringify(inner.slice(i, i + 30))}`);
    const name = m[1]!;
    i += m[0].length;
    let value: unknown = '';
    if (m[2] !== '/') {
      const end = closingTag(inner, i, name);
      value = children(inner.slice(i, end));
      i = end + name.length + 3;
    }
    const key = name.toLowerCase();
    const prior = out[key];
    out[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/** Index of the `</name>` that closes an element opened before `from` (nested same-name elements and CDATA skipped). */
function closingTag(s: string, from: number, name: string): number {
  let depth = 1;
  let i = from;
  while (i < s.length) {
    if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i);
      if (end < 0) break;
      i = end + 3;
    } else if (s.startsWith(`</${name}>`, i)) {
      if (--depth === 0) return i;
      i += name.length + 3;
    } else if (s.startsWith(`<${name}`, i) && /[\s>/]/.test(s[i + name.length + 1] ?? '')) {
      const tagEnd = s.indexOf('>', i);
      if (tagEnd < 0) break;
      if (s[tagEnd - 1] !== '/') depth++;
      i = tagEnd + 1;
    } else i++;
  }
  throw new CarrierReplyError(`XML reply: <${name}> is not closed`);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function text(inner: string): string {
  if (!inner.includes('<![CDATA[')) return decodeEntities(inner).trim(); // a bare number or text: whitespace is layout
  let out = '';
  let i = 0;
  while (i < inner.length) {
    const cdata = inner.indexOf('<![CDATA[', i);
    const plainEnd = cdata < 0 ? inner.length : cdata;
    const plain = inner.slice(i, plainEnd);
    if (!/^\s*$/.test(plain)) out += decodeEntities(plain); // whitespace around CDATA sections is layout
    if (cdata < 0) break;
    const end = inner.indexOf(']]>', cdata);
    if (end < 0) throw new CarrierReplyError('XML reply: CDATA is not closed');
    out += inner.slice(cdata + 9, end);
    i = end + 3;
  }
  return out;
}

const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e] ?? all),
  );
