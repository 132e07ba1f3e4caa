/**
 * The addOrder body every benchmark order uses: the TEST carrier with its
 * sandbox biz_id, so no bound account or quota is involved (house rule 5).
 * Only order_id varies.
 */
export const ORDER_TEMPLATE = {
  add_source: 0,
  openid: 'oABC',
  delivery_id: 'TEST',
  biz_id: 'test_biz_id',
  sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
  receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '广州市', area: '天河区', address: 'YY路' },
  shop: { goods_name: '抱枕', img_url: 'https://x/y.png', goods_count: 1 },
  cargo: { count: 1, weight: 1.2, space_x: 10, space_y: 10, space_z: 10, detail_list: [{ name: '抱枕', count: 1 }] },
  insured: { use_insured: 0, insured_value: 0 },
  service: { service_type: 0, service_name: '标准快递' },
} as const;

export const orderBody = (orderId: string): Record<string, unknown> => ({ order_id: orderId, ...ORDER_TEMPLATE });

/** order_id of the n-th pre-built order. */
export const storedOrderId = (n: number): string => String(n);
