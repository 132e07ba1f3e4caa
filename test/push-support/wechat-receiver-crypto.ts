// A merchant-side receiver's checks, written straight on node:crypto and deliberately NOT
// importing src/push, so tests of the sender are checked against an independent reading of
// events.md §1.2–§1.4. Reused by the HTTP integration tests (a real receiver).
import { createDecipheriv, createHash } from 'node:crypto';

export type Query = URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

function param(query: Query, name: string): string {
  const raw = query instanceof URLSearchParams ? query.get(name) : query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') throw new Error(`query parameter ${name} missing`);
  return value;
}

function sha1Sorted(parts: string[]): string {
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

/** §1.2: `signature` = sha1(sorted Token, timestamp, nonce). */
export function verifyPlain(query: Query, token: string): boolean {
  return param(query, 'signature') === sha1Sorted([token, param(query, 'timestamp'), param(query, 'nonce')]);
}

/** Text of the first `<name>` element: CDATA sections concatenated, or the bare text. */
export function xmlField(xml: string, name: string): string | undefined {
  return xmlElements(xml, name)[0];
}

/** Inner text of every `<name>` element (repeated elements such as `<Actions>`), CDATA unwrapped. */
export function xmlElements(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => unwrapCdata(m[1] ?? ''));
}

function unwrapCdata(inner: string): string {
  return /^\s*<!\[CDATA\[/.test(inner) ? [...inner.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]).join('') : inner;
}

/** Top-level element names of an `<xml>` body, in document order (no nesting support needed). */
export function xmlTopLevelNames(xml: string): string[] {
  const names: string[] = [];
  const body = xml.replace(/^\s*<xml>|<\/xml>\s*$/g, '');
  const re = /<([A-Za-z_][\w]*)>[\s\S]*?<\/\1>/g;
  for (const m of body.matchAll(re)) if (m[1] !== undefined) names.push(m[1]);
  return names;
}

/** Read `Encrypt` from an XML or JSON body (§1.3 secure / compatible). */
export function extractEncrypt(body: string): string {
  const encrypt = body.trimStart().startsWith('<') ? xmlField(body, 'Encrypt') : (JSON.parse(body) as { Encrypt?: unknown }).Encrypt;
  if (typeof encrypt !== 'string') throw new Error('no Encrypt in body');
  return encrypt;
}

/** §1.4 decrypt: AES-256-CBC, IV = key[0..16), PKCS#7/32, random16 ‖ len ‖ msg ‖ appid. */
export function decryptEncrypt(encrypt: string, encodingAesKey: string, appid: string): string {
  if (!/^[a-zA-Z0-9]{43}$/.test(encodingAesKey)) throw new Error('bad EncodingAESKey');
  const key = Buffer.from(encodingAesKey + '=', 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32) throw new Error(`bad pad ${pad}`);
  const content = plain.subarray(16, plain.length - pad);
  const len = content.readUInt32BE(0);
  const receivedAppid = content.subarray(4 + len).toString();
  if (receivedAppid !== appid) throw new Error(`appid ${receivedAppid} != ${appid}`);
  return content.subarray(4, 4 + len).toString();
}

/**
 * A receiver's full secure/compatible check: `signature`, `encrypt_type=aes`, `msg_signature`
 * over the body's `Encrypt`, then decrypt. Returns the decrypted plaintext (XML or JSON text).
 */
export function verifySecure(query: Query, body: string, token: string, encodingAesKey: string, appid: string): string {
  if (!verifyPlain(query, token)) throw new Error('signature mismatch');
  if (param(query, 'encrypt_type') !== 'aes') throw new Error('encrypt_type is not aes');
  const encrypt = extractEncrypt(body);
  const expected = sha1Sorted([token, param(query, 'timestamp'), param(query, 'nonce'), encrypt]);
  if (param(query, 'msg_signature') !== expected) throw new Error('msg_signature mismatch');
  return decryptEncrypt(encrypt, encodingAesKey, appid);
}
