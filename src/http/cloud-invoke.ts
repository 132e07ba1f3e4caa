import { nowSeconds } from '../core/clock.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { operations, type Operation } from '../core/operations.ts';
import type { Body } from '../core/validate.ts';
import { faultError } from '../faults/fault-error.ts';
import type { FaultRule } from '../faults/fault-rule.ts';
import type { ApiAnswer, CloudCall } from './cloud/bridge.ts';
import { asWxError, errorBody, type EnvelopeOptions } from './envelope.ts';
import type { FaultResponder } from './fault-responder.ts';
import { sharedValidator, validationText } from './shared-validators.ts';

/** `apiName`s of the cloud call, as wx-server-sdk sends them (`logistics.getOrder`). */
export const cloudApiNames = operations.filter((op) => op.cloud).map((op) => `logistics.${op.name}`);

/**
 * Runs a cloud call exactly as its HTTPS twin (house rule 13): the same JSON
 * type checks (47001), the same core function, the same error envelope with
 * rid — only the transport differs. An answer the core has without waiting (a
 * kept getOrder answer of an order known unchanged) is answered in the same turn,
 * not as a promise, as on the HTTPS getOrder lane.
 */
export function cloudInvoker(core: LogisticsCore, envelope: EnvelopeOptions, faults?: FaultResponder) {
  // The HTTP routes' validators (compiled once per process, ./shared-validators.ts): the same 47001 texts.
  const byName = new Map(operations.filter((op) => op.cloud).map((op) => [`logistics.${op.name}`, op]));
  return (
    appid: string,
    apiName: string,
    body: Record<string, unknown>,
    call: CloudCall = {},
  ): ApiAnswer | undefined | Promise<ApiAnswer | undefined> => {
    try {
      const op = byName.get(apiName);
      if (!op) throw new WxError('invalidUrl', `${apiName} is not a logistics API`);
      const validate = op.schema ? sharedValidator(op.schema) : undefined;
      if (validate && !validate(body)) throw new WxError('dataFormatError', validationText(validate));
      const args = op.method === 'POST' ? body : {};
      const rule =
        faults === undefined || faults.registry.size === 0 ? undefined : faults.registry.match({ api: op.name, appid, body: args });
      if (rule === undefined || faults === undefined) {
        const known = op.knownJson?.(core, appid, args);
        if (known !== undefined) return known;
        return run(op, appid, args).catch(errorAnswer);
      }
      return faulted(faults, rule, op, appid, args, call.connection).catch(errorAnswer);
    } catch (error) {
      return errorAnswer(error);
    }
  };

  // The same cached bytes the HTTPS route sends, where the core has them (getOrder).
  function run(op: Operation, appid: string, args: Body): Promise<ApiAnswer> {
    return op.runJson ? op.runJson(core, appid, args) : op.run(core, appid, args);
  }

  /**
   * A fault on the cloud path: the same rule, the gateway's transport. An errcode becomes the
   * resp_data the SDK throws as `openapi.logistics.<name>:fail <errmsg>`. (Without a connection
   * to take over — a caller outside the bridge — a connection rule leaves the answer as it is.)
   */
  async function faulted(
    faults: FaultResponder,
    rule: FaultRule,
    op: Operation,
    appid: string,
    args: Body,
    connection: CloudCall['connection'],
  ): Promise<ApiAnswer | undefined> {
    if (rule.connection !== undefined && connection) {
      await faults.sleep(rule.delay_ms);
      faults.takeOver(rule, connection.request, connection.reply);
      return undefined;
    }
    if (rule.errcode !== undefined) {
      await faults.sleep(rule.delay_ms);
      throw faultError(rule, op.name);
    }
    return await faults.delayed(() => run(op, appid, args).catch((error: unknown) => errorAnswer(error)), rule.delay_ms);
  }

  /** A WeChat error's answer; anything else is thrown on (the bridge answers it as a system error). */
  function errorAnswer(error: unknown): Record<string, unknown> {
    const { wx, unexpected } = asWxError(error);
    if (unexpected) throw error;
    return errorBody(wx, nowSeconds(core.clock), envelope);
  }
}
