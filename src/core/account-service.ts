import { carriers, deliveryRecord, findCarrier } from './carriers.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import { INITIAL_QUOTA } from './simulated-carrier.ts';
import { requireFields, str, type Body } from './validate.ts';
import type { AccountRecord, Store } from '../storage/types.ts';

/** Carrier accounts and the carrier list: bindAccount, getAllAccount, getAllDelivery, getQuota (business-api.md §4, §5, §9, §12). */
export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async getAllDelivery() {
    return { errcode: 0, errmsg: 'ok', count: carriers.length, data: carriers.map(deliveryRecord) };
  }

  async bindAccount(appid: string, body: Body) {
    requireFields(body, ['type', 'biz_id', 'delivery_id']);
    if (body.type !== 'bind' && body.type !== 'unbind') throw new WxError('argsError', 'type must be bind or unbind');
    const carrier = findCarrier(str(body.delivery_id));
    if (!carrier) throw new WxError('deliveryNotRegistered', `delivery_id ${str(body.delivery_id)} is not a known carrier`);
    const bizId = str(body.biz_id);
    return this.store.transaction(async (tx) => {
      if (body.type === 'unbind') {
        if (!(await tx.accounts.delete(appid, carrier.delivery_id, bizId))) {
          throw new WxError('bizIdNotBind', `biz_id ${bizId} is not bound to ${carrier.delivery_id}`);
        }
        return { errcode: 0, errmsg: 'ok' };
      }
      const now = nowSeconds(this.clock);
      const prior = await tx.accounts.get(appid, carrier.delivery_id, bizId);
      const remark = str(body.remark_content);
      // EMS reviews every binding and needs remark_content (business-api.md §12); the
      // simulated review decides at once — see docs/deviations.md.
      const rejected = carrier.bindNeedsReview && remark === '';
      const account: AccountRecord = {
        appid,
        delivery_id: carrier.delivery_id,
        biz_id: bizId,
        password: str(body.password),
        alias: prior?.alias ?? '',
        remark_content: remark,
        remark_wrong_msg: rejected ? '缺少审核信息：请在 remark_content 中填写电话、联系人、服务类型和发货地址' : '',
        status_code: rejected ? 1 : 0,
        quota_num: prior?.quota_num ?? (carrier.franchise ? INITIAL_QUOTA : 0),
        create_time: prior?.create_time ?? now,
        update_time: now,
        quota_update_time: prior?.quota_update_time ?? now,
      };
      await tx.accounts.upsert(account);
      return { errcode: 0, errmsg: 'ok' };
    });
  }

  async getAllAccount(appid: string) {
    const list = (await this.store.accounts.list(appid)).map((a) => ({
      biz_id: a.biz_id,
      delivery_id: a.delivery_id,
      create_time: a.create_time,
      update_time: a.update_time,
      status_code: a.status_code,
      alias: a.alias,
      remark_wrong_msg: a.remark_wrong_msg,
      remark_content: a.remark_content,
      quota_num: a.quota_num,
      quota_update_time: a.quota_update_time,
      service_type: findCarrier(a.delivery_id)?.service_type ?? [],
    }));
    return { errcode: 0, errmsg: 'ok', count: list.length, list };
  }

  async getQuota(appid: string, body: Body) {
    requireFields(body, ['delivery_id', 'biz_id']);
    const carrier = findCarrier(str(body.delivery_id));
    if (!carrier) throw new WxError('deliveryNotRegistered', `delivery_id ${str(body.delivery_id)} is not a known carrier`);
    if (!carrier.franchise) throw new WxError('argsError', `${carrier.delivery_id} is not a franchise carrier: it has no quota`);
    const account = await this.store.accounts.get(appid, carrier.delivery_id, str(body.biz_id));
    if (!account) throw new WxError('bizIdNotBind', `biz_id ${str(body.biz_id)} is not bound to ${carrier.delivery_id}`);
    return { errcode: 0, errmsg: 'ok', quota_num: account.quota_num };
  }
}
