import { nowSeconds } from '../core/clock.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { operations } from '../core/operations.ts';
import { asWxError, errorBody, type EnvelopeOptions } from './envelope.ts';
import { sharedValidator, validationText } from './shared-validators.ts';

/** `apiName`s of the cloud call, as wx-server-sdk sends them (`logistics.getOrder`). */
export const cloudApiNames = operations.filter((op) => op.cloud).map((op) => `logistics.${op.name}`);

/**
 * Runs a cloud call exactly as its HTTPS twin (house rule 13): the same JSON
 * type checks (47001), the same core function, the same error envelope with
 * rid — only the transport differs.
 */
export function cloudInvoker(core: LogisticsCore, envelope: EnvelopeOptions) {
  // The HTTP routes' validators (compiled once per process, on first use): the same 47001 texts.
  const byName = new Map(operations.filter((op) => op.cloud).map((op) => [`logistics.${op.name}`, op]));
  return async (appid: string, apiName: string, body: Record<string, unknown>): Promise<Record<string, unknown> | Uint8Array> => {
    try {
      const op = byName.get(apiName);
      if (!op) throw new WxError('invalidUrl', `${apiName} is not a logistics API`);
      const validate = op.schema ? sharedValidator(op.schema) : undefined;
      if (validate && !validate(body)) throw new WxError('dataFormatError', validationText(validate));
      const args = op.method === 'POST' ? body : {};
      // The same cached bytes the HTTPS route sends, where the core has them (getOrder).
      return op.runJson ? await op.runJson(core, appid, args) : await op.run(core, appid, args);
    } catch (error) {
      const { wx, unexpected } = asWxError(error);
      if (unexpected) throw error;
      return errorBody(wx, nowSeconds(core.clock), envelope);
    }
  };
}
