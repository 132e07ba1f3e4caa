// Parses the multipart/form-data body wx-server-sdk sends for `wx.openApi` (cloud-call.md §2,
// "Form fields"). The body is already fully buffered (bridge.ts), so this is a pure function.
//
// Why not busboy: busboy (and @fastify/busboy, parse-multipart-data, the Remix parser) are made
// for uploads of any size — streaming state machines, or a byte-at-a-time loop. On the SDK's
// 1.1 KB, eight-part body each took 65–140 µs per parse on this project's benchmark machine, the
// largest cost a cloud call had beyond its HTTPS twin. A buffered body needs none of that: the
// body is read once as latin1 text (one character per byte), each delimiter is one string
// `indexOf`, and the parse takes 4–5 µs there (8 µs when each search was a `Buffer.indexOf` and
// each part's header block and value a separate decode). The grammar is RFC 7578
// over RFC 2046 §5.1.1 (CRLF line ends, preamble and epilogue ignored, transport padding after a
// delimiter allowed), and a part is a file exactly when busboy called it one (a filename, or
// application/octet-stream).

/** One form part. Text parts keep their exact bytes too: the signature hashes them (§4 step 2). */
export type FormPart =
  | { name: string; kind: 'text'; value: string }
  /** A part with a filename or `Content-Type: application/octet-stream`; the SDK sends `requestData` so. */
  | { name: string; kind: 'file'; value: Buffer; filename: string | undefined; mimeType: string };

export interface MultipartLimits {
  parts?: number;
  fieldSize?: number;
  fileSize?: number;
}

export class MultipartError extends Error {
  override name = 'MultipartError' as const;
}

/** A part's header block may be this long at most (busboy's limit too). */
const MAX_HEADER_BYTES = 16 * 1024;
const DASH = 0x2d;
const CR = 0x0d;
const LF = 0x0a;
/** A byte outside 7-bit ASCII, in the body's latin1 text: one that UTF-8 decoding may read otherwise. */
const NON_ASCII = /[\x80-\xff]/;

/**
 * Splits a buffered multipart body into its parts, in order. Throws MultipartError on a
 * malformed body or a part over the limits (a truncated part would silently fail the signature).
 * Parts without a `form-data` Content-Disposition are skipped, as busboy skips them.
 *
 * The body is searched as latin1 text, one character per byte: string offsets are byte offsets,
 * and every delimiter search is V8's own `indexOf` rather than a call into `Buffer.indexOf`.
 */
export function parseMultipart(body: Buffer, contentType: string, limits: MultipartLimits = {}): FormPart[] {
  const maxParts = limits.parts ?? 32;
  const maxField = limits.fieldSize ?? 1 << 20;
  const maxFile = limits.fileSize ?? 10 << 20;
  const boundary = multipartBoundary(contentType);
  const text = body.toString('latin1');
  // Every delimiter but a first one at the very start of the body follows a CRLF (RFC 2046).
  const delimiter = `\r\n--${latin1Bytes(boundary)}`;

  let at: number;
  if (text.startsWith(delimiter.slice(2))) {
    at = delimiter.length - 2;
  } else {
    const first = text.indexOf(delimiter);
    if (first === -1) throw new MultipartError('no boundary delimiter in the body');
    at = first + delimiter.length;
  }

  const parts: FormPart[] = [];
  let seen = 0;
  for (;;) {
    // After a delimiter: `--` closes the body; otherwise optional padding, then CRLF.
    if (text.charCodeAt(at) === DASH && text.charCodeAt(at + 1) === DASH) return parts;
    while (text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09) at++;
    if (text.charCodeAt(at) !== CR || text.charCodeAt(at + 1) !== LF) throw new MultipartError('malformed boundary line');
    at += 2;

    const headerEnd = text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? at : text.indexOf('\r\n\r\n', at);
    if (headerEnd === -1 || headerEnd - at > MAX_HEADER_BYTES) throw new MultipartError('unterminated part headers');
    const blockStart = at;
    const contentStart = headerEnd === at ? at + 2 : headerEnd + 4;
    const next = text.indexOf(delimiter, contentStart - 2);
    if (next === -1) throw new MultipartError('unexpected end of form');
    // A part with no body at all: the CRLF before the delimiter is the one its header block ended with.
    const contentEnd = Math.max(contentStart, next);
    at = next + delimiter.length;

    if (++seen > maxParts) throw new MultipartError('too many form parts');
    const quote = sdkNameEnd(text, blockStart, headerEnd);
    if (quote !== -1 && quote + 1 === headerEnd) {
      parts.push(textPart(text.slice(blockStart + SDK_DISPOSITION.length, quote), body, text, contentStart, contentEnd, maxField));
      continue;
    }
    if (quote !== -1 && quote + SDK_OCTET_STREAM.length === headerEnd && text.startsWith(SDK_OCTET_STREAM, quote)) {
      const name = text.slice(blockStart + SDK_DISPOSITION.length, quote);
      parts.push(filePart(name, body, contentStart, contentEnd, maxFile, undefined, 'application/octet-stream'));
      continue;
    }
    const part = formPart(partHeaders(text.slice(blockStart, headerEnd)), body, text, contentStart, contentEnd, maxField, maxFile);
    if (part) parts.push(part);
  }
}

/** The string as the latin1 bytes `Buffer.from(s, 'latin1')` makes of it (each character's low byte). */
function latin1Bytes(s: string): string {
  return /[\u0100-\uffff]/.test(s) ? Buffer.from(s, 'latin1').toString('latin1') : s;
}

/**
 * The Content-Type as form-data (the SDK's form library) writes it: an unquoted boundary (no space,
 * `;`, `"` or backslash) and nothing else, read without the general parameter parser, which reads
 * it the same.
 */
const PLAIN_MULTIPART = /^multipart\/form-data; boundary=([^\s;"\\]{1,70})$/;

/** The boundary parameter of a `multipart/form-data` Content-Type (RFC 2046: 1–70 characters). */
function multipartBoundary(contentType: string): string {
  const plain = PLAIN_MULTIPART.exec(contentType);
  if (plain) return plain[1]!;
  const type = leadingValue(contentType);
  if (type !== 'multipart/form-data') throw new MultipartError(`not multipart/form-data: ${type}`);
  const boundary = headerParams(contentType).get('boundary');
  if (boundary === undefined || boundary === '' || boundary.length > 70) throw new MultipartError('missing or invalid boundary');
  return boundary;
}

/** The two header fields of a part that matter; of a repeated field the first counts. */
interface PartHeaders {
  disposition: string | undefined;
  type: string | undefined;
}

function partHeaders(block: string): PartHeaders {
  const headers: PartHeaders = { disposition: undefined, type: undefined };
  let last: 'disposition' | 'type' | undefined;
  for (let start = 0; start < block.length;) {
    const cr = block.indexOf('\r\n', start);
    const end = cr === -1 ? block.length : cr;
    const first = block.charCodeAt(start);
    if (first === 0x20 || first === 0x09) {
      // An obsolete folded continuation line (RFC 5322 §3.2.2).
      if (last !== undefined) headers[last] = `${headers[last]!} ${block.slice(start, end).trim()}`;
    } else {
      const colon = block.indexOf(':', start);
      if (colon <= start || colon > end) throw new MultipartError('malformed part header');
      const name = block.slice(start, colon).trim().toLowerCase();
      last = name === 'content-disposition' ? 'disposition' : name === 'content-type' ? 'type' : undefined;
      if (last !== undefined && headers[last] === undefined) headers[last] = block.slice(colon + 1, end).trim();
      else last = undefined;
    }
    start = end + 2;
  }
  return headers;
}

/**
 * The header blocks the SDK's form library writes, byte for byte: `Content-Disposition: form-data;
 * name="…"` alone (a text field), or followed by `Content-Type: application/octet-stream` (the
 * requestData file). They are recognised in the body's text where they stand: the block is not
 * cut out and matched by a regular expression, which allocate a string and a match each; any other
 * block takes the ways below, which read these the same.
 */
const SDK_DISPOSITION = 'Content-Disposition: form-data; name="';
const SDK_OCTET_STREAM = '"\r\nContent-Type: application/octet-stream';

/**
 * Where the name's closing quote is when the block at `start` opens with the SDK's Content-Disposition
 * and its name closes before `end`, on the same line and without a backslash (an escape, which the
 * general reader undoes); -1 otherwise.
 */
function sdkNameEnd(text: string, start: number, end: number): number {
  if (!text.startsWith(SDK_DISPOSITION, start)) return -1;
  const from = start + SDK_DISPOSITION.length;
  const quote = text.indexOf('"', from);
  if (quote === -1 || quote >= end) return -1;
  for (let i = from; i < quote; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || c === CR || c === LF) return -1;
  }
  return quote;
}

/** A Content-Disposition that is a plain name and nothing else: read without the general parameter parser. */
const PLAIN_DISPOSITION = /^form-data;[ \t]*name="([^"\\]*)"$/i;

/** The part whose content is `body[start, end)` (`text` is the body as latin1), or undefined for one that is not form-data. */
function formPart(
  headers: PartHeaders,
  body: Buffer,
  text: string,
  start: number,
  end: number,
  maxField: number,
  maxFile: number,
): FormPart | undefined {
  const disposition = headers.disposition;
  if (disposition === undefined) return undefined;
  let name: string | undefined;
  let filename: string | undefined;
  const plain = PLAIN_DISPOSITION.exec(disposition);
  if (plain) {
    name = plain[1]!;
  } else {
    if (leadingValue(disposition) !== 'form-data') return undefined;
    const params = headerParams(disposition);
    name = params.get('name');
    const extended = params.get('filename*');
    const given = params.get('filename');
    filename = extended !== undefined ? extendedValue(extended) : given !== undefined ? baseName(given) : undefined;
  }
  // RFC 7578 §4.2: every part has a name; without one it cannot be any field the SDK sends.
  if (name === undefined) throw new MultipartError('a form part has no name');
  const type = headers.type;
  const mimeType = type === undefined ? 'text/plain' : leadingValue(type);
  if (filename !== undefined || mimeType === 'application/octet-stream')
    return filePart(name, body, start, end, maxFile, filename, mimeType);
  return textPart(name, body, text, start, end, maxField);
}

/** A file whose content is `body[start, end)`. */
function filePart(
  name: string,
  body: Buffer,
  start: number,
  end: number,
  maxFile: number,
  filename: string | undefined,
  mimeType: string,
): FormPart {
  if (end - start > maxFile) throw new MultipartError(`form file ${name} too large`);
  // A copy: the part outlives the request body it was cut from.
  const value = Buffer.allocUnsafe(end - start);
  body.copy(value, 0, start, end);
  return { name, kind: 'file', value, filename, mimeType };
}

/** A text field whose content is `body[start, end)`. */
function textPart(name: string, body: Buffer, text: string, start: number, end: number, maxField: number): FormPart {
  if (end - start > maxField) throw new MultipartError(`form field ${name} too large`);
  // Text fields are UTF-8; bytes that are not stay as U+FFFD here, and the signature (computed over
  // the same decoded text, as the SDK computes it over its strings) then tells a tampered field.
  // ASCII reads the same in latin1 and UTF-8, so the latin1 text serves without decoding again.
  const latin1 = text.slice(start, end);
  return { name, kind: 'text', value: NON_ASCII.test(latin1) ? body.toString('utf8', start, end) : latin1 };
}

/** A header's value before its parameters, lower-cased (`form-data`, `multipart/form-data`). */
function leadingValue(header: string): string {
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/**
 * `key=value` parameters after a header's first `;` (RFC 7231 §3.1.1.1): keys lower-cased,
 * values a token or a quoted string (backslash escapes undone). The first of a repeated key wins.
 */
function headerParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const from = header.indexOf(';');
  if (from === -1) return params;
  let i = from;
  const n = header.length;
  while (i < n) {
    while (i < n && (header[i] === ';' || header[i] === ' ' || header[i] === '\t')) i++;
    if (i >= n) break;
    const eq = header.indexOf('=', i);
    if (eq === -1) throw new MultipartError(`malformed header parameter: ${header.slice(i)}`);
    const key = header.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    let value = '';
    if (header[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = header[i]!;
        if (c === '\\' && i + 1 < n) {
          value += header[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw new MultipartError('unterminated quoted header parameter');
    } else {
      const end = header.indexOf(';', i);
      value = header.slice(i, end === -1 ? n : end).trim();
      i = end === -1 ? n : end;
    }
    if (key !== '' && !params.has(key)) params.set(key, value);
  }
  return params;
}

/** An RFC 8187 `charset'language'percent-encoded` value (UTF-8 or ISO-8859-1), as a file's base name. */
function extendedValue(v: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (!m) return baseName(v);
  const charset = m[1]!.toLowerCase();
  try {
    if (charset === 'utf-8') return baseName(decodeURIComponent(m[2]!));
    if (charset === 'iso-8859-1') return baseName(unescape(m[2]!));
  } catch {
    // A malformed escape: the value as sent.
  }
  return baseName(m[2]!);
}

/** A filename without the directories a browser may send along (busboy's default, `preservePath: false`). */
function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut === -1 ? path : path.slice(cut + 1);
}
