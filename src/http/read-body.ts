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
      const text = (req.wxlRawBody = Buffer.concat(chunks, size).toString('utf8'));
      finish(null, parseJsonObject(text));
    } catch (err) {
      finish(err as Error);
    }
  });
}

export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') throw new WxError('emptyPostData');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WxError('dataFormatError', 'body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WxError('dataFormatError', 'body is not a JSON object');
  }
  return value as Record<string, unknown>;
}
