/** One complete label input (SF, both parties, remark, goods, insurance): the labels' tests and benchmark render it. */
import type { LabelInput } from '../../src/core/label/label-input.ts';

export const SAMPLE_LABEL_INPUT: LabelInput = {
  delivery_id: 'SF',
  delivery_name: '顺丰速运',
  waybill_id: 'SF1234567890123',
  order_id: 'order-0001',
  waybill_data: [
    { key: 'SF_mark', value: '755WF-020-12' },
    { key: 'SF_bagAddr', value: '广州转运中心' },
  ],
  sender: { name: '李四', mobile: '13800001111', province: '广东省', city: '广州市', area: '海珠区', address: '新港中路1号' },
  receiver: {
    name: '张三',
    mobile: '18600000000',
    company: '某某公司',
    province: '北京市',
    city: '北京市',
    area: '朝阳区',
    address: '建国路88号',
  },
  custom_remark: '易碎物品',
  goods: ['手机壳', '数据线'],
  cargo_count: 2,
  weight_kg: 1.5,
  service_name: '标准快递',
  insured_value_fen: 12345,
  print_time: 1700000000,
};
