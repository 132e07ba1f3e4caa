import { WxError } from './errors.ts';

/**
 * Value checks of house rule 4, after the JSON-type checks of the request
 * schema (47001) have passed: a missing field is 930561, an over-long one
 * 9300526. Limits are byte lengths of the UTF-8 text (business-api.md §1).
 */
export type Body = Record<string, unknown>;

export const isPresent = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

export function requireFields(body: Body, fields: readonly string[], where = ''): void {
  for (const f of fields) {
    if (!isPresent(body[f])) throw new WxError('argsError', `${where}${f} is required`);
  }
}

export function checkByteLimits(body: Body | undefined, limits: Readonly<Record<string, number>>, where = ''): void {
  if (!body) return;
  for (const [field, max] of Object.entries(limits)) {
    const v = body[field];
    if (typeof v === 'string' && Buffer.byteLength(v) > max) {
      throw new WxError('argSizeExceedLimit', `${where}${field} is longer than ${max} bytes`);
    }
  }
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export const obj = (v: unknown): Body | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined);

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * JSON with object keys sorted at every level: equal bodies compare equal whatever their key order (house rule 6).
 * Loops and one string per level (addOrder runs it on every call); keys sort by UTF-16 code units, as `<` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (canonicalJson(value[i]) ?? ''); // as join() writes undefined
    return out + ']';
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const k of keys) {
    const v = (value as Body)[k];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}
