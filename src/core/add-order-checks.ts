import { findCarrier, type Carrier } from './carriers.ts';
import { WxError } from './errors.ts';
import { arr, checkByteLimits, isPresent, obj, requireFields, str, type Body } from './validate.ts';

// Byte limits of business-api.md §1.1–§1.4.
const PARTY_LIMITS = {
  name: 64,
  tel: 32,
  mobile: 32,
  company: 64,
  post_code: 10,
  country: 64,
  province: 64,
  city: 64,
  area: 64,
  address: 512,
} as const;
const TOP_LIMITS = { order_id: 512, custom_remark: 1024 } as const;

/**
 * The pure checks of an addOrder body (house rule 4), in the order WeChat
 * applies them: carrier, required fields, sizes, contact, service, shop.
 * Answers the carrier when the body may go on to the account checks.
 */
export function checkAddOrderBody(body: Body, find: (deliveryId: string) => Carrier | undefined = findCarrier): Carrier {
  requireFields(body, ['delivery_id']);
  const carrier = find(str(body.delivery_id));
  if (!carrier) throw new WxError('deliveryNotRegistered', `delivery_id ${str(body.delivery_id)} is not a known carrier`);
  requireFields(body, ['add_source', 'order_id', 'biz_id', 'sender', 'receiver', 'cargo', 'shop', 'insured', 'service']);
  if (body.add_source !== 0 && body.add_source !== 2) throw new WxError('argsError', 'add_source must be 0 or 2');
  if (body.add_source === 2 && !/^wx[0-9a-f]{16}$/.test(str(body.wx_appid))) {
    throw new WxError('invalidWxaAppid', 'wx_appid must be an appid (wx + 16 hex) when add_source is 2');
  }
  checkByteLimits(body, TOP_LIMITS);
  for (const side of ['sender', 'receiver'] as const) {
    const party = obj(body[side]);
    checkByteLimits(party, PARTY_LIMITS, `${side}.`);
    if (!isPresent(party?.tel) && !isPresent(party?.mobile)) {
      throw new WxError('argsError', `${side}.tel and ${side}.mobile are both empty; one is required`);
    }
  }
  const cargo = obj(body.cargo) ?? {};
  requireFields(cargo, ['count', 'weight', 'space_x', 'space_y', 'space_z'], 'cargo.');
  for (const [i, item] of arr(cargo.detail_list).entries()) {
    checkByteLimits(obj(item), { name: 128 }, `cargo.detail_list[${i}].`);
  }
  const service = obj(body.service) ?? {};
  requireFields(service, ['service_type'], 'service.');
  if (!carrier.service_type.some((s) => s.service_type === service.service_type)) {
    throw new WxError('invalidServiceType', `service_type ${String(service.service_type)} is not offered by ${carrier.delivery_id}`);
  }
  checkShop(obj(body.shop) ?? {});
  return carrier;
}

/** 9300535: thumbnail / goods name empty or illegal, or goods count 0 (business-api.md §1.4). */
function checkShop(shop: Body): void {
  checkByteLimits(shop, { goods_name: 128 }, 'shop.');
  const list = arr(shop.detail_list);
  if (list.length === 0) {
    if (!isPresent(shop.img_url)) throw new WxError('invalidShopArgs', 'shop.img_url is required without shop.detail_list');
    if (!isPresent(shop.goods_name)) throw new WxError('invalidShopArgs', 'shop.goods_name is required without shop.detail_list');
    if (typeof shop.goods_count !== 'number' || shop.goods_count <= 0) {
      throw new WxError('invalidShopArgs', 'shop.goods_count must be at least 1 without shop.detail_list');
    }
    return;
  }
  for (const [i, raw] of list.entries()) {
    const item = obj(raw) ?? {};
    if (!isPresent(item.goods_name)) throw new WxError('invalidShopArgs', `shop.detail_list[${i}].goods_name is empty`);
    if (!isPresent(item.goods_img_url)) throw new WxError('invalidShopArgs', `shop.detail_list[${i}].goods_img_url is empty`);
    checkByteLimits(item, { goods_name: 128 }, `shop.detail_list[${i}].`);
  }
}
