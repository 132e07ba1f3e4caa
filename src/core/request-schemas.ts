/**
 * JSON schemas of the request bodies: JSON *types* only (house rule 3: a field
 * of the wrong type is 47001). Presence, sizes and values are checked by the
 * core afterwards (house rule 4), so no `required` and no `maxLength` here.
 * Unknown fields are accepted and ignored, as WeChat does.
 */
type Schema = Record<string, unknown>;

const S: Schema = { type: 'string' };
const N: Schema = { type: 'number' };
const I: Schema = { type: 'integer' };
const B: Schema = { type: 'boolean' };
const object = (properties: Record<string, Schema>): Schema => ({ type: 'object', properties });
const array = (items: Schema): Schema => ({ type: 'array', items });

const party = object({
  name: S,
  tel: S,
  mobile: S,
  company: S,
  post_code: S,
  country: S,
  province: S,
  city: S,
  area: S,
  address: S,
});

const orderRef = object({ order_id: S, openid: S, delivery_id: S, waybill_id: S });

export const requestSchemas = {
  addOrder: object({
    add_source: I,
    wx_appid: S,
    order_id: S,
    openid: S,
    delivery_id: S,
    biz_id: S,
    custom_remark: S,
    tagid: N,
    sender: party,
    receiver: party,
    cargo: object({
      count: N,
      weight: N,
      space_x: N,
      space_y: N,
      space_z: N,
      detail_list: array(object({ name: S, count: N })),
    }),
    shop: object({
      wxa_path: S,
      img_url: S,
      goods_name: S,
      goods_count: N,
      detail_list: array(object({ goods_name: S, goods_img_url: S, goods_desc: S })),
    }),
    insured: object({ use_insured: I, insured_value: N }),
    service: object({ service_type: I, service_name: S }),
    expect_time: N,
    take_mode: I,
  }),
  getOrder: object({ order_id: S, openid: S, delivery_id: S, waybill_id: S, print_type: I, custom_remark: S }),
  batchGetOrder: object({ order_list: array(object({ order_id: S, delivery_id: S, waybill_id: S })) }),
  cancelOrder: orderRef,
  getPath: orderRef,
  getQuota: object({ delivery_id: S, biz_id: S }),
  bindAccount: object({ type: S, biz_id: S, delivery_id: S, password: S, remark_content: S }),
  testUpdateOrder: object({ biz_id: S, order_id: S, delivery_id: S, waybill_id: S, action_time: I, action_type: I, action_msg: S }),
  updatePrinter: object({ openid: S, update_type: S, tagid_list: S }),
  // The provider API (provider-api.md §1–§4).
  getContact: object({ token: S, waybill_id: S }),
  previewTemplate: object({ waybill_id: S, waybill_template: S, waybill_data: S, custom: { type: 'object' } }),
  updateBusiness: object({ shop_app_id: S, biz_id: S, result_code: I, result_msg: S }),
  updatePath: object({ token: S, waybill_id: S, action_time: I, action_type: I, action_msg: S }),
  stableToken: object({ grant_type: S, appid: S, secret: S, force_refresh: B }),
} as const satisfies Record<string, Schema>;
