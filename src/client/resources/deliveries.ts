import type { RequestSender } from '../request-sender.ts';
import type { GetAllDeliveryResponse } from '../types.ts';

/** The carriers WeChat supports (business-api.md §5). */
export function deliveriesResource(sender: RequestSender) {
  return {
    /**
     * getAllDelivery 获取支持的快递公司列表: carriers with their services and cash biz ids.
     * @example
     * const { data } = await client.getAllDelivery();
     */
    getAllDelivery(): Promise<GetAllDeliveryResponse> {
      return sender.send('getAllDelivery', undefined);
    },
  };
}

export type DeliveriesResource = ReturnType<typeof deliveriesResource>;
