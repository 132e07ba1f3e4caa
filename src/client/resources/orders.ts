import type { RequestSender } from '../request-sender.ts';
import type {
  AddOrderRequest,
  AddOrderResponse,
  BatchGetOrderRequest,
  BatchGetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
} from '../types.ts';

/** Orders and waybills (business-api.md §1–§3, §6). */
export function ordersResource(sender: RequestSender) {
  return {
    /**
     * addOrder 生成运单: places an order with the carrier; answers the waybill id.
     * @example
     * const { waybill_id } = await client.addOrder({ add_source: 0, order_id: 'o1', openid: 'oABC', delivery_id: 'TEST', biz_id: 'test_biz_id', sender, receiver, shop, cargo, insured, service });
     */
    addOrder(body: AddOrderRequest): Promise<AddOrderResponse> {
      return sender.send('addOrder', body);
    },

    /**
     * batchGetOrder 批量获取运单数据: up to 100 orders in one call; each item has its own errcode.
     * @example
     * const { order_list } = await client.batchGetOrder({ order_list: [{ order_id: 'o1', delivery_id: 'TEST', waybill_id }] });
     */
    batchGetOrder(body: BatchGetOrderRequest): Promise<BatchGetOrderResponse> {
      return sender.send('batchGetOrder', body);
    },

    /**
     * cancelOrder 取消运单: cancels a waybill that has no path yet.
     * @example
     * await client.cancelOrder({ order_id: 'o1', openid: 'oABC', delivery_id: 'TEST', waybill_id });
     */
    cancelOrder(body: CancelOrderRequest): Promise<CancelOrderResponse> {
      return sender.send('cancelOrder', body);
    },

    /**
     * getOrder 获取运单数据: the order with its label (`print_html`, Base64 HTML).
     * @example
     * const order = await client.getOrder({ order_id: 'o1', openid: 'oABC', delivery_id: 'TEST', waybill_id });
     */
    getOrder(body: GetOrderRequest): Promise<GetOrderResponse> {
      return sender.send('getOrder', body);
    },
  };
}

export type OrdersResource = ReturnType<typeof ordersResource>;
