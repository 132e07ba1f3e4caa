// A shop backend's shipping module, in CommonJS as many backends and cloud functions
// are: the code under test. It books a courier through WeChat's Logistics Assistant,
// prints the label, follows the tracking pushes and cancels. Nothing here knows about
// wxlogistics: it takes a LogisticsClient, which points at api.weixin.qq.com in
// production and at wxlogistics in the tests.
const { WxApiError } = require('wxlogistics/client');

/** -1: WeChat is busy; 9300501: the carrier's own system failed (delivery_resultmsg says why). Both pass. */
const isTransient = (error) => error instanceof WxApiError && (error.errcode === -1 || error.errcode === 9300501);

const STATUS = {
  100001: 'picked up',
  200001: 'in transit',
  300002: 'out for delivery',
  300003: 'delivered',
  300004: 'failed',
  400001: 'cancelled',
};

class Shipping {
  #client;
  #attempts;
  #backoffMs;
  #tracking = new Map();

  constructor(client, { attempts = 3, backoffMs = 200 } = {}) {
    this.#client = client;
    this.#attempts = attempts;
    this.#backoffMs = backoffMs;
  }

  /** Books a courier for a shop order; the same order_id makes a retried addOrder safe. */
  async ship(order) {
    const body = {
      add_source: 0,
      order_id: order.id,
      openid: order.buyerOpenid,
      delivery_id: order.carrier.deliveryId,
      biz_id: order.carrier.bizId,
      sender: order.from,
      receiver: order.to,
      shop: { goods_name: order.items[0].name, goods_count: order.items.length, img_url: order.items[0].imageUrl },
      cargo: {
        count: order.items.length,
        weight: order.weightKg,
        space_x: 30,
        space_y: 20,
        space_z: 10,
        detail_list: order.items.map((i) => ({ name: i.name, count: 1 })),
      },
      insured: { use_insured: 0, insured_value: 0 },
      service: { service_type: 0, service_name: '标准快递' },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const added = await this.#client.addOrder(body);
        return {
          orderId: added.order_id,
          deliveryId: body.delivery_id,
          bizId: body.biz_id,
          openid: body.openid,
          waybillId: added.waybill_id,
          attempts: attempt,
        };
      } catch (error) {
        if (!isTransient(error) || attempt >= this.#attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.#backoffMs * attempt));
      }
    }
  }

  /** The printable label (HTML) of a shipment. */
  async label(shipment) {
    const order = await this.#client.getOrder({
      order_id: shipment.orderId,
      openid: shipment.openid,
      delivery_id: shipment.deliveryId,
      waybill_id: shipment.waybillId,
    });
    return Buffer.from(order.print_html, 'base64').toString('utf8');
  }

  /** Handles a pushed add_express_path event (the body WeChat posts to the shop's push URL). Older versions are ignored. */
  handlePush(event) {
    if (event.Event !== 'add_express_path') return;
    const known = this.#tracking.get(event.WayBillId);
    if (known && known.version >= event.Version) return;
    const last = event.Actions[event.Actions.length - 1];
    this.#tracking.set(event.WayBillId, { version: event.Version, status: STATUS[last.ActionType] ?? `action ${last.ActionType}` });
  }

  status(waybillId) {
    return this.#tracking.get(waybillId)?.status ?? 'booked';
  }

  async cancel(shipment) {
    await this.#client.cancelOrder({
      order_id: shipment.orderId,
      openid: shipment.openid,
      delivery_id: shipment.deliveryId,
      waybill_id: shipment.waybillId,
    });
  }
}

module.exports = { Shipping };
