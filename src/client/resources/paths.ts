import type { RequestSender } from '../request-sender.ts';
import type { GetPathRequest, GetPathResponse, TestUpdateOrderRequest, WxStatus } from '../types.ts';

/** Waybill tracking (business-api.md §7, §10). */
export function pathsResource(sender: RequestSender) {
  return {
    /**
     * getPath 查询运单轨迹: the waybill's path nodes.
     * @example
     * const { path_item_list } = await client.getPath({ order_id: 'o1', openid: 'oABC', delivery_id: 'TEST', waybill_id });
     */
    getPath(body: GetPathRequest): Promise<GetPathResponse> {
      return sender.send('getPath', body);
    },

    /**
     * testUpdateOrder 模拟更新订单状态: sandbox only (TEST / test_biz_id) — appends a path node.
     * @example
     * await client.testUpdateOrder({ biz_id: 'test_biz_id', order_id: 'o1', delivery_id: 'TEST', waybill_id, action_time: 1700000000, action_type: 100001, action_msg: '揽件成功' });
     */
    testUpdateOrder(body: TestUpdateOrderRequest): Promise<WxStatus> {
      return sender.send('testUpdateOrder', body);
    },
  };
}

export type PathsResource = ReturnType<typeof pathsResource>;
