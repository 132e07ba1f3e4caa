/**
 * Request and answer bodies of the 12 business APIs, with WeChat's own
 * snake_case names (shared/spec/business-api.md). Answers keep `errcode` and
 * `errmsg` optional: several documented success bodies omit them.
 */

/** The status pair on every answer (absent on some successes). */
export interface WxStatus {
  errcode?: number;
  errmsg?: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface ServiceType {
  service_type: number;
  service_name: string;
}

/** sender / receiver of addOrder (§1.2): one of `tel` / `mobile` is required. */
export interface Party {
  name?: string;
  tel?: string;
  mobile?: string;
  company?: string;
  post_code?: string;
  country?: string;
  province?: string;
  city?: string;
  area?: string;
  address?: string;
}

export interface Cargo {
  count: number;
  weight: number;
  space_x: number;
  space_y: number;
  space_z: number;
  detail_list: { name: string; count: number }[];
}

export interface Shop {
  wxa_path?: string;
  img_url?: string;
  goods_name?: string;
  goods_count?: number;
  detail_list?: { goods_name: string; goods_img_url: string; goods_desc?: string }[];
}

export interface AddOrderRequest {
  add_source: number;
  wx_appid?: string;
  order_id: string;
  openid?: string;
  delivery_id: string;
  biz_id: string;
  custom_remark?: string;
  tagid?: number;
  sender: Party;
  receiver: Party;
  cargo: Cargo;
  shop: Shop;
  insured: { use_insured?: number; insured_value?: number };
  service: ServiceType;
  expect_time?: number;
  take_mode?: number;
}

export interface AddOrderResponse extends WxStatus {
  order_id: string;
  waybill_id: string;
  waybill_data: KeyValue[];
}

export interface OrderRef {
  order_id: string;
  delivery_id: string;
  waybill_id?: string;
}

export interface BatchGetOrderRequest {
  order_list: OrderRef[];
}

export interface OrderAnswer {
  print_html: string;
  waybill_data: KeyValue[];
  order_id: string;
  delivery_id: string;
  waybill_id: string;
  /** 0 = normal, 1 = cancelled. */
  order_status: number;
}

export interface BatchGetOrderResponse extends WxStatus {
  order_list: (OrderAnswer & WxStatus)[];
}

export interface CancelOrderRequest {
  order_id: string;
  openid?: string;
  delivery_id: string;
  waybill_id: string;
}

export interface CancelOrderResponse extends WxStatus {
  delivery_resultcode: number;
  delivery_resultmsg: string;
}

export interface Account {
  biz_id: string;
  delivery_id: string;
  create_time: number;
  update_time: number;
  status_code: number;
  alias: string;
  remark_wrong_msg: string;
  remark_content: string;
  quota_num: number;
  quota_update_time: number;
  service_type?: ServiceType[];
}

export interface GetAllAccountResponse extends WxStatus {
  count: number;
  list: Account[];
}

export interface Delivery {
  delivery_id: string;
  delivery_name: string;
  can_use_cash?: number;
  can_get_quota?: number;
  service_type?: ServiceType[];
  cash_biz_id?: string;
}

export interface GetAllDeliveryResponse extends WxStatus {
  count: number;
  data: Delivery[];
}

export interface GetOrderRequest {
  order_id: string;
  openid?: string;
  delivery_id: string;
  waybill_id?: string;
  /** 1 = single-part label, 0 = two-part (default). */
  print_type?: number;
  custom_remark?: string;
}

export interface GetOrderResponse extends WxStatus, OrderAnswer {}

export interface GetPathRequest {
  order_id: string;
  openid?: string;
  delivery_id: string;
  waybill_id: string;
}

export interface PathItem {
  action_time: number;
  action_type: number;
  action_msg: string;
}

export interface GetPathResponse extends WxStatus {
  openid: string;
  delivery_id: string;
  waybill_id: string;
  path_item_num: number;
  path_item_list: PathItem[];
}

export interface GetPrinterResponse extends WxStatus {
  count: number;
  openid: string[];
  tagid_list: string[];
}

export interface GetQuotaRequest {
  delivery_id: string;
  biz_id: string;
}

export interface GetQuotaResponse extends WxStatus {
  quota_num: number;
}

export interface TestUpdateOrderRequest {
  biz_id: string;
  order_id: string;
  delivery_id: string;
  waybill_id: string;
  action_time: number;
  action_type: number;
  action_msg: string;
}

export interface UpdatePrinterRequest {
  openid: string;
  update_type: 'bind' | 'unbind';
  /** Comma-separated tag ids, e.g. `123,456`. */
  tagid_list?: string;
}

export interface BindAccountRequest {
  type: 'bind' | 'unbind';
  biz_id: string;
  delivery_id: string;
  password?: string;
  remark_content?: string;
}

/** Request (`undefined` for the GET APIs, which have no body) and answer of each API. */
export interface EndpointTypes {
  addOrder: { request: AddOrderRequest; response: AddOrderResponse };
  batchGetOrder: { request: BatchGetOrderRequest; response: BatchGetOrderResponse };
  cancelOrder: { request: CancelOrderRequest; response: CancelOrderResponse };
  getAllAccount: { request: undefined; response: GetAllAccountResponse };
  getAllDelivery: { request: undefined; response: GetAllDeliveryResponse };
  getOrder: { request: GetOrderRequest; response: GetOrderResponse };
  getPath: { request: GetPathRequest; response: GetPathResponse };
  getPrinter: { request: undefined; response: GetPrinterResponse };
  getQuota: { request: GetQuotaRequest; response: GetQuotaResponse };
  testUpdateOrder: { request: TestUpdateOrderRequest; response: WxStatus };
  updatePrinter: { request: UpdatePrinterRequest; response: WxStatus };
  bindAccount: { request: BindAccountRequest; response: WxStatus };
}

export type EndpointName = keyof EndpointTypes;
export type RequestOf<N extends EndpointName> = EndpointTypes[N]['request'];
export type ResponseOf<N extends EndpointName> = EndpointTypes[N]['response'];
