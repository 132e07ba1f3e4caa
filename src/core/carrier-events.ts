// Carrier events (events.md §3): the bodies we push to a registered carrier and the reading of its replies.
import { WxError } from './errors.ts';
import type { WireObject } from './push-events.ts';
import type { WaybillDataItem } from './waybill.ts';
import { arr, obj, str, type Body } from './validate.ts';

/**
 * FromUserName of the pushes that come "from the WeChat team" (add_waybill, check_biz,
 * get_quota: a fixed OpenID, events.md §3.1). WeChat's value is not published; this one is ours.
 */
export const WECHAT_TEAM_OPENID = 'oWXL_logistics_team_000000';

type Header = { toUserName: string; fromUserName: string; createTime: number };

const header = (h: Header, event: string) => ({
  ToUserName: h.toUserName,
  FromUserName: h.fromUserName,
  CreateTime: h.createTime,
  MsgType: 'event',
  Event: event,
});

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Sender / Receiver of add_waybill: every field, strings, Country defaulting to 中国 (§3.1). */
function party(v: unknown): WireObject {
  const p = obj(v) ?? {};
  return {
    Name: str(p.name),
    Tel: str(p.tel),
    Mobile: str(p.mobile),
    Company: str(p.company),
    PostCode: str(p.post_code),
    Country: str(p.country) || '中国',
    Province: str(p.province),
    City: str(p.city),
    Area: str(p.area),
    Address: str(p.address),
  };
}

export interface AddWaybillOptions extends Header {
  token: string;
  body: Body;
  bizPwd: string;
  shopAppid: string;
  /** From our number segment, or "0": the carrier allocates (§3.1, provider-api.md §0). */
  waybillId: string;
}

/** add_waybill from an addOrder body: every field of events.md §3.1, in the table's order. */
export function addWaybillEvent(o: AddWaybillOptions): WireObject {
  const b = o.body;
  const cargo = obj(b.cargo) ?? {};
  const insured = obj(b.insured) ?? {};
  const service = obj(b.service) ?? {};
  return {
    ...header(o, 'add_waybill'),
    Token: o.token,
    OrderID: str(b.order_id),
    BizID: str(b.biz_id),
    BizPwd: o.bizPwd,
    ShopAppID: o.shopAppid,
    WayBillID: o.waybillId,
    Remark: str(b.custom_remark),
    Sender: party(b.sender),
    Receiver: party(b.receiver),
    Cargo: {
      Weight: num(cargo.weight),
      Space_X: num(cargo.space_x),
      Space_Y: num(cargo.space_y),
      Space_Z: num(cargo.space_z),
      Count: num(cargo.count),
      DetailList: arr(cargo.detail_list).map((d) => ({ Name: str(obj(d)?.name), Count: num(obj(d)?.count) })),
    },
    Insured: { UseInsured: num(insured.use_insured), InsuredValue: num(insured.insured_value) },
    Service: { ServiceType: num(service.service_type), ServiceName: str(service.service_name) },
  };
}

export interface CancelWaybillOptions extends Header {
  bizId: string;
  bizPwd: string;
  shopAppid: string;
  orderId: string;
  waybillId: string;
}

/** cancel_waybill (§3.2); FromUserName is the ordering user's OpenID here. */
export function cancelWaybillEvent(o: CancelWaybillOptions): WireObject {
  return {
    ...header(o, 'cancel_waybill'),
    BizID: o.bizId,
    BizPwd: o.bizPwd,
    ShopAppID: o.shopAppid,
    OrderID: o.orderId,
    WayBillID: o.waybillId,
  };
}

export interface AccountEventOptions extends Header {
  bizId: string;
  bizPwd: string;
  shopAppid: string;
}

/** check_biz (§3.3) and get_quota (§3.4): the same three fields. */
export function accountEvent(event: 'check_biz' | 'get_quota', o: AccountEventOptions): WireObject {
  return { ...header(o, event), BizID: o.bizId, BizPwd: o.bizPwd, ShopAppID: o.shopAppid };
}

/** A carrier reply, keys lower-cased (house suggestion of §3.0: read reply keys case-insensitively). */
export type CarrierReply = Record<string, unknown>;

/** A number field of a reply: a JSON number, or bare decimal text in XML. */
export function replyNumber(reply: CarrierReply, key: string): number | undefined {
  const v = reply[key.toLowerCase()];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** A string field of a reply (numbers accepted as their text: some carriers send IDs bare). */
export function replyString(reply: CarrierReply, key: string): string | undefined {
  const v = reply[key.toLowerCase()];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Why a reply cannot be used for `event`, or undefined when it can: ResultCode must be a
 * number; Event, when present, must name the pushed event (case-insensitively); echoed
 * fields, when present, must equal what we pushed.
 */
export function replyProblem(reply: CarrierReply, event: string, echoes: Record<string, string>): string | undefined {
  if (replyNumber(reply, 'ResultCode') === undefined) return 'reply has no numeric ResultCode';
  const ev = replyString(reply, 'Event');
  if (ev !== undefined && ev.toLowerCase() !== event) return `reply Event is ${JSON.stringify(ev)}, not ${event}`;
  for (const [key, expected] of Object.entries(echoes)) {
    const got = replyString(reply, key);
    if (got !== undefined && got !== expected) return `reply ${key} ${JSON.stringify(got)} does not echo ${JSON.stringify(expected)}`;
  }
  return undefined;
}

/**
 * WaybillData `##key##value##key##value##` → waybill_data `[{key, value}]` (§3.1 grammar):
 * `##`, then zero or more `key##value##` pairs. '' counts as no data.
 * @throws WxError 9300502 when the text does not follow the grammar.
 */
export function parseWaybillData(text: string): WaybillDataItem[] {
  if (text === '' || text === '##') return [];
  if (!text.startsWith('##') || !text.endsWith('##') || text.length < 4) {
    throw new WxError('deliverySysError', `WaybillData ${JSON.stringify(text.slice(0, 80))} is not ##key##value##…`);
  }
  const parts = text.slice(2, -2).split('##');
  if (parts.length % 2 !== 0 || parts.some((p, i) => i % 2 === 0 && p === '')) {
    throw new WxError('deliverySysError', `WaybillData ${JSON.stringify(text.slice(0, 80))} does not hold key##value pairs`);
  }
  const items: WaybillDataItem[] = [];
  for (let i = 0; i < parts.length; i += 2) items.push({ key: parts[i]!, value: parts[i + 1]! });
  return items;
}
