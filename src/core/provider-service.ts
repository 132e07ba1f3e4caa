import { BIND_OK, BIND_REJECTED } from './account-service.ts';
import { isActionType } from './action-types.ts';
import type { CarrierDirectory } from './carrier-directory.ts';
import type { CarrierSide } from './carrier-side.ts';
import { readOrderToken } from './carrier-token.ts';
import { parseWaybillData } from './carrier-events.ts';
import { compileCarrierTemplate, type CarrierTemplateCustom } from './label/carrier-template.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import { updateBusinessBindResultEvent } from './push-events.ts';
import { originalId, type TrackingService } from './tracking-service.ts';
import { obj, requireFields, str, type Body } from './validate.ts';
import type { CarrierRecord } from '../storage/carrier-store.ts';
import type { OrderRecord, Repositories, Store } from '../storage/types.ts';

/** A party as getContact answers it: province + city + area already merged into `address` (provider-api.md §1). */
function contact(v: unknown) {
  const p = obj(v) ?? {};
  return {
    name: str(p.name),
    tel: str(p.tel),
    mobile: str(p.mobile),
    address: [p.province, p.city, p.area, p.address].map(str).join(''),
  };
}

/**
 * The provider API (provider-api.md §1–§4): what a registered carrier calls with
 * its own app's access_token. The caller is the carrier whose app the token
 * belongs to; another app gets 48001 `api unauthorized` (the spec has no code
 * for it; WeChat's for "the app may not call this API"). A carrier reaches only
 * its own waybills: a token that does not verify, or one issued for another
 * carrier's order, is 9300507; a verified token with a waybill_id that is not
 * its order's is 40199 (the hub model of provider-api.md §0).
 */
export class ProviderService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly directory: CarrierDirectory,
    private readonly side: CarrierSide,
    private readonly tracking: TrackingService,
  ) {}

  async caller(appid: string): Promise<CarrierRecord> {
    await this.directory.refresh();
    const carrier = this.directory.byAppid(appid);
    if (!carrier) throw new WxError('apiUnauthorized', `app ${appid} is not a registered carrier's app`);
    return carrier;
  }

  /** getContact: sender and receiver of one of the carrier's waybills. */
  async getContact(appid: string, body: Body) {
    const carrier = await this.caller(appid);
    const order = await this.#orderOf(carrier, body, this.store);
    const b = JSON.parse(order.body) as Body;
    return { errcode: 0, errmsg: 'ok', waybill_id: order.waybill_id, sender: contact(b.sender), receiver: contact(b.receiver) };
  }

  /**
   * updatePath: appends one node exactly as testUpdateOrder does (TrackingService.appendNode):
   * getPath, order status and the merchant's add_express_path push (Version, Count) follow.
   */
  async updatePath(appid: string, body: Body) {
    const carrier = await this.caller(appid);
    requireFields(body, ['token', 'waybill_id', 'action_time', 'action_type', 'action_msg']);
    if (!isActionType(body.action_type)) throw new WxError('argsError', `action_type ${String(body.action_type)} is not in the enum`);
    const node = { action_time: Number(body.action_time), action_type: body.action_type, action_msg: str(body.action_msg) };
    await this.store.transaction(async (tx) => {
      const order = await this.#orderOf(carrier, body, tx, true);
      await this.tracking.appendNode(tx, order, node);
    });
    this.tracking.onOutboxWrite();
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * updateBusiness: the carrier's review result for a binding (check_biz answered for a
   * carrier registered with review). The account becomes bound (0) or rejected, and
   * update_business_bind_result is pushed to the merchant in the same transaction.
   */
  async updateBusiness(appid: string, body: Body) {
    const carrier = await this.caller(appid);
    requireFields(body, ['shop_app_id', 'biz_id']);
    if (typeof body.result_code !== 'number') throw new WxError('argsError', 'result_code is required');
    const shop = str(body.shop_app_id);
    const bizId = str(body.biz_id);
    const resultCode = body.result_code;
    const resultMsg = str(body.result_msg);
    if (!(await this.store.apps.get(shop))) throw new WxError('invalidAppid', `no merchant app ${shop}`);
    await this.store.transaction(async (tx) => {
      await tx.apps.lock(shop);
      const account = await tx.accounts.get(shop, carrier.delivery_id, bizId);
      if (!account) throw new WxError('bizIdNotBind', `${shop} never asked ${carrier.delivery_id} to bind ${bizId}`);
      const now = nowSeconds(this.clock);
      await tx.accounts.upsert({
        ...account,
        status_code: resultCode === 0 ? BIND_OK : BIND_REJECTED,
        remark_wrong_msg: resultCode === 0 ? '' : resultMsg,
        update_time: now,
      });
      const event = updateBusinessBindResultEvent({
        toUserName: originalId(shop),
        fromUserName: '',
        createTime: now,
        errcode: resultCode,
        errmsg: resultCode === 0 ? 'ok' : resultMsg,
        deliveryId: carrier.delivery_id,
        bizId,
      });
      await this.tracking.writeEvent(tx, shop, `bind:${carrier.delivery_id}:${bizId}`, event.Event, event);
    });
    this.tracking.onOutboxWrite();
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * previewTemplate: renders a Base64 template in WeChat's template language (provider-api.md §2)
   * with the request's own waybill_id, waybill_data and custom (an addOrder body), through the
   * same label engine as print_html. A template that is not Base64 or does not compile → 9300512;
   * waybill_data that breaks the `##key##value##` grammar → 9300502.
   */
  async previewTemplate(appid: string, body: Body) {
    await this.caller(appid);
    requireFields(body, ['waybill_id', 'waybill_template']);
    const custom = obj(body.custom);
    if (!custom) throw new WxError('argsError', 'custom (an addOrder body) is required');
    const b64 = str(body.waybill_template).replace(/\s+/g, '');
    const bytes = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || bytes.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) {
      throw new WxError('invalidWaybillTemplateFormat', 'waybill_template is not Base64');
    }
    const render = compileCarrierTemplate(bytes.toString('utf8'));
    const html = render({
      waybill_id: str(body.waybill_id),
      waybill_data: parseWaybillData(str(body.waybill_data)),
      custom: custom as CarrierTemplateCustom,
      print_time: nowSeconds(this.clock),
    });
    return {
      errcode: 0,
      errmsg: 'ok',
      waybill_id: str(body.waybill_id),
      rendered_waybill_template: Buffer.from(html, 'utf8').toString('base64'),
    };
  }

  /** The carrier's order behind token + waybill_id (9300507 / 40199 as the class comment says). */
  async #orderOf(carrier: CarrierRecord, body: Body, repos: Repositories, lock = false): Promise<OrderRecord> {
    requireFields(body, ['token', 'waybill_id']);
    const id = readOrderToken(await this.side.tokenKey(), str(body.token));
    if (!id || id.deliveryId !== carrier.delivery_id)
      throw new WxError('invalidOrderToken', 'the token was not issued for an order of this carrier');
    if (lock) await repos.orders.lock(id.appid, id.orderId);
    const order = await repos.orders.get(id.appid, id.orderId);
    if (!order || order.delivery_id !== carrier.delivery_id || order.waybill_id !== str(body.waybill_id)) {
      throw new WxError('waybillIdNotFound', `the token's order has no waybill ${str(body.waybill_id)}`);
    }
    return order;
  }
}
