/**
 * The carrier catalogue of `shared/spec/carriers.md` §2–§4, plus what our
 * simulated carriers need: the waybill number shape, whether the carrier is a
 * franchise (加盟: quota per account, getQuota), whether binding goes through
 * review (EMS), and the cash biz_id (散单).
 */
export interface ServiceType {
  service_type: number;
  service_name: string;
}

export interface Carrier {
  delivery_id: string;
  delivery_name: string;
  service_type: ServiceType[];
  /** Franchise carriers keep an e-waybill balance per account (getQuota). */
  franchise: boolean;
  cash_biz_id?: string;
  /** Binding is reviewed by the carrier and answered later (EMS). */
  bindNeedsReview: boolean;
  /** Waybill number: a fixed prefix followed by `digits` digits. */
  waybill: { prefix: string; digits: number };
  /** waybill_data keys this carrier returns (house rule 11). */
  waybillDataKeys: ('mark' | 'bagAddr')[];
  /** A real carrier registered over the provider protocol (./carrier-directory.ts): it answers get_quota itself. */
  registered?: boolean;
}

const st = (pairs: [number, string][]): ServiceType[] => pairs.map(([service_type, service_name]) => ({ service_type, service_name }));

const franchise = (delivery_id: string, delivery_name: string, services: [number, string][], waybill: Carrier['waybill']): Carrier => ({
  delivery_id,
  delivery_name,
  service_type: st(services),
  franchise: true,
  bindNeedsReview: false,
  waybill,
  waybillDataKeys: ['mark', 'bagAddr'],
});

const direct = (
  delivery_id: string,
  delivery_name: string,
  services: [number, string][],
  waybill: Carrier['waybill'],
  more: Partial<Carrier> = {},
): Carrier => ({
  delivery_id,
  delivery_name,
  service_type: st(services),
  franchise: false,
  bindNeedsReview: false,
  waybill,
  waybillDataKeys: ['mark', 'bagAddr'],
  ...more,
});

const jdlServices: [number, string][] = [
  'B2C特惠送',
  'B2C京东特快',
  'C2B京东标快',
  'C2B京东特快',
  'B2C电商标快',
  'B2C京东特惠',
  '生鲜标快常温',
  '生鲜标快鲜活',
  '生鲜标快控温',
  '生鲜标快冷藏',
  '生鲜标快冷冻',
  '生鲜标快深冷',
  '生鲜特快常温',
  '生鲜特快鲜活',
  '生鲜特快控温',
  '生鲜特快冷藏',
  '生鲜特快冷冻',
  '生鲜特快深冷',
].map((name, i) => [i, name]);

export const carriers: readonly Carrier[] = [
  franchise('BEST', '百世快递', [[1, '普通快递']], { prefix: '55', digits: 11 }),
  direct(
    'DB',
    '德邦快递',
    [
      [1, '大件快递3.60'],
      [2, '特准快件'],
    ],
    { prefix: 'DPK', digits: 12 },
    {
      cash_biz_id: 'DB_CASH',
    },
  ),
  direct(
    'EMS',
    '中国邮政速递物流',
    [
      [6, '标准快递'],
      [9, '快递包裹'],
    ],
    { prefix: '11', digits: 11 },
    {
      bindNeedsReview: true,
      waybillDataKeys: [],
    },
  ),
  direct('JDL', '京东快递', jdlServices, { prefix: 'JDV', digits: 12 }),
  direct('PJ', '品骏快递', [[1, '普通快递']], { prefix: 'PJ', digits: 12 }),
  direct(
    'SF',
    '顺丰速运',
    [
      [0, '标准快递'],
      [1, '顺丰即日'],
      [2, '顺丰特快'],
      [3, '顺丰标快'],
      [4, '顺丰标快(协议)'],
    ],
    { prefix: 'SF', digits: 13 },
    { cash_biz_id: 'SF_CASH' },
  ),
  franchise(
    'YTO',
    '圆通速递',
    [
      [0, '普通快递'],
      [1, '圆准达'],
    ],
    { prefix: 'YT', digits: 13 },
  ),
  franchise('YUNDA', '韵达快递', [[0, '标准快件']], { prefix: '43', digits: 11 }),
  franchise('ZTO', '中通快递', [[0, '标准快件']], { prefix: '78', digits: 10 }),
  franchise('STO', '申通快递', [[1, '标准快递']], { prefix: '773', digits: 12 }),
  franchise(
    'ANE',
    '安能物流',
    [
      [95, 'MINI小包'],
      [22, '特准快运'],
    ],
    { prefix: '30', digits: 10 },
  ),
  franchise('UCE', '优速快递', [[0, '大包裹']], { prefix: '61', digits: 10 }),
  franchise('HHTT', '天天快递', [[0, '标准快递']], { prefix: '66', digits: 10 }),
  franchise('JTSD', '极兔快递', [[0, '标准快递']], { prefix: 'JT', digits: 13 }),
  {
    // House rule 11: the sandbox carrier with its two service types.
    delivery_id: 'TEST',
    delivery_name: '测试快递公司',
    service_type: st([
      [0, '标准快递'],
      [1, 'test_service_name'],
    ]),
    franchise: false,
    bindNeedsReview: false,
    waybill: { prefix: '', digits: 12 },
    waybillDataKeys: ['mark'],
  },
];

export const TEST_DELIVERY_ID = 'TEST';
export const TEST_BIZ_ID = 'test_biz_id';

const byId = new Map(carriers.map((c) => [c.delivery_id, c]));

export const findCarrier = (deliveryId: string): Carrier | undefined => byId.get(deliveryId);

/** The getAllDelivery record of one carrier (business-api.md §5). */
export const deliveryRecord = (c: Carrier) => ({
  delivery_id: c.delivery_id,
  delivery_name: c.delivery_name,
  can_use_cash: c.cash_biz_id ? 1 : 0,
  can_get_quota: c.franchise || c.registered ? 1 : 0,
  service_type: c.service_type,
  cash_biz_id: c.cash_biz_id ?? '',
});
