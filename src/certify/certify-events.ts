// The carrier events the certification sends, built as WeChat would (events.md §3.1–§3.4).
// Pure: ids, times and tokens come in through the arguments.
import type { WireObject } from '../core/push-events.ts';

/** Who the push comes from and goes to (§3.0 header). */
export type Header = { toUserName: string; fromUserName: string; createTime: number };

export type Account = { bizId: string; bizPwd: string; shopAppId: string };

/**
 * The documented convention for "cancel after pickup": WeChat has no event that tells a carrier
 * a parcel was collected (pickup happens in the carrier's world and is reported with updatePath),
 * so the certification asks for a waybill whose `Remark` carries this marker, and a carrier's test
 * server treats that waybill as picked up at once. A carrier that cannot do this can point the
 * check at a waybill that really is picked up (`carrier check --picked-up ORDER_ID:WAYBILL_ID`).
 */
export const PICKED_UP_REMARK = 'wxlogistics-certify:picked-up';

const header = (h: Header, event: string): WireObject => ({
  ToUserName: h.toUserName,
  FromUserName: h.fromUserName,
  CreateTime: h.createTime,
  MsgType: 'event',
  Event: event,
});

const address = (name: string, mobile: string, city: string, area: string, address: string): WireObject => ({
  Name: name,
  Tel: '020-88888888',
  Mobile: mobile,
  Company: '微信物流认证测试',
  PostCode: '510000',
  Country: '中国',
  Province: '广东省',
  City: city,
  Area: area,
  Address: address,
});

/** add_waybill with every field of §3.1 and the example's realistic values; `sender`/`receiver` override single fields. */
export function addWaybillEvent(
  h: Header,
  a: Account,
  o: { token: string; orderId: string; waybillId: string; remark?: string; sender?: WireObject; receiver?: WireObject },
): WireObject {
  return {
    ...header(h, 'add_waybill'),
    Token: o.token,
    OrderID: o.orderId,
    BizID: a.bizId,
    BizPwd: a.bizPwd,
    ShopAppID: a.shopAppId,
    WayBillID: o.waybillId,
    Remark: o.remark ?? '易碎物品',
    Sender: { ...address('张三', '13800138000', '广州市', '天河区', '天河路 123 号'), ...o.sender },
    Receiver: { ...address('李四', '13900139000', '深圳市', '南山区', '科技园 1 号'), ...o.receiver },
    Cargo: {
      Weight: 1.2,
      Space_X: 20.5,
      Space_Y: 15.0,
      Space_Z: 10.0,
      Count: 2,
      DetailList: [
        { Name: '一千零一夜精装版', Count: 1 },
        { Name: '水彩笔', Count: 1 },
      ],
    },
    Insured: { UseInsured: 1, InsuredValue: 10000 },
    Service: { ServiceType: 0, ServiceName: '标准快递' },
  };
}

/** cancel_waybill (§3.2): FromUserName is the ordering user's OpenID here. */
export function cancelWaybillEvent(h: Header, a: Account, o: { orderId: string; waybillId: string }): WireObject {
  return {
    ...header(h, 'cancel_waybill'),
    BizID: a.bizId,
    BizPwd: a.bizPwd,
    ShopAppID: a.shopAppId,
    OrderID: o.orderId,
    WayBillID: o.waybillId,
  };
}

/** check_biz (§3.3), without the EMS-only fields. */
export function checkBizEvent(h: Header, a: Account): WireObject {
  return { ...header(h, 'check_biz'), BizID: a.bizId, BizPwd: a.bizPwd, ShopAppID: a.shopAppId };
}

/** get_quota (§3.4). */
export function getQuotaEvent(h: Header, a: Account): WireObject {
  return { ...header(h, 'get_quota'), BizID: a.bizId, BizPwd: a.bizPwd, ShopAppID: a.shopAppId };
}
