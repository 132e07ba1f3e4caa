import type { RequestSender } from '../request-sender.ts';
import type { GetPrinterResponse, UpdatePrinterRequest, WxStatus } from '../types.ts';

/** Label printers of the WeChat print PC client (business-api.md §8, §11). */
export function printersResource(sender: RequestSender) {
  return {
    /**
     * getPrinter 获取打印员: openids (and tag ids) allowed to print labels.
     * @example
     * const { openid } = await client.getPrinter();
     */
    getPrinter(): Promise<GetPrinterResponse> {
      return sender.send('getPrinter', undefined);
    },

    /**
     * updatePrinter 配置面单打印员: binds or unbinds a printer.
     * @example
     * await client.updatePrinter({ openid: 'oJ4v0wRAfiXcnIbM3SgGEUkTw3Qw', update_type: 'bind', tagid_list: '123,456' });
     */
    updatePrinter(body: UpdatePrinterRequest): Promise<WxStatus> {
      return sender.send('updatePrinter', body);
    },
  };
}

export type PrintersResource = ReturnType<typeof printersResource>;
