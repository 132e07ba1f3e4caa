import { TEST_BIZ_ID, TEST_DELIVERY_ID, type Carrier } from './carriers.ts';
import { CarrierDirectory } from './carrier-directory.ts';
import { CarrierSide } from './carrier-side.ts';
import type { CarrierTemplateCustom } from './label/carrier-template.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import { checkAddOrderBody } from './add-order-checks.ts';
import { getOrderAnswer } from './get-order-answer.ts';
import { LabelCache } from './label-cache.ts';
import { carrierAcceptsPassword, EMPTY_DETAIL_LIST } from './simulated-carrier.ts';
import { arr, canonicalJson, isPresent, obj, requireFields, str, type Body } from './validate.ts';
import { waybillCounterName, waybillData, waybillNumber } from './waybill.ts';
import type { OrderHead, OrderRecord, Repositories, Store } from '../storage/types.ts';

export const ORDER_STATUS_NORMAL = 0;
export const ORDER_STATUS_CANCELLED = 1;
export const BATCH_GET_MAX = 100;

/** addOrder, getOrder, batchGetOrder, cancelOrder (business-api.md §1–§3, §6). */
export class OrderService {
  readonly labels = new LabelCache();
  /** Runs inside addOrder's transaction after the insert (auto-progress planning). */
  afterInsert: (tx: Repositories, order: OrderRecord) => Promise<void> = async () => undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Built-in and registered carriers; a registered one decides its orders' answers (./carrier-side.ts). */
    readonly directory: CarrierDirectory = new CarrierDirectory(store),
    readonly carrierSide: CarrierSide = new CarrierSide(store, clock),
  ) {
    // The label cache asks the directory for carrier templates.
    this.labels.carrierLabel = (order) => this.#carrierLabel(order);
  }

  readonly #find = (deliveryId: string) => this.directory.find(deliveryId);

  /** print_html of a registered carrier's order: its template with the order's waybill, WaybillData and addOrder body. */
  readonly #carrierLabel = (order: OrderRecord): string | undefined =>
    this.directory.template(order.delivery_id)?.({
      waybill_id: order.waybill_id,
      waybill_data: order.waybill_data,
      custom: JSON.parse(order.body) as CarrierTemplateCustom,
      wxa_appid: order.appid,
      print_time: order.updated_at,
    });

  async addOrder(appid: string, body: Body) {
    await this.directory.refresh();
    const carrier = checkAddOrderBody(body, this.#find);
    const orderId = str(body.order_id);
    const canonical = canonicalJson(body);
    const registered = this.directory.registered(carrier.delivery_id);
    if (registered) {
      // House rule 6 first: a committed order is answered from the store, the carrier is not asked again.
      const existing = await this.store.orders.get(appid, orderId);
      if (existing) {
        const same = sameOrRepeated(existing, canonical);
        return { errcode: 0, errmsg: 'ok', order_id: same.order_id, waybill_id: same.waybill_id, waybill_data: same.waybill_data };
      }
      return this.carrierSide.addOrder(appid, body, carrier, registered, await this.#registeredAccount(appid, carrier, body));
    }
    const order = await this.store.transaction(async (tx) => {
      const existing = await tx.orders.get(appid, orderId);
      if (existing) return sameOrRepeated(existing, canonical);
      await this.#checkAccount(tx, appid, carrier, body);
      const now = nowSeconds(this.clock);
      const seq = await tx.sequences.next(waybillCounterName(carrier.delivery_id));
      const record: OrderRecord = {
        appid,
        order_id: orderId,
        delivery_id: carrier.delivery_id,
        waybill_id: waybillNumber(carrier, seq),
        biz_id: str(body.biz_id),
        openid: str(body.openid),
        body: canonical,
        order_status: ORDER_STATUS_NORMAL,
        version: 1,
        waybill_data: waybillData(carrier, obj(body.receiver) ?? {}),
        last_action_type: 0,
        created_at: now,
        updated_at: now,
      };
      const res = await tx.orders.insertIfAbsent(record);
      // Another instance inserted the same order_id first (PostgreSQL): answer as a replay.
      if (!res.inserted) return sameOrRepeated(res.existing, canonical);
      if (carrier.franchise && body.biz_id !== carrier.cash_biz_id) {
        const ok = await tx.accounts.takeQuota(appid, carrier.delivery_id, str(body.biz_id), now);
        if (!ok) throw new WxError('quotaRunOut', `account ${str(body.biz_id)} of ${carrier.delivery_id} has no e-waybill quota left`);
      }
      await this.afterInsert(tx, record);
      return record;
    });
    return { errcode: 0, errmsg: 'ok', order_id: order.order_id, waybill_id: order.waybill_id, waybill_data: order.waybill_data };
  }

  async getOrder(appid: string, body: Body) {
    const printType = checkGetOrderBody(body);
    await this.directory.refresh();
    const order = await this.#findOrder(appid, body, 'invalidWaybillId');
    return getOrderAnswer(order, this.labels.printHtml(order, printType));
  }

  /**
   * getOrder's answer as JSON bytes (the HTTP and cloud fast path; the same
   * bytes as JSON.stringify(getOrder())). A cached answer is sent when the
   * order's head still shows its version — known without a read where the
   * store can tell (SQLite), else one covering-index read. Otherwise one full
   * read, and the answer is built (into `take(n)`, when given and the answer is not kept).
   */
  async getOrderJson(appid: string, body: Body, take?: (n: number) => Buffer): Promise<Buffer> {
    const printType = checkGetOrderBody(body);
    // The registry is re-read at most once a second; most calls need no await for it.
    if (!this.directory.fresh) await this.directory.refresh();
    const orderId = str(body.order_id);
    const cached = this.labels.cachedAnswer(appid, orderId, printType);
    if (cached) {
      const head = this.store.knownOrderHead?.(appid, orderId) ?? (await this.store.orders.getHead(appid, orderId));
      checkFound(head, body, 'invalidWaybillId', this.#find);
      if (head!.version === cached.version && head!.waybill_id === cached.waybill_id) return cached.bytes;
    }
    const order = await this.#findOrder(appid, body, 'invalidWaybillId');
    return this.labels.answerBytes(order, printType, take);
  }

  /**
   * getOrderJson without waiting, where it needs no read: a kept answer whose order head the
   * store knows to be unchanged (SQLite), with a fresh carrier registry — the same checks as
   * getOrderJson's first steps. Undefined otherwise (call getOrderJson); a failing check throws
   * its WxError, as getOrderJson would.
   */
  knownOrderJson(appid: string, body: Body): Buffer | undefined {
    const printType = checkGetOrderBody(body);
    if (!this.directory.fresh || this.store.knownOrderHead === undefined) return undefined;
    const orderId = str(body.order_id);
    const cached = this.labels.cachedAnswer(appid, orderId, printType);
    const head = cached && this.store.knownOrderHead(appid, orderId);
    if (!head) return undefined;
    checkFound(head, body, 'invalidWaybillId', this.#find);
    return head.version === cached!.version && head.waybill_id === cached!.waybill_id ? cached!.bytes : undefined;
  }

  async batchGetOrder(appid: string, body: Body) {
    requireFields(body, ['order_list']);
    const list = arr(body.order_list);
    if (list.length > BATCH_GET_MAX) throw new WxError('argsError', `order_list holds at most ${BATCH_GET_MAX} orders`);
    await this.directory.refresh();
    const order_list = await Promise.all(
      list.map(async (raw) => {
        const item = obj(raw) ?? {};
        try {
          requireFields(item, ['order_id', 'delivery_id'], 'order_list[].');
          const order = await this.#findOrder(appid, item, 'invalidWaybillId');
          return {
            errcode: 0,
            errmsg: 'ok',
            order_id: order.order_id,
            delivery_id: order.delivery_id,
            waybill_id: order.waybill_id,
            print_html: this.labels.printHtml(order, 0),
            waybill_data: order.waybill_data,
            order_status: order.order_status,
          };
        } catch (e) {
          if (!(e instanceof WxError)) throw e;
          // Per-item failures carry the code and text without a rid: the rid belongs to the call.
          return {
            errcode: e.errcode,
            errmsg: e.errmsg,
            order_id: str(item.order_id),
            delivery_id: str(item.delivery_id),
            waybill_id: str(item.waybill_id),
          };
        }
      }),
    );
    return { errcode: 0, errmsg: 'ok', order_list };
  }

  async cancelOrder(appid: string, body: Body) {
    requireFields(body, ['order_id', 'delivery_id', 'waybill_id']);
    await this.directory.refresh();
    const registered = this.directory.registered(str(body.delivery_id));
    if (registered) {
      // The carrier decides (cancel_waybill), outside any transaction (./carrier-side.ts).
      const order = await this.#findOrder(appid, body, 'waybillIdNotFound');
      if (order.order_status === ORDER_STATUS_CANCELLED) throw new WxError('cancelFailed', 'the order is already cancelled');
      return this.carrierSide.cancelOrder(order, registered);
    }
    return this.store.transaction(async (tx) => {
      const order = await this.#findOrder(appid, body, 'waybillIdNotFound', tx);
      if (order.order_status === ORDER_STATUS_CANCELLED) throw new WxError('cancelFailed', 'the order is already cancelled');
      if ((await tx.orders.pathCount(appid, order.order_id)) > 0) {
        throw new WxError('waybillHasPath', 'the waybill already has path nodes');
      }
      await tx.orders.setStatus(appid, order.order_id, ORDER_STATUS_CANCELLED, nowSeconds(this.clock));
      await tx.schedule.clear(appid, order.order_id); // auto-progress stops with the order
      return { errcode: 0, errmsg: 'ok', delivery_resultcode: 0, delivery_resultmsg: '' };
    });
  }

  /** House rule 7: by (order_id, delivery_id) within the app; a differing waybill_id is an error. */
  async #findOrder(appid: string, body: Body, waybillMismatch: 'invalidWaybillId' | 'waybillIdNotFound', repos: Repositories = this.store) {
    if (repos !== this.store) await repos.orders.lock(appid, str(body.order_id)); // inside a changing transaction
    const order = await repos.orders.get(appid, str(body.order_id));
    checkFound(order, body, waybillMismatch, this.#find);
    return order as OrderRecord;
  }

  /** House rule 5 for a registered carrier: a bound account (its check_biz was approved), or the TEST sandbox. */
  async #registeredAccount(appid: string, carrier: Carrier, body: Body) {
    const bizId = str(body.biz_id);
    const account = await this.store.accounts.get(appid, carrier.delivery_id, bizId);
    if (carrier.delivery_id === TEST_DELIVERY_ID && bizId === TEST_BIZ_ID) return account;
    if (!account || account.status_code !== 0) {
      throw new WxError('bizIdNotBind', `biz_id ${bizId} is not bound to ${carrier.delivery_id} (bindAccount)`);
    }
    return account;
  }

  /** House rule 5: bound account, cash biz_id, or the TEST sandbox. */
  async #checkAccount(tx: Repositories, appid: string, carrier: Carrier, body: Body): Promise<void> {
    const bizId = str(body.biz_id);
    if (carrier.delivery_id === TEST_DELIVERY_ID && bizId === TEST_BIZ_ID) return;
    if (bizId !== carrier.cash_biz_id || !carrier.cash_biz_id) {
      const account = await tx.accounts.get(appid, carrier.delivery_id, bizId);
      if (!account || account.status_code !== 0) {
        throw new WxError('bizIdNotBind', `biz_id ${bizId} is not bound to ${carrier.delivery_id} (bindAccount)`);
      }
      if (!carrierAcceptsPassword(account)) {
        throw new WxError('invalidBizIdOrPassword', `${carrier.delivery_id} rejected the password of account ${bizId}`);
      }
    }
    const cargo = obj(body.cargo) ?? {};
    if (arr(cargo.detail_list).length === 0) {
      throw new WxError('deliveryLogicFail', 'cargo.detail_list is empty', { ...EMPTY_DETAIL_LIST, waybill_data: [] });
    }
  }
}

function checkGetOrderBody(body: Body): 0 | 1 {
  requireFields(body, ['order_id', 'delivery_id']);
  const printType = body.print_type ?? 0;
  if (printType !== 0 && printType !== 1) throw new WxError('argsError', 'print_type must be 0 or 1');
  return printType;
}

/** House rule 4 and 7 for a looked-up order: a known carrier, the order's own, the same waybill. */
function checkFound(
  order: OrderHead | undefined,
  body: Body,
  waybillMismatch: 'invalidWaybillId' | 'waybillIdNotFound',
  find: (deliveryId: string) => Carrier | undefined,
): true {
  const deliveryId = str(body.delivery_id);
  if (!find(deliveryId)) throw new WxError('deliveryNotRegistered', `delivery_id ${deliveryId} is not a known carrier`);
  if (!order || order.delivery_id !== deliveryId) {
    throw new WxError('orderNotExists', `no order ${str(body.order_id)} with delivery_id ${deliveryId} in this app`);
  }
  if (isPresent(body.waybill_id) && body.waybill_id !== order.waybill_id) {
    throw new WxError(waybillMismatch, `order ${str(body.order_id)} has waybill_id ${order.waybill_id}`);
  }
  return true;
}

/** House rule 6: the same body answers the first result; a different one is 9300522. */
function sameOrRepeated(existing: OrderRecord, canonical: string): OrderRecord {
  if (existing.body !== canonical) {
    throw new WxError('orderIdRepeated', `order_id ${existing.order_id} was already used with a different body`);
  }
  return existing;
}
