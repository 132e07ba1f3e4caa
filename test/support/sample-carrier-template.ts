/**
 * A carrier label template in WeChat's template language (provider-api.md §2), shaped like a
 * 76 × 130 mm single-part label, and values to fill it: used by the scan test and the label
 * benchmark. The images follow the doc's `data:image/jpeg;base64, ##CODE128(…)` form.
 */
import type { CarrierTemplateValues } from '../../src/core/label/carrier-template.ts';

export const SAMPLE_CARRIER_TEMPLATE = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>##VAR(sys.waybillid)</title>
<style>@page { size: 76mm 130mm; margin: 0 } body{margin:0;font-family:"Noto Sans CJK SC",sans-serif;font-size:3mm}
.l{width:76mm;height:130mm;padding:2mm;box-sizing:border-box} .bc{width:66mm;height:14mm;image-rendering:pixelated;display:block}
.qr{width:22mm;height:22mm;image-rendering:pixelated} .mark{font-size:7mm;font-weight:700}</style></head>
<body><div class="l">
<div>##VAR(custom.service.service_name) 打印 ##TIME(FULL)</div>
<img class="bc" alt="" src="data:image/jpeg;base64, ##CODE128(VAR(sys.waybillid))">
<div>##STRBLOAT(VAR(sys.waybillid))</div>
<div class="mark">##VAR(waybilldata.ZTO_mark)</div>
<div>集 ##VAR(waybilldata.ZTO_bagAddr)</div>
<div>收 ##VAR(custom.receiver.name) ##VAR(custom.receiver.mobile)<br>##VAR(custom.receiver.province)##VAR(custom.receiver.city)##VAR(custom.receiver.area)##VAR(custom.receiver.address)</div>
<div>寄 ##VAR(custom.sender.name) ##VAR(custom.sender.mobile)<br>##VAR(custom.sender.province)##VAR(custom.sender.city)##VAR(custom.sender.area)##VAR(custom.sender.address)</div>
<img class="qr" alt="" src="data:image/jpeg;base64, ##QRCODE(VAR(custom.order_id))">
<div>备注 ##VAR(custom.custom_remark) 物品 ##VAR(custom.shop.goods_name) ##VAR(custom.cargo.weight)kg</div>
</div></body></html>
`;

export function sampleCarrierValues(waybill_id: string, order_id: string): CarrierTemplateValues {
  return {
    waybill_id,
    waybill_data: [
      { key: 'ZTO_mark', value: '300-A12 05' },
      { key: 'ZTO_bagAddr', value: '广州转运中心' },
    ],
    print_time: 1700000000,
    custom: {
      order_id,
      delivery_id: 'ZTO',
      custom_remark: '易碎物品',
      sender: { name: '李四', mobile: '13800001111', province: '广东省', city: '广州市', area: '海珠区', address: '新港中路1号' },
      receiver: { name: '张三', mobile: '18600000000', province: '北京市', city: '北京市', area: '朝阳区', address: '建国路88号' },
      shop: { goods_name: '手机壳', goods_count: 1 },
      cargo: { count: 1, weight: 1.5 },
      service: { service_type: 0, service_name: '标准快递' },
    },
  };
}
