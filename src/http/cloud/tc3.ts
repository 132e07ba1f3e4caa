// TC3-HMAC-SHA256 in the tcb variant, server side (cloud-call.md §4). Differences from plain
// CloudAPI v3: the payload hash covers the *form fields* (SignedParams), the method is lower case,
// and the signed URL keeps `//host[:port]`. Checked against @cloudbase/signature-nodejs 2.2.0.
import crypto, { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Tc3Authorization {
  secretId: string;
  /** YYYY-MM-DD, UTC date of X-Timestamp. */
  date: string;
  service: string;
  signedParams: readonly string[];
  signedHeaders: readonly string[];
  signature: string;
}

export interface Tc3Request {
  /** HTTP method as received; the SDK signs it lower-cased (§4 step 3). */
  method: string;
  /** Raw request target (`/admin?env=…&seqId=…`), not decoded. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Received form fields: text (trimmed before hashing) or binary (raw bytes). */
  params: ReadonlyArray<{ name: string; value: string | Buffer }>;
}

export interface Tc3VerifyOptions {
  /** Max |now − X-Timestamp| in seconds (§4 step 6); 0 or undefined disables the check. */
  freshnessSeconds?: number | undefined;
  /** Current time in ms (defaults to Date.now). */
  now?: () => number;
  /** The request's Authorization header, already parsed by the caller (it is not parsed again). */
  authorization?: Tc3Authorization;
}

export type Tc3Failure =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'wrong-service'
  | 'missing-signed-header'
  | 'duplicate-param'
  | 'unsigned-param'
  | 'bad-timestamp'
  | 'date-mismatch'
  | 'stale'
  | 'bad-signature';

export type Tc3Result = { ok: true; secretId: string } | { ok: false; reason: Tc3Failure; detail?: string };

const AUTH_RE =
  /^TC3-HMAC-SHA256 Credential=([^,]+)\/(\d{4}-\d{2}-\d{2})\/([^/,]+)\/tc3_request,\s*SignedParams=([^,]*),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses the Authorization header (format: §4). SignedParams is required: the SDK always sends it. */
export function parseTc3Authorization(
  header: string | undefined,
): { ok: true; auth: Tc3Authorization } | { ok: false; reason: 'missing-authorization' | 'malformed-authorization' } {
  if (header === undefined || header === '') return { ok: false, reason: 'missing-authorization' };
  const m = AUTH_RE.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed-authorization' };
  const [, secretId = '', date = '', service = '', params = '', headers = '', signature = ''] = m;
  return {
    ok: true,
    auth: {
      secretId,
      date,
      service,
      signedParams: params === '' ? NONE : paramLists.split(params),
      signedHeaders: headerLists.split(headers),
      signature,
    },
  };
}

/**
 * `a;b;c` as a list, the last one remembered: every request of one SDK names the same fields and
 * headers, so the list made for the last request serves the next. Shared, hence frozen.
 */
class ListMemo {
  #text: string | undefined;
  #list: readonly string[] = NONE;
  split(text: string): readonly string[] {
    if (text !== this.#text) {
      this.#list = Object.freeze(text.split(';'));
      this.#text = detached(text);
    }
    return this.#list;
  }
  /** `list.join(';')`, without joining again when it is the list this memo made last. */
  join(list: readonly string[]): string {
    return list === this.#list && this.#text !== undefined ? this.#text : list.join(';');
  }
}
const NONE: readonly string[] = Object.freeze([]);

/**
 * A copy of `text` that holds no other string: a slice V8 makes of a long string (here, of a
 * request's headers or body) keeps the whole of it alive, and what a module keeps between
 * requests must not keep a request. Only for the few strings kept: it costs a copy.
 */
const detached = (text: string): string => JSON.parse(JSON.stringify(text)) as string;
const paramLists = new ListMemo();
const headerLists = new ListMemo();

// One-shot `crypto.hash` where node has it (20.12 and later): no Hash object per call, which cost
// more than hashing these few hundred bytes. Read off the default export, so older 20.x still loads.
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;
const sha256Hex: (data: string | Buffer) => string = oneShotHash
  ? (data) => oneShotHash('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

// kSigning depends on the key, the day and the service only: derived once per day and key
// (three HMACs of the four a verification costs), with its HMAC pads. Bounded: cleared past 1,000.
const signingKeys = new Map<string, SigningKey>();
let lastSigningKey: { secretKey: string; date: string; service: string; found: SigningKey } | undefined;

/** kSigning, and its HMAC pads (RFC 2104: the key XOR 0x36…, XOR 0x5c…, one 64-byte block each). */
interface SigningKey {
  key: Buffer;
  inner: Buffer;
  outer: Buffer;
}

/** §4 step 5: kDate → kService → kSigning (the signature is `signAscii(kSigning, stringToSign)`). */
function signingKey(secretKey: string, date: string, service: string): SigningKey {
  // Calls come in runs of one key on one day: the last one is kept apart, without a key to build.
  const last = lastSigningKey;
  if (last !== undefined && last.secretKey === secretKey && last.date === date && last.service === service) return last.found;
  const cacheKey = `${date}\u0000${service}\u0000${secretKey}`;
  let found = signingKeys.get(cacheKey);
  if (found === undefined) {
    const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
    const inner = Buffer.alloc(64, 0x36);
    const outer = Buffer.alloc(64, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i]! ^= key[i]!;
      outer[i]! ^= key[i]!;
    }
    found = { key, inner, outer };
    if (signingKeys.size >= 1000) signingKeys.clear();
    signingKeys.set(cacheKey, found);
  }
  lastSigningKey = { secretKey, date, service, found };
  return found;
}

/**
 * Memory of its own (not a slice of node's shared pool, which other buffers' `.buffer` would
 * expose) that one verification at a time writes into and hashes, with a view of its first `n`
 * bytes made once per length: a fresh `subarray` for each hash cost ~0.2 µs in a loop, about half
 * of what hashing a hundred bytes costs. Lengths repeat (every request of the SDK signs the same
 * shapes), and views are kept for the first VIEW_LENGTHS_MAX bytes only.
 */
const VIEW_LENGTHS_MAX = 2048;
class Scratch {
  readonly bytes: Buffer;
  readonly #views: (Buffer | undefined)[];
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
    this.#views = new Array<Buffer | undefined>(Math.min(size, VIEW_LENGTHS_MAX) + 1).fill(undefined);
  }
  head(n: number): Buffer {
    if (n > VIEW_LENGTHS_MAX) return this.bytes.subarray(0, n);
    return (this.#views[n] ??= this.bytes.subarray(0, n));
  }
}
/** The pad and the message of the inner hash, then the pad and the inner digest of the outer one. */
const mac = new Scratch(64 + 256);
/** The request's signature as bytes, to compare with the expected one. */
const signatureScratch = Buffer.allocUnsafeSlow(32);

/**
 * HMAC-SHA256 of an ASCII string with kSigning, as its two hashes (RFC 2104) taken one-shot over
 * the cached pads: node's `Hmac` object prepares an OpenSSL MAC context on every call. In a profile
 * of cloud calls under load, `Hmac` and its digest took ~7 % of the server's busy time against ~4 %
 * for the two one-shot hashes beside them; in a loop this change alone took a verification 10.7 → 9.9 µs.
 * A node without `crypto.hash` (before 20.12), or a longer string, takes `createHmac`. The answer
 * is a view of the scratch, valid until the next call.
 */
function signAscii(k: SigningKey, text: string): Buffer {
  const scratch = mac.bytes;
  if (oneShotHash === undefined || text.length > scratch.length - 64) return createHmac('sha256', k.key).update(text).digest();
  k.inner.copy(scratch, 0);
  const n = scratch.write(text, 64, 'latin1');
  // Digests as `binary` (latin1) strings written back into the scratch: a `'buffer'` digest
  // allocates a Buffer each time, which cost ~0.5 µs more per hash than a string in a loop.
  const inner = oneShotHash('sha256', mac.head(64 + n), 'binary');
  k.outer.copy(scratch, 0);
  scratch.write(inner, 64, 'latin1');
  scratch.write(oneShotHash('sha256', mac.head(96), 'binary'), 0, 'latin1');
  return mac.head(32);
}

function headerValue(headers: Tc3Request['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * §4 step 1, as signature-nodejs `formatKeyAndValue` does it: values trimmed and lower-cased,
 * except content-type, which is taken verbatim or reduced to `multipart/form-data`.
 */
function canonicalHeaderValue(name: string, value: string): string {
  if (name === 'content-type') return value.startsWith('multipart/form-data') ? 'multipart/form-data' : value;
  return value.trim().toLowerCase();
}

/** A field name the signer's encoding leaves as it is (every name the SDK sends). */
const PLAIN_NAME = /^[a-z0-9_.~-]*$/;

/** signature-nodejs `camSafeUrlEncode`: encodeURIComponent, and `!'()*` encoded too. */
const camSafeUrlEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// A form field's name as the signature names it: trimmed, lower-cased, percent-encoded. The SDK
// sends the same eight names every time, so they are worked out once (bounded: cleared past 256).
const paramKeys = new Map<string, string>();
function paramKey(name: string): string {
  let key = paramKeys.get(name);
  if (key === undefined) {
    const lower = name.trim().toLowerCase();
    key = PLAIN_NAME.test(lower) ? lower : camSafeUrlEncode(lower);
    if (paramKeys.size >= 256) paramKeys.clear();
    key = detached(key);
    paramKeys.set(detached(name), key);
  }
  return key;
}

/** `YYYY-MM-DD` of a Unix time in seconds, UTC; the last day asked for is remembered. */
let lastDay = { day: NaN, date: '' };
function utcDate(seconds: number): string {
  const day = Math.floor(seconds / 86_400);
  if (day !== lastDay.day) lastDay = { day, date: new Date(day * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.date;
}

/**
 * The bytes the payload hash covers are written here, one request at a time (the hash is taken
 * before anything else runs), then the canonical request's; a larger payload is hashed piece by
 * piece instead.
 */
const payloadBytes = new Scratch(16 * 1024);

/** SHA-256 (hex) of a string's UTF-8, written into the payload scratch when it fits. */
function sha256HexOfText(text: string): string {
  if (oneShotHash === undefined || 3 * text.length > payloadBytes.bytes.length) return sha256Hex(text);
  return oneShotHash('sha256', payloadBytes.head(payloadBytes.bytes.write(text, 0, 'utf8')), 'hex');
}

/**
 * The received fields under their signed names, for one verification at a time: two arrays kept
 * from call to call (emptied after each) instead of a Map per request. The SDK sends eight
 * fields, so a name is looked up by a search from the start; checking many fields for a repeated
 * name, which only a forged request sends, takes a Set.
 */
const fieldKeys: string[] = [];
const fieldValues: (string | Buffer)[] = [];

/** The value of the field named `key` among the first `n`, or undefined. */
function fieldValue(key: string, n: number): string | Buffer | undefined {
  for (let i = 0; i < n; i++) if (fieldKeys[i] === key) return fieldValues[i];
  return undefined;
}

/** The first name of `list` that an earlier one repeats, or undefined. */
function firstRepeat(list: readonly string[]): string | undefined {
  if (list.length > 16) {
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      if (seen.has(list[i]!)) return list[i];
      seen.add(list[i]!);
    }
    return undefined;
  }
  for (let i = 1; i < list.length; i++) for (let j = 0; j < i; j++) if (list[i] === list[j]) return list[i];
  return undefined;
}

/** §4 step 2 on the server: hash the received fields in SignedParams order; reject unsigned ones. */
function hashPayload(
  params: Tc3Request['params'],
  signedParams: readonly string[],
): { ok: true; hash: string } | { ok: false; reason: Tc3Failure; detail: string } {
  const n = params.length;
  try {
    return hashFields(params, signedParams);
  } finally {
    for (let i = 0; i < n; i++) {
      fieldKeys[i] = '';
      fieldValues[i] = '';
    }
  }
}

function hashFields(
  params: Tc3Request['params'],
  signedParams: readonly string[],
): { ok: true; hash: string } | { ok: false; reason: Tc3Failure; detail: string } {
  const n = params.length;
  const seen = n > 32 ? new Set<string>() : undefined;
  for (let i = 0; i < n; i++) {
    const { name, value } = params[i]!;
    const key = paramKey(name);
    if (seen ? seen.has(key) : fieldValue(key, i) !== undefined) return { ok: false, reason: 'duplicate-param', detail: key };
    seen?.add(key);
    fieldKeys[i] = key;
    fieldValues[i] = typeof value === 'string' ? value.trim() : value;
  }
  // The SDK skips empty strings when hashing, so only non-empty fields need a signature. (A list
  // as short as the SDK's is searched as it is; a long one, which only a forged header sends, as a set.)
  const signed = signedParams.length > 16 ? new Set(signedParams) : undefined;
  // A field named twice in SignedParams would be hashed twice. The SDK never names one twice; a
  // forged list naming a large file over and over would have it hashed as many times before the
  // signature is even compared.
  const repeated = firstRepeat(signedParams);
  if (repeated !== undefined) return { ok: false, reason: 'duplicate-param', detail: repeated };
  for (let i = 0; i < n; i++) {
    if (fieldValues[i] === '') continue;
    const key = fieldKeys[i]!;
    if (!(signed ? signed.has(key) : signedParams.includes(key))) return { ok: false, reason: 'unsigned-param', detail: key };
  }
  let most = 0;
  for (let i = 0; i < signedParams.length; i++) {
    const key = signedParams[i]!;
    const value = fieldValue(key, n);
    if (value !== undefined && value !== '') most += 3 * key.length + 4 + (typeof value === 'string' ? 3 * value.length : value.length);
  }
  if (most > payloadBytes.bytes.length || oneShotHash === undefined) {
    // Large (a file, or a forged header naming one field many times): no buffer of its size.
    const hash = createHash('sha256');
    payloadPieces(signedParams, n, (piece) => hash.update(piece));
    return { ok: true, hash: hash.digest('hex') };
  }
  const scratch = payloadBytes.bytes;
  let at = 0;
  payloadPieces(signedParams, n, (piece) => {
    at += typeof piece === 'string' ? scratch.write(piece, at, 'utf8') : piece.copy(scratch, at);
  });
  return { ok: true, hash: oneShotHash('sha256', payloadBytes.head(at), 'hex') };
}

/**
 * The payload the signature covers, `&key=value\r\n` per signed non-empty field (text as UTF-8,
 * files as their bytes), handed on as runs of text and the files between them: the SDK's four
 * signed fields (three text fields, then the requestData file) are three pieces. Reads the first
 * `n` fields of fieldKeys / fieldValues.
 */
function payloadPieces(signedParams: readonly string[], n: number, emit: (piece: string | Buffer) => void): void {
  let text = '';
  for (let i = 0; i < signedParams.length; i++) {
    const key = signedParams[i]!;
    const value = fieldValue(key, n);
    if (value === undefined || value === '') continue;
    if (typeof value === 'string') {
      text += `&${key}=${value}\r\n`;
      continue;
    }
    emit(`${text}&${key}=`);
    emit(value);
    text = '\r\n';
  }
  if (text !== '') emit(text);
}

const ALWAYS_SIGNED = ['host', 'content-type'];

/** Verifies a request against the secretKey of its Credential's secretId (§4 steps 1–6). */
export function verifyTc3(req: Tc3Request, secretKey: string, options: Tc3VerifyOptions = {}): Tc3Result {
  let auth = options.authorization;
  if (auth === undefined) {
    const parsed = parseTc3Authorization(headerValue(req.headers, 'authorization'));
    if (!parsed.ok) return parsed;
    auth = parsed.auth;
  }
  if (auth.service !== 'tcb') return { ok: false, reason: 'wrong-service', detail: auth.service };

  // The SDK always signs host and content-type; without them the request is not bound to us.
  for (let i = 0; i < ALWAYS_SIGNED.length; i++) {
    const required = ALWAYS_SIGNED[i]!;
    if (!auth.signedHeaders.includes(required)) return { ok: false, reason: 'missing-signed-header', detail: required };
  }
  let canonicalHeaders = '';
  for (let i = 0; i < auth.signedHeaders.length; i++) {
    const name = auth.signedHeaders[i]!;
    const value = headerValue(req.headers, name);
    if (value === undefined) return { ok: false, reason: 'missing-signed-header', detail: name };
    canonicalHeaders += `${name}:${canonicalHeaderValue(name, value)}\n`;
  }

  const timestamp = headerValue(req.headers, 'x-timestamp') ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const seconds = Number(timestamp);
  if (utcDate(seconds) !== auth.date) return { ok: false, reason: 'date-mismatch' };
  const window = options.freshnessSeconds ?? 0;
  if (window > 0 && Math.abs((options.now ?? Date.now)() / 1000 - seconds) > window) return { ok: false, reason: 'stale' };

  const payload = hashPayload(req.params, auth.signedParams);
  if (!payload.ok) return payload;

  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query = q === -1 ? '' : req.url.slice(q + 1);
  const canonicalRequest = `${req.method.toLowerCase()}\n//${headerValue(req.headers, 'host') ?? ''}${path}\n${query}\n${canonicalHeaders}\n${headerLists.join(auth.signedHeaders)}\n${payload.hash}`;
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256HexOfText(canonicalRequest)}`;
  // ASCII throughout: the timestamp and the date are digits (checked above), the service is tcb.
  // Compared as the 32 bytes, not their hex: a signature that is not 64 hex digits decodes shorter.
  const expected = signAscii(signingKey(secretKey, auth.date, auth.service), stringToSign);
  const given = signatureScratch;
  if (auth.signature.length !== 64 || given.write(auth.signature, 'hex') !== 32 || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad-signature' };
  }
  return { ok: true, secretId: auth.secretId };
}
