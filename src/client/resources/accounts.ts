import type { RequestSender } from '../request-sender.ts';
import type { BindAccountRequest, GetAllAccountResponse, GetQuotaRequest, GetQuotaResponse, WxStatus } from '../types.ts';

/** The app's carrier accounts and their e-waybill quota (business-api.md §4, §9, §12). */
export function accountsResource(sender: RequestSender) {
  return {
    /**
     * bindAccount 绑定/解绑物流账号: binds (or unbinds) a carrier customer code to the app.
     * @example
     * await client.bindAccount({ type: 'bind', biz_id: 'xyz', delivery_id: 'YTO', password: 'pw' });
     */
    bindAccount(body: BindAccountRequest): Promise<WxStatus> {
      return sender.send('bindAccount', body);
    },

    /**
     * getAllAccount 获取所有绑定的物流账号: every bound carrier account.
     * @example
     * const { count, list } = await client.getAllAccount();
     */
    getAllAccount(): Promise<GetAllAccountResponse> {
      return sender.send('getAllAccount', undefined);
    },

    /**
     * getQuota 获取电子面单余额: the e-waybill balance of a franchise-carrier account.
     * @example
     * const { quota_num } = await client.getQuota({ delivery_id: 'YTO', biz_id: 'xyz' });
     */
    getQuota(body: GetQuotaRequest): Promise<GetQuotaResponse> {
      return sender.send('getQuota', body);
    },
  };
}

export type AccountsResource = ReturnType<typeof accountsResource>;
