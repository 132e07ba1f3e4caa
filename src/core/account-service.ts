import { deliveryRecord } from './carriers.ts';
import type { CarrierDirectory } from './carrier-directory.ts';
import type { CarrierSide } from './carrier-side.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { errorTable, WxError } from './errors.ts';
import { updateBusinessBindResultEvent } from './push-events.ts';
import { originalId, type TrackingService } from './tracking-service.ts';
import { INITIAL_QUOTA } from './simulated-carrier.ts';
import { requireFields, str, type Body } from './validate.ts';
import type { AccountRecord, Store } from '../storage/types.ts';

/** Carrier accounts and the carrier list: bindAccount, getAllAccount, getAllDelivery, getQuota (business-api.md §4, §5, §9, §12). */
/** getAllAccount status_code: 0 bound (documented); ours for the review states. */
export const BIND_OK = 0;
export const BIND_IN_REVIEW = 1;
export const BIND_REJECTED = 2;
/** Clock time an EMS review takes in the simulation. */
export const REVIEW_SECONDS = 60;

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tracking: TrackingService,
    private readonly directory: CarrierDirectory,
    private readonly side: CarrierSide,
  ) {}

  async getAllDelivery() {
    await this.directory.refresh();
    const all = this.directory.all();
    return { errcode: 0, errmsg: 'ok', count: all.length, data: all.map(deliveryRecord) };
  }

  async bindAccount(appid: string, body: Body) {
    requireFields(body, ['type', 'biz_id', 'delivery_id']);
    if (body.type !== 'bind' && body.type !== 'unbind') throw new WxError('argsError', 'type must be bind or unbind');
    await this.directory.refresh();
    const carrier = this.directory.find(str(body.delivery_id));
    if (!carrier) throw new WxError('deliveryNotRegistered', `delivery_id ${str(body.delivery_id)} is not a known carrier`);
    const bizId = str(body.biz_id);
    const registered = this.directory.registered(carrier.delivery_id);
    if (registered && body.type === 'bind') {
      // The carrier reviews the account (check_biz) before anything is written.
      const prior = await this.store.accounts.get(appid, carrier.delivery_id, bizId);
      const account = await this.side.bindAccount(appid, registered, body, prior);
      await this.store.transaction((tx) => tx.accounts.upsert(account));
      return { errcode: 0, errmsg: 'ok' };
    }
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
      // EMS reviews every binding (business-api.md §12): the account waits in review
      // and the result is pushed later as update_business_bind_result (completeReviews).
      const review = carrier.bindNeedsReview;
      const account: AccountRecord = {
        appid,
        delivery_id: carrier.delivery_id,
        biz_id: bizId,
        password: str(body.password),
        alias: prior?.alias ?? '',
        remark_content: remark,
        remark_wrong_msg: '',
        status_code: review ? BIND_IN_REVIEW : BIND_OK,
        quota_num: prior?.quota_num ?? (carrier.franchise ? INITIAL_QUOTA : 0),
        create_time: prior?.create_time ?? now,
        update_time: now,
        quota_update_time: prior?.quota_update_time ?? now,
      };
      await tx.accounts.upsert(account);
      return { errcode: 0, errmsg: 'ok' };
    });
  }

  /**
   * Finishes the simulated carrier reviews that have waited REVIEW_SECONDS of
   * clock time: approved when remark_content was given, rejected otherwise; each
   * result is pushed as update_business_bind_result (events.md §2.2) in the same
   * transaction. Answers how many reviews finished.
   */
  async completeReviews(): Promise<number> {
    const now = nowSeconds(this.clock);
    let finished = 0;
    await this.directory.refresh();
    for (const app of await this.store.apps.list()) {
      for (const pending of await this.store.accounts.list(app.appid)) {
        if (pending.status_code !== BIND_IN_REVIEW || pending.update_time + REVIEW_SECONDS > now) continue;
        // A registered carrier reviews by itself (updateBusiness), not on the simulation's timer.
        if (this.directory.registered(pending.delivery_id)) continue;
        await this.store.transaction(async (tx) => {
          await tx.apps.lock(pending.appid); // one instance finishes a review, the others see it done
          const a = await tx.accounts.get(pending.appid, pending.delivery_id, pending.biz_id);
          if (!a || a.status_code !== BIND_IN_REVIEW) return; // another instance finished it
          const approved = a.remark_content.trim() !== '';
          await tx.accounts.upsert({
            ...a,
            status_code: approved ? BIND_OK : BIND_REJECTED,
            remark_wrong_msg: approved ? '' : '审核不通过：请在 remark_content 中填写电话、联系人、服务类型和发货地址',
            update_time: now,
          });
          const event = updateBusinessBindResultEvent({
            toUserName: originalId(a.appid),
            fromUserName: '',
            createTime: now,
            errcode: approved ? 0 : errorTable.argsError.errcode,
            errmsg: approved ? 'ok' : errorTable.argsError.errmsg,
            deliveryId: a.delivery_id,
            bizId: a.biz_id,
          });
          await this.tracking.writeEvent(tx, a.appid, `bind:${a.delivery_id}:${a.biz_id}`, event.Event, event);
          finished++;
        });
      }
    }
    if (finished > 0) this.tracking.onOutboxWrite();
    return finished;
  }

  async getAllAccount(appid: string) {
    await this.directory.refresh();
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
      service_type: this.directory.find(a.delivery_id)?.service_type ?? [],
    }));
    return { errcode: 0, errmsg: 'ok', count: list.length, list };
  }

  async getQuota(appid: string, body: Body) {
    requireFields(body, ['delivery_id', 'biz_id']);
    await this.directory.refresh();
    const carrier = this.directory.find(str(body.delivery_id));
    if (!carrier) throw new WxError('deliveryNotRegistered', `delivery_id ${str(body.delivery_id)} is not a known carrier`);
    const registered = this.directory.registered(carrier.delivery_id);
    if (registered) {
      const account = await this.store.accounts.get(appid, carrier.delivery_id, str(body.biz_id));
      if (!account || account.status_code !== BIND_OK)
        throw new WxError('bizIdNotBind', `biz_id ${str(body.biz_id)} is not bound to ${carrier.delivery_id}`);
      return { errcode: 0, errmsg: 'ok', quota_num: await this.side.getQuota(account, registered) };
    }
    if (!carrier.franchise) throw new WxError('argsError', `${carrier.delivery_id} is not a franchise carrier: it has no quota`);
    const account = await this.store.accounts.get(appid, carrier.delivery_id, str(body.biz_id));
    if (!account) throw new WxError('bizIdNotBind', `biz_id ${str(body.biz_id)} is not bound to ${carrier.delivery_id}`);
    return { errcode: 0, errmsg: 'ok', quota_num: account.quota_num };
  }
}
