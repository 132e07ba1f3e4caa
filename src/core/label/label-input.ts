/** What a printable waybill label is drawn from; filled by the order code from addOrder data. */
export interface LabelParty {
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
export interface LabelInput {
  delivery_id: string;
  delivery_name: string;
  waybill_id: string;
  order_id: string;
  waybill_data: { key: string; value: string }[];
  sender: LabelParty;
  receiver: LabelParty;
  custom_remark?: string;
  goods: string[]; // goods names (shop.detail_list[].goods_name or shop.goods_name, else cargo.detail_list[].name)
  cargo_count: number;
  weight_kg: number;
  service_name: string;
  insured_value_fen?: number; // present only when insured
  print_time: number; // unix seconds; the label is deterministic for a given input
}
export type PrintType = 0 | 1; // 0 = two-part 100x180mm (default), 1 = single-part 76x130mm
