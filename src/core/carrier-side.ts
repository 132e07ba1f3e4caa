import { BIND_IN_REVIEW, BIND_OK } from './account-service.ts';
import { findCarrier, type Carrier } from './carriers.ts';
import { nowSeconds, type Clock } from './clock.ts';
import {
  accountEvent,
  addWaybillEvent,
  cancelWaybillEvent,
  parseWaybillData,
  replyNumber,
  replyProblem,
  replyString,
  WECHAT_TEAM_OPENID,
  type CarrierReply,
} from './carrier-events.ts';
import { noCarrierLink, type CarrierExchange, type CarrierLink } from './carrier-link.ts';
import { issueOrderToken } from './carrier-token.ts';
import { WxError } from './errors.ts';
import type { WireObject } from './push-events.ts';
import { originalId } from './tracking-service.ts';
import { canonicalJson, str, type Body } from './validate.ts';
import { waybillNumber } from './waybill.ts';
import type { CarrierEventOutcome, CarrierRecord } from '../storage/carrier-store.ts';
import type { AccountRecord, OrderRecord, Store } from '../storage/types.ts';

/** Settings key of the HMAC key of order tokens (./carrier-token.ts): made once per store, shared by every instance. */
const TOKEN_KEY_SETTING = 'carrier_token_key';

/** ResultCodes of check_biz / get_quota that mean the account or its password is wrong (events.md §3.3). */
const ACCOUNT_REJECTED = new Set([10001, 10002]);

interface Answered {
  reply: CarrierReply;
  resultCode: number;
  resultMsg: string;
}

/**
 * The merchant operations whose answer a registered carrier decides (events.md §3):
 * addOrder → add_waybill, cancelOrder → cancel_waybill, bindAccount → check_biz,
 * getQuota → get_quota. The carrier is called outside any transaction; what its
 * reply decides is then written in one transaction, so a crash in between leaves
 * nothing behind and the merchant's retry asks the carrier again (the carrier must
 * answer the same waybill for the same BizID + OrderID, events.md §3.1).
 *
 * The carrier sees the same add_waybill more than once when: the merchant retries an
 * addOrder that failed (9300501, 9300502, or a server crash before our commit); two
 * identical addOrder calls race (both ask, the first commit wins, the second answers
 * the same order); an attempt timed out or failed at the transport and the link tried
 * again (./carrier-link.ts, up to `attempts`). An addOrder that was committed is answered
 * from the store and never sent again.
 */
export class CarrierSide {
  link: CarrierLink = noCarrierLink;
  /** Runs after the carrier's reply, before the transaction that records it (test hook: a crash here). */
  beforeCommit: () => void = () => undefined;
  #tokenKey: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  tokenKey(): Promise<string> {
    this.#tokenKey ??= this.store.settings.putIfAbsent(TOKEN_KEY_SETTING, randomKey());
    return this.#tokenKey;
  }

  async orderToken(order: Pick<OrderRecord, 'appid' | 'order_id' | 'delivery_id'>): Promise<string> {
    return issueOrderToken(await this.tokenKey(), { appid: order.appid, orderId: order.order_id, deliveryId: order.delivery_id });
  }

  /** addOrder through a registered carrier (the pure body checks and the replay check have passed). */
  async addOrder(appid: string, body: Body, entry: Carrier, carrier: CarrierRecord, account: AccountRecord | undefined) {
    const orderId = str(body.order_id);
    const canonical = canonicalJson(body);
    const pushedWaybill =
      carrier.waybill_source === 'segment' ? waybillNumber(entry, await this.store.sequences.next(waybillSequence(entry))) : '0';
    const token = await this.orderToken({ appid, order_id: orderId, delivery_id: carrier.delivery_id });
    const event = addWaybillEvent({
      toUserName: originalId(carrier.appid),
      fromUserName: WECHAT_TEAM_OPENID,
      createTime: nowSeconds(this.clock),
      token,
      body,
      bizPwd: account?.password ?? '',
      shopAppid: appid,
      waybillId: pushedWaybill,
    });
    let waybillId = '';
    let waybillData: ReturnType<typeof parseWaybillData> = [];
    const answered = await this.#exchange(
      carrier,
      appid,
      orderId,
      event,
      { Token: token, OrderID: orderId, BizID: str(body.biz_id) },
      (reply, code) => {
        if (code !== 0) return undefined;
        waybillId = replyString(reply, 'WayBillID') ?? '';
        if (waybillId === '' || waybillId === '0') return 'ResultCode 0 without a WayBillID';
        try {
          waybillData = parseWaybillData(replyString(reply, 'WaybillData') ?? '');
        } catch (e) {
          return e instanceof WxError ? (e.detail ?? e.message) : String(e);
        }
        return undefined;
      },
    );
    if (answered.resultCode !== 0) {
      throw new WxError('deliveryLogicFail', `${carrier.delivery_id} answered add_waybill with ResultCode ${answered.resultCode}`, {
        delivery_resultcode: answered.resultCode,
        delivery_resultmsg: answered.resultMsg,
        waybill_data: [],
      });
    }
    this.beforeCommit();
    const order = await this.store.transaction(async (tx) => {
      const now = nowSeconds(this.clock);
      const record: OrderRecord = {
        appid,
        order_id: orderId,
        delivery_id: carrier.delivery_id,
        waybill_id: waybillId,
        biz_id: str(body.biz_id),
        openid: str(body.openid),
        body: canonical,
        order_status: 0,
        version: 1,
        waybill_data: waybillData,
        last_action_type: 0,
        created_at: now,
        updated_at: now,
      };
      const holder = await tx.orders.getByWaybill(waybillId);
      if (holder && (holder.appid !== appid || holder.order_id !== orderId)) {
        throw new WxError('deliverySysError', `${carrier.delivery_id} answered waybill ${waybillId}, which another order holds`);
      }
      const res = await tx.orders.insertIfAbsent(record);
      if (res.inserted) return record;
      // A racing identical addOrder committed first: answer its order (house rule 6).
      if (res.existing.body !== canonical)
        throw new WxError('orderIdRepeated', `order_id ${orderId} was already used with a different body`);
      return res.existing;
    });
    return { errcode: 0, errmsg: 'ok', order_id: order.order_id, waybill_id: order.waybill_id, waybill_data: order.waybill_data };
  }

  /** cancel_waybill; the order is cancelled only when the carrier agrees (ResultCode 0). */
  async cancelOrder(order: OrderRecord, carrier: CarrierRecord) {
    const account = await this.store.accounts.get(order.appid, order.delivery_id, order.biz_id);
    const event = cancelWaybillEvent({
      toUserName: originalId(carrier.appid),
      fromUserName: order.openid,
      createTime: nowSeconds(this.clock),
      bizId: order.biz_id,
      bizPwd: account?.password ?? '',
      shopAppid: order.appid,
      orderId: order.order_id,
      waybillId: order.waybill_id,
    });
    const answered = await this.#exchange(carrier, order.appid, order.order_id, event, {
      OrderID: order.order_id,
      BizID: order.biz_id,
      WayBillID: order.waybill_id,
    });
    if (answered.resultCode !== 0) {
      throw new WxError('deliveryLogicFail', `${carrier.delivery_id} answered cancel_waybill with ResultCode ${answered.resultCode}`, {
        delivery_resultcode: answered.resultCode,
        delivery_resultmsg: answered.resultMsg,
      });
    }
    this.beforeCommit();
    await this.store.transaction(async (tx) => {
      await tx.orders.lock(order.appid, order.order_id);
      const now = nowSeconds(this.clock);
      await tx.orders.setStatus(order.appid, order.order_id, 1, now);
      await tx.schedule.clear(order.appid, order.order_id);
    });
    return { errcode: 0, errmsg: 'ok', delivery_resultcode: 0, delivery_resultmsg: answered.resultMsg };
  }

  /**
   * check_biz: ResultCode 0 binds the account (or, for a carrier registered with review,
   * leaves it in review until the carrier calls updateBusiness); 10001/10002 fail the bind
   * with 9300531 and nothing is written; other codes 9300501.
   */
  async bindAccount(appid: string, carrier: CarrierRecord, body: Body, prior: AccountRecord | undefined): Promise<AccountRecord> {
    const bizId = str(body.biz_id);
    const password = str(body.password);
    const event = accountEvent('check_biz', {
      toUserName: originalId(carrier.appid),
      fromUserName: WECHAT_TEAM_OPENID,
      createTime: nowSeconds(this.clock),
      bizId,
      bizPwd: password,
      shopAppid: appid,
    });
    const answered = await this.#exchange(carrier, appid, '', event, { BizID: bizId });
    this.#accountVerdict(carrier, 'check_biz', answered);
    const now = nowSeconds(this.clock);
    return {
      appid,
      delivery_id: carrier.delivery_id,
      biz_id: bizId,
      password,
      alias: prior?.alias ?? '',
      remark_content: str(body.remark_content),
      remark_wrong_msg: '',
      status_code: carrier.review ? BIND_IN_REVIEW : BIND_OK,
      quota_num: replyNumber(answered.reply, 'Quota') ?? 0,
      create_time: prior?.create_time ?? now,
      update_time: now,
      quota_update_time: now,
    };
  }

  /** get_quota: Quota becomes quota_num (and the account's balance, as getAllAccount shows it). */
  async getQuota(account: AccountRecord, carrier: CarrierRecord): Promise<number> {
    const event = accountEvent('get_quota', {
      toUserName: originalId(carrier.appid),
      fromUserName: WECHAT_TEAM_OPENID,
      createTime: nowSeconds(this.clock),
      bizId: account.biz_id,
      bizPwd: account.password,
      shopAppid: account.appid,
    });
    const answered = await this.#exchange(carrier, account.appid, '', event, { BizID: account.biz_id }, (reply, code) =>
      code === 0 && replyNumber(reply, 'Quota') === undefined ? 'ResultCode 0 without a numeric Quota' : undefined,
    );
    this.#accountVerdict(carrier, 'get_quota', answered);
    const quota = replyNumber(answered.reply, 'Quota') ?? 0;
    await this.store.transaction(async (tx) => {
      const a = await tx.accounts.get(account.appid, account.delivery_id, account.biz_id);
      if (a) await tx.accounts.upsert({ ...a, quota_num: quota, quota_update_time: nowSeconds(this.clock) });
    });
    return quota;
  }

  #accountVerdict(carrier: CarrierRecord, event: string, answered: Answered): void {
    if (answered.resultCode === 0) return;
    const detail = `${carrier.delivery_id} answered ${event} with ResultCode ${answered.resultCode}: ${answered.resultMsg}`;
    if (ACCOUNT_REJECTED.has(answered.resultCode)) throw new WxError('invalidBizIdOrPassword', detail);
    throw new WxError('deliveryLogicFail', detail, { delivery_resultcode: answered.resultCode, delivery_resultmsg: answered.resultMsg });
  }

  /**
   * Sends one event and records it with its reply. No usable reply — timeout, refused
   * connection, HTTP error, garbage, a failed msg_signature, a missing ResultCode, a wrong
   * echo, or what `check` finds — is 9300502 (events.md §3.1 "Mapping": the documented
   * code that fits).
   */
  async #exchange(
    carrier: CarrierRecord,
    appid: string,
    orderId: string,
    event: WireObject,
    echoes: Record<string, string>,
    check: (reply: CarrierReply, resultCode: number) => string | undefined = () => undefined,
  ): Promise<Answered> {
    const name = String(event.Event);
    let ex: CarrierExchange;
    try {
      ex = await this.link.send(carrier, event);
    } catch (e) {
      // The event could not even be built or sent (a settings problem): recorded like any failure.
      const now = Date.now();
      ex = {
        url: carrier.url,
        requestBody: '',
        statusCode: null,
        replyBody: '',
        startedAt: now,
        durationMs: 0,
        attempts: 0,
        error: e instanceof Error ? e.message : String(e),
      };
    }
    let problem = ex.error;
    let resultCode: number | null = null;
    if (!problem && ex.reply) {
      problem = replyProblem(ex.reply, name, echoes);
      if (!problem) {
        resultCode = replyNumber(ex.reply, 'ResultCode') ?? null;
        problem = check(ex.reply, resultCode ?? -1);
      }
    }
    if (!problem && !ex.reply) problem = 'no reply';
    const outcome: CarrierEventOutcome = problem ? 'failed' : resultCode === 0 ? 'ok' : 'rejected';
    await this.store.carrierEvents.insert({
      delivery_id: carrier.delivery_id,
      appid,
      order_id: orderId,
      event: name,
      started_at: ex.startedAt,
      duration_ms: ex.durationMs,
      attempts: ex.attempts,
      url: ex.url,
      request_body: ex.requestBody,
      status_code: ex.statusCode,
      reply_body: ex.replyBody,
      outcome,
      result_code: problem ? null : resultCode,
      error: problem ?? null,
    });
    if (problem || !ex.reply || resultCode === null) throw new WxError('deliverySysError', `${carrier.delivery_id} ${name}: ${problem}`);
    return { reply: ex.reply, resultCode, resultMsg: replyString(ex.reply, 'ResultMsg') ?? '' };
  }
}

/**
 * The counter behind a registered carrier's segment numbers: a built-in delivery_id keeps
 * its simulation's counter (numbers never repeat across the switch); new delivery_ids share
 * one counter, as they share the `WXL` prefix.
 */
const waybillSequence = (entry: Carrier): string =>
  findCarrier(entry.delivery_id) ? `waybill:${entry.delivery_id}` : `waybill:${entry.waybill.prefix}`;

function randomKey(): string {
  return globalThis.crypto.getRandomValues(new Uint8Array(32)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
}
