import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { WxError } from '../core/errors.ts';

/** House rule 3: a body of exactly 1 MiB is accepted, one byte more is 47001. */
export const MAX_BODY_BYTES = 1_048_576;

/**
 * The one content parser of the WeChat routes, for every content type (WeChat
 * ignores Content-Type). Empty → 44002; over 1 MiB → 47001 at once, while the
 * rest is drained and discarded so the client can still read the answer on its
 * connection; not a JSON object → 47001.
 */
export function parseWeChatBody(
  req: { headers: IncomingHttpHeaders; wxlRawBody?: string },
  payload: IncomingMessage,
  done: (err: Error | null, body?: unknown) => void,
): void {
  let finished = false;
  const finish = (err: Error | null, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {
    payload.resume();
    finish(new WxError('dataFormatError', `body of ${declared} bytes is over the 1 MiB limit`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      chunks.length = 0;
      finish(new WxError('dataFormatError', 'body is over the 1 MiB limit'));
      return;
    }
    chunks.push(chunk);
  });
  payload.on('error', (err) => finish(err));
  payload.on('end', () => {
    if (finished) return;
    if (size === 0) return finish(new WxError('emptyPostData'));
    try {
      // Kept as sent for the rid log (getRidInfo's request_body).
      const text = (req.wxlRawBody = utf8Text(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
      finish(null, parseJsonObject(text));
    } catch (err) {
      finish(err as Error);
    }
  });
}

/**
 * One rule for every string of every API: text must be well-formed Unicode, else
 * 47001. Bytes that are not UTF-8 would be stored as U+FFFD and a JSON escape of a
 * lone surrogate (`"x\ud800"`) cannot be stored in UTF-8 at all; either way the
 * order would be kept under a key other than the one the client sends again.
 * (WeChat's own answer to such input is unknown: docs/deviations.md.)
 */
export function utf8Text(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new WxError('dataFormatError', 'body is not valid UTF-8');
  return bytes.toString('utf8');
}

/** A `\uD800`–`\uDFFF` escape: the only way JSON text can carry a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** With the `u` flag a surrogate class matches only a surrogate that is not half of a pair. */
const LONE_SURROGATE = /\p{Cs}/u;

function assertWellFormed(value: unknown): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new WxError('dataFormatError', 'a string holds a lone UTF-16 surrogate');
  } else if (Array.isArray(value)) {
    for (const item of value) assertWellFormed(item);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      assertWellFormed(key);
      assertWellFormed(item);
    }
  }
}

/** JSON.parse plus the well-formed-Unicode rule, walking the value only when the text has a surrogate escape. */
export function parseWellFormedJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (SURROGATE_ESCAPE.test(text)) assertWellFormed(value);
  return value;
}

export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') throw new WxError('emptyPostData');
  let value: unknown;
  try {
    value = parseWellFormedJson(text);
  } catch (err) {
    if (err instanceof WxError) throw err;
    throw new WxError('dataFormatError', 'body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WxError('dataFormatError', 'body is not a JSON object');
  }
  return value as Record<string, unknown>;
}
