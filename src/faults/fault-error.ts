/**
 * The WeChat error a fault rule answers: any errcode, its errmsg from the one
 * errcode table unless the rule gives one, and the extra fields WeChat shows
 * beside it. It is a WxError, so every transport serialises it as it does the
 * core's own errors (fresh rid, request log, `--explain`).
 */
import { errorTable, WxError, type ErrorName } from '../core/errors.ts';
import { tableErrmsg, type FaultRule } from './fault-rule.ts';

const nameOf = new Map<number, ErrorName>(Object.entries(errorTable).map(([name, e]) => [e.errcode, name as ErrorName]));

const DELIVERY_LOGIC_FAIL = 9300501;

/** A WxError whose errcode and errmsg come from a fault rule, not only from the table. */
export class InjectedWxError extends WxError {
  override readonly errcode: number;
  override readonly errmsg: string;

  constructor(errcode: number, errmsg: string, detail: string, extra: Record<string, unknown> | undefined) {
    super(nameOf.get(errcode) ?? 'systemError', detail, extra);
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.message = `${errmsg} (${detail})`;
  }
}

/**
 * The error of an errcode rule for a call of `api`. 9300501 always carries the
 * carrier's `delivery_resultcode`/`delivery_resultmsg` (default -1 and "fault
 * injected"), and on addOrder `waybill_data: []`, as WeChat answers it
 * (business-api.md, addOrder); other errcodes carry them only when the rule gives them.
 */
export function faultError(rule: FaultRule, api: string): InjectedWxError {
  const errcode = rule.errcode ?? -1;
  const extra: Record<string, unknown> = {};
  if (errcode === DELIVERY_LOGIC_FAIL) {
    extra.delivery_resultcode = rule.delivery_resultcode ?? -1;
    extra.delivery_resultmsg = rule.delivery_resultmsg ?? 'fault injected';
    if (api === 'addOrder') extra.waybill_data = [];
  } else {
    if (rule.delivery_resultcode !== undefined) extra.delivery_resultcode = rule.delivery_resultcode;
    if (rule.delivery_resultmsg !== undefined) extra.delivery_resultmsg = rule.delivery_resultmsg;
  }
  return new InjectedWxError(
    errcode,
    rule.errmsg ?? tableErrmsg(errcode) ?? 'system error',
    `fault injected by rule ${rule.id}`,
    Object.keys(extra).length > 0 ? extra : undefined,
  );
}
