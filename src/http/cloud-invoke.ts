import { Ajv } from 'ajv';
import { nowSeconds } from '../core/clock.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { operations } from '../core/operations.ts';
import { asWxError, errorBody, type EnvelopeOptions } from './envelope.ts';

/** `apiName`s of the cloud call, as wx-server-sdk sends them (`logistics.getOrder`). */
export const cloudApiNames = operations.filter((op) => op.cloud).map((op) => `logistics.${op.name}`);

/**
 * Runs a cloud call exactly as its HTTPS twin (house rule 13): the same JSON
 * type checks (47001), the same core function, the same error envelope with
 * rid — only the transport differs.
 */
export function cloudInvoker(core: LogisticsCore, envelope: EnvelopeOptions) {
  // Same options as the HTTP routes' validator: no coercion, nothing removed.
  const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false });
  const byName = new Map(
    operations.filter((op) => op.cloud).map((op) => [`logistics.${op.name}`, { op, validate: op.schema ? ajv.compile(op.schema) : undefined }]),
  );
  return async (appid: string, apiName: string, body: Record<string, unknown>): Promise<Record<string, unknown> | Uint8Array> => {
    try {
      const entry = byName.get(apiName);
      if (!entry) throw new WxError('invalidUrl', `${apiName} is not a logistics API`);
      if (entry.validate && !entry.validate(body)) throw new WxError('dataFormatError', ajv.errorsText(entry.validate.errors));
      const args = entry.op.method === 'POST' ? body : {};
      // The same cached bytes the HTTPS route sends, where the core has them (getOrder).
      return entry.op.runJson ? await entry.op.runJson(core, appid, args) : await entry.op.run(core, appid, args);
    } catch (error) {
      const { wx, unexpected } = asWxError(error);
      if (unexpected) throw error;
      return errorBody(wx, nowSeconds(core.clock), envelope);
    }
  };
}
