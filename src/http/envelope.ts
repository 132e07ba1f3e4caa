import { WxError } from '../core/errors.ts';
import { newRid } from './rid.ts';

/** WeChat sends this exact header on its JSON answers (auth-and-errors.md §4). */
export const JSON_CONTENT_TYPE = 'application/json; encoding=utf-8';

export interface EnvelopeOptions {
  /** Append the plain-language reason to errmsg before the rid (`--explain`). */
  explain: boolean;
}

/** House rule 2: `{errcode, errmsg: "<text> rid: …"}` plus the extra fields the spec shows. */
export function errorBody(error: WxError, unixSeconds: number, options: EnvelopeOptions): Record<string, unknown> {
  const text = options.explain && error.detail ? `${error.errmsg} (${error.detail})` : error.errmsg;
  return { errcode: error.errcode, errmsg: `${text} rid: ${newRid(unixSeconds)}`, ...error.extra };
}

interface FastifyLikeError {
  validation?: unknown;
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Any failure → the WxError it answers as; unknown failures become -1 system error. */
export function asWxError(error: unknown): { wx: WxError; unexpected: boolean } {
  if (error instanceof WxError) return { wx: error, unexpected: false };
  const e = (error ?? {}) as FastifyLikeError;
  if (e.validation) return { wx: new WxError('dataFormatError', e.message), unexpected: false };
  if (typeof e.code === 'string' && e.code.startsWith('FST_ERR_CTP_')) {
    return { wx: new WxError('dataFormatError', e.message), unexpected: false };
  }
  return { wx: new WxError('systemError', e.message), unexpected: true };
}
