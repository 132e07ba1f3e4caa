import { isActionType, ORDER_CANCELLED_ACTION } from './action-types.ts';
import { findCarrier, TEST_BIZ_ID, TEST_DELIVERY_ID, type Carrier } from './carriers.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import { ORDER_STATUS_CANCELLED } from './order-service.ts';
import { addExpressPathEvent } from './push-events.ts';
import { isPresent, requireFields, str, type Body } from './validate.ts';
import type { OrderRecord, PathNodeRecord, Repositories, Store } from '../storage/types.ts';
import { createHash } from 'node:crypto';

/** The mini program's original id (gh_…), ToUserName of its pushes: derived, stable per appid. */
export const originalId = (appid: string): string => 'gh_' + createHash('sha256').update(appid).digest('hex').slice(0, 12);

/** Events of one waybill are delivered in order: this is their stream. */
export const waybillStream = (order: Pick<OrderRecord, 'delivery_id' | 'waybill_id'>): string => `${order.delivery_id}:${order.waybill_id}`;

/**
 * Path nodes and their pushes (house rule 9). Every change goes through
 * `appendNode`, whoever reports it — testUpdateOrder, auto-progress, the
 * console's carrier buttons — so nodes, getPath and events always agree.
 */
export class TrackingService {
  /** Called after a transaction that wrote to the outbox has committed (wakes the dispatcher). */
  onOutboxWrite: () => void = () => undefined;
  /** Built-in and registered carriers (set by the core to its CarrierDirectory). */
  carriers: { refresh(): Promise<void>; find(deliveryId: string): Carrier | undefined } = {
    refresh: async () => undefined,
    find: findCarrier,
  };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async testUpdateOrder(appid: string, body: Body) {
    // Only the sandbox account may simulate (live: 40097 for SF_CASH/SF, business-api.md §10).
    if (body.biz_id !== TEST_BIZ_ID || body.delivery_id !== TEST_DELIVERY_ID) {
      throw new WxError('invalidArgs', 'testUpdateOrder works only for delivery_id TEST with biz_id test_biz_id');
    }
    requireFields(body, ['order_id', 'waybill_id', 'action_time', 'action_type', 'action_msg']);
    if (!isActionType(body.action_type)) throw new WxError('argsError', `action_type ${String(body.action_type)} is not in the enum`);
    const node: PathNodeRecord = { action_time: Number(body.action_time), action_type: body.action_type, action_msg: str(body.action_msg) };
    await this.store.transaction(async (tx) => {
      await tx.orders.lock(appid, str(body.order_id));
      const order = await tx.orders.get(appid, str(body.order_id));
      if (!order || order.delivery_id !== TEST_DELIVERY_ID || order.waybill_id !== body.waybill_id) {
        throw new WxError('orderNotExists', `no TEST order ${str(body.order_id)} with waybill_id ${str(body.waybill_id)}`);
      }
      await this.appendNode(tx, order, node);
    });
    this.onOutboxWrite();
    return { errcode: 0, errmsg: 'ok' };
  }

  async getPath(appid: string, body: Body) {
    requireFields(body, ['order_id', 'delivery_id', 'waybill_id']);
    const deliveryId = str(body.delivery_id);
    await this.carriers.refresh();
    if (!this.carriers.find(deliveryId)) throw new WxError('deliveryNotRegistered', `delivery_id ${deliveryId} is not a known carrier`);
    const order = await this.store.orders.get(appid, str(body.order_id));
    if (!order || order.delivery_id !== deliveryId) {
      throw new WxError('orderNotExists', `no order ${str(body.order_id)} with delivery_id ${deliveryId} in this app`);
    }
    if (isPresent(body.waybill_id) && body.waybill_id !== order.waybill_id) {
      throw new WxError('invalidWaybillId', `order ${order.order_id} has waybill_id ${order.waybill_id}`);
    }
    const nodes = await this.store.orders.listPathNodes(appid, order.order_id);
    return {
      errcode: 0,
      errmsg: 'ok',
      openid: order.openid,
      delivery_id: order.delivery_id,
      waybill_id: order.waybill_id,
      path_item_num: nodes.length,
      path_item_list: nodes,
    };
  }

  /**
   * Appends one node inside the caller's transaction and writes its
   * add_express_path event to the outbox there too: Version +1, Count = nodes,
   * Actions = all nodes. 400001 also cancels the order.
   */
  async appendNode(tx: Repositories, order: OrderRecord, node: PathNodeRecord): Promise<number> {
    const now = nowSeconds(this.clock);
    const count = await tx.orders.appendPathNode(order.appid, order.order_id, node, now);
    if (node.action_type === ORDER_CANCELLED_ACTION) {
      await tx.orders.setStatus(order.appid, order.order_id, ORDER_STATUS_CANCELLED, now);
      await tx.schedule.clear(order.appid, order.order_id);
    }
    const nodes = await tx.orders.listPathNodes(order.appid, order.order_id);
    const event = addExpressPathEvent({
      toUserName: originalId(order.appid),
      fromUserName: order.openid,
      createTime: now,
      deliveryId: order.delivery_id,
      waybillId: order.waybill_id,
      orderId: order.order_id,
      // One node per change, so the path's version is its node count.
      version: count,
      actions: nodes.map((n) => ({ actionTime: n.action_time, actionType: n.action_type, actionMsg: n.action_msg })),
    });
    await this.writeEvent(tx, order.appid, waybillStream(order), event.Event, event);
    return count;
  }

  /** Outbox write: pending when the app has a push URL, else kept as skipped (replayable). */
  async writeEvent(tx: Repositories, appid: string, stream: string, name: string, payload: object): Promise<number> {
    const config = await tx.pushConfigs.get(appid);
    return tx.events.insert({
      appid,
      stream,
      event: name,
      payload: JSON.stringify(payload),
      created_at: nowSeconds(this.clock),
      status: config ? 'pending' : 'skipped',
      next_attempt_at: Date.now(),
    });
  }
}
