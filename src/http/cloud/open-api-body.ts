// Rebuilds the HTTPS-form request body from CommApiData pairs (cloud-call.md §3 steps 2–3):
// one pair per top-level key, value = JSON text; a pair with a filename is a media file.
import type { KeyValuePair } from '../../proto/comm-api.ts';
import { parseWellFormedJson, utf8Text } from '../read-body.ts';

/** A media parameter (§3 step 3). The SDK never sends `contenttype`, so it is usually ''. */
export interface CloudMediaValue {
  filename: string;
  contentType: string;
  value: Buffer;
}

export type OpenApiBodyResult = { ok: true; body: Record<string, unknown> } | { ok: false; key: string; message: string };

/** JSON-parses every pair value into one snake_case object; keys are taken verbatim. Values follow the HTTPS body's text rule (well-formed UTF-8, no lone surrogates). */
export function openApiBodyFromPairs(pairs: readonly KeyValuePair[]): OpenApiBodyResult {
  const body: Record<string, unknown> = {};
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    let value: unknown;
    if (pair.filename !== '') {
      value = { filename: pair.filename, contentType: pair.contenttype, value: pair.value } satisfies CloudMediaValue;
    } else {
      value = plainJsonString(pair.value);
      if (value === undefined) {
        try {
          value = parseWellFormedJson(utf8Text(pair.value));
        } catch (err) {
          return { ok: false, key: pair.key, message: err instanceof Error ? err.message : String(err) };
        }
      }
    }
    setOwn(body, pair.key, value);
  }
  return { ok: true, body };
}

/**
 * `target[key] = value` as an own property whatever the key: assigning `__proto__` would set the
 * object's prototype instead. (Object.fromEntries does the same, ~7 times slower on four pairs.)
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Longest value read by `plainJsonString`; longer ones go through JSON.parse, which is faster on them. */
const PLAIN_MAX = 256;

/**
 * A JSON string of printable ASCII without escapes (`"01234567890123456789"`: every argument of a
 * getOrder), read without decoding and parsing the bytes: what JSON.parse makes of it is the
 * text between the quotes, byte for byte. undefined for anything else, which takes the general way.
 */
function plainJsonString(bytes: Buffer): string | undefined {
  const n = bytes.length;
  if (n < 2 || n > PLAIN_MAX || bytes[0] !== 0x22 || bytes[n - 1] !== 0x22) return undefined;
  for (let i = 1; i < n - 1; i++) {
    const b = bytes[i]!;
    // A quote or a backslash inside, a control character, or a byte outside 7-bit ASCII.
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) return undefined;
  }
  return bytes.toString('latin1', 1, n - 1);
}
