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
  const entries: Array<[string, unknown]> = [];
  for (const pair of pairs) {
    if (pair.filename !== '') {
      entries.push([pair.key, { filename: pair.filename, contentType: pair.contenttype, value: pair.value } satisfies CloudMediaValue]);
      continue;
    }
    try {
      entries.push([pair.key, parseWellFormedJson(utf8Text(pair.value))]);
    } catch (err) {
      return { ok: false, key: pair.key, message: err instanceof Error ? err.message : String(err) };
    }
  }
  // fromEntries defines own properties, so a `__proto__` key cannot change the prototype.
  return { ok: true, body: Object.fromEntries(entries) };
}
