// Merchant event bodies (events.md §2) and their XML / JSON serialisations (§1.3).

/** A wire value: strings become CDATA, numbers bare text, arrays repeated elements (§2.1). */
export type WireValue = string | number | WireObject | readonly WireObject[];
export type WireObject = { readonly [field: string]: WireValue };

export type PathAction = { ActionTime: number; ActionType: number; ActionMsg: string };

// Field order is the order events.md §2.1 lists (and the XML example prints); JSON.stringify keeps it.
export type AddExpressPathEvent = {
  ToUserName: string;
  FromUserName: string;
  CreateTime: number;
  MsgType: 'event';
  Event: 'add_express_path';
  DeliveryID: string;
  WayBillId: string; // sic: `WayBillId`, unlike the carrier events' `WayBillID` (§2.1 vs §3.1)
  OrderId?: string;
  Version: number;
  Count: number;
  Actions: PathAction[];
};

// §2.2: the only event whose body fields are snake case.
export type UpdateBusinessBindResultEvent = {
  ToUserName: string;
  FromUserName: string;
  CreateTime: number;
  MsgType: 'event';
  Event: 'update_business_bind_result';
  errcode: number;
  errmsg: string;
  delivery_id: string;
  biz_id: string;
};

type Header = { toUserName: string; fromUserName: string; createTime: number };

export type AddExpressPathOptions = Header & {
  deliveryId: string;
  waybillId: string;
  orderId?: string;
  version: number;
  actions: readonly { actionTime: number; actionType: number; actionMsg: string }[];
};

/** Build `add_express_path`: `Count` is derived from `Actions`, which is the full node list (§2.1, house rule 9). */
export function addExpressPathEvent(o: AddExpressPathOptions): AddExpressPathEvent {
  return {
    ToUserName: o.toUserName,
    FromUserName: o.fromUserName,
    CreateTime: o.createTime,
    MsgType: 'event',
    Event: 'add_express_path',
    DeliveryID: o.deliveryId,
    WayBillId: o.waybillId,
    // exactOptionalPropertyTypes: omit the key rather than send `undefined`.
    ...(o.orderId === undefined ? {} : { OrderId: o.orderId }),
    Version: o.version,
    Count: o.actions.length,
    Actions: o.actions.map((a) => ({ ActionTime: a.actionTime, ActionType: a.actionType, ActionMsg: a.actionMsg })),
  };
}

export type UpdateBusinessBindResultOptions = Header & {
  errcode: number;
  errmsg: string;
  deliveryId: string;
  bizId: string;
};

/** Build `update_business_bind_result` (§2.2). */
export function updateBusinessBindResultEvent(o: UpdateBusinessBindResultOptions): UpdateBusinessBindResultEvent {
  return {
    ToUserName: o.toUserName,
    FromUserName: o.fromUserName,
    CreateTime: o.createTime,
    MsgType: 'event',
    Event: 'update_business_bind_result',
    errcode: o.errcode,
    errmsg: o.errmsg,
    delivery_id: o.deliveryId,
    biz_id: o.bizId,
  };
}

// A literal "]]>" cannot sit inside one CDATA section; split it across two.
const cdata = (s: string): string => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

function element(name: string, value: WireValue): string {
  if (Array.isArray(value)) return value.map((item: WireObject) => element(name, item)).join('');
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${name}: ${value} has no XML form`);
    return `<${name}>${value}</${name}>`;
  }
  return `<${name}>${children(value as WireObject)}</${name}>`;
}

function children(obj: WireObject): string {
  // An `undefined` can still arrive from plain-JS callers; skip it as JSON.stringify does.
  return Object.entries(obj)
    .filter((entry): entry is [string, WireValue] => entry[1] !== undefined)
    .map(([k, v]) => element(k, v))
    .join('');
}

/**
 * Serialise an event as WeChat's XML body: `<xml>…</xml>`, strings in CDATA, numbers bare,
 * an array as one element per item (`<Actions>…</Actions><Actions>…</Actions>`, §2.1).
 * No whitespace between elements; the spec's pretty example is for reading only.
 */
export function toXml(obj: WireObject): string {
  return `<xml>${children(obj)}</xml>`;
}

/** Compact JSON, keys in insertion order (README house rule 1: no whitespace between tokens). */
export function toJson(obj: WireObject): string {
  return JSON.stringify(obj);
}
