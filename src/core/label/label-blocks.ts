/**
 * The bands of a waybill label as label-engine parts (label-template.ts): static HTML with holes
 * that read a `LabelValues`. Positions and sizes live in render-label.ts.
 */
import type { Code128Bars } from './code128.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { formatShanghaiTime } from './format-time.ts';
import type { LabelInput, LabelParty } from './label-input.ts';
import { compileTemplate, section, tpl, type Part } from './label-template.ts';
import { maskPhone } from './mask-phone.ts';
import type { QrMatrix } from './qr-matrix.ts';
import { code128SvgAt, qrSvgAt } from './symbol-svg.ts';

const GOODS_MAX_CHARS = 60;

/** A receiver or sender as the label prints them, escaped: the two-part label shows each twice. */
export interface PartyLines {
  name: string;
  /** The phone number, its middle masked. */
  phone: string;
  company: string;
  address: string;
}

/** One order's input with what several bands share, worked out once per render. */
export interface LabelValues {
  input: LabelInput;
  /** Code128 of the waybill number; null when it cannot be encoded (empty, too long). */
  bars: Code128Bars | null;
  /** `code128PathData(bars)`, shared by the main barcode and the tear-off stub. */
  barsPath: string;
  /** QR of the waybill number; null when it cannot be encoded. */
  qr: QrMatrix | null;
  mark: string | undefined;
  bagAddr: string | undefined;
  receiver: PartyLines;
  sender: PartyLines;
  /** Remark, goods, weight / pieces / insured value and order id (`detailLines`). */
  details: string;
}

type P = Part<LabelValues>;

/** Looks up `<delivery_id>_<suffix>` in waybill_data (e.g. `SF_mark`, `ZTO_bagAddr`). */
export function waybillValue(input: LabelInput, suffix: string): string | undefined {
  const key = `${input.delivery_id}_${suffix}`;
  return input.waybill_data.find((e) => e.key === key)?.value;
}

/** province + city + area + address, Chinese order, no separators; a repeated level (直辖市) once. */
export function fullAddress(p: LabelParty): string {
  const parts = [p.province, p.city, p.area, p.address].filter((s): s is string => !!s && s.trim() !== '');
  return parts.filter((s, i) => s !== parts[i - 1]).join('');
}

/** A party's name, masked phone, company and full address, each escaped for HTML. */
export function partyLines(p: LabelParty): PartyLines {
  const phone = p.mobile || p.tel || '';
  return {
    name: esc(p.name ?? ''),
    phone: esc(phone ? maskPhone(phone) : ''),
    company: esc(p.company ?? ''),
    address: esc(fullAddress(p)),
  };
}

/** Yuan with two decimals from integer fen, without float rounding surprises. */
export function fenToYuan(fen: number): string {
  const f = Math.round(Math.abs(fen));
  return `${fen < 0 ? '-' : ''}${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;
}

/** A number with at most three decimals, trailing zeros dropped; whole numbers (most counts and weights) skip `toFixed`, which is slow. */
const num = (n: number): string => (Number.isInteger(n) ? String(n) : Number.isFinite(n) ? String(Number(n.toFixed(3))) : '');

function clip(text: string, max: number): string {
  if (text.length <= max) return text; // fewer UTF-16 units than `max` means fewer characters too
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

type V = LabelValues;

export const headerBand: P = [
  tpl`<div class="hdr"><div><span class="brand">${(v: V) => esc(v.input.delivery_name)}</span>`,
  tpl`<span class="svc">${(v: V) => esc(v.input.service_name)}</span></div>`,
  tpl`<div class="time">打印时间 ${(v: V) => formatShanghaiTime(v.input.print_time)}</div></div>`,
];

/** Code128 of the waybill number with the number in digits under it (digits alone if no symbol). */
export function barcodeBand(maxWidthMm: number, heightMm: number, cls = 'bc'): P {
  const noSymbol = `<div class="nobc" style="height:${heightMm}mm"></div>`;
  const draw = code128SvgAt({ maxWidthMm, heightMm });
  const symbol = (v: V): string => (v.bars ? draw(v.bars, v.barsPath) : noSymbol);
  return tpl`<div class="${cls}">${symbol}<div class="digits">${(v: V) => esc(v.input.waybill_id)}</div></div>`;
}

export const sortCodeBand: P = tpl`<div class="sort">${(v: V) => esc(v.mark ?? '')}</div>`;

/** 集包地; blank when the carrier gives none (EMS, TEST). */
export const hubBand: P = section(
  (v: V) => !!v.bagAddr,
  tpl`<div class="hub"><span class="tag">集</span><span>${(v: V) => esc(v.bagAddr ?? '')}</span></div>`,
);

export interface PartyOptions {
  role: '收' | '寄';
  size: 'big' | 'small';
  qrMm?: number;
}

/** Receiver or sender; with `qrMm`, the waybill number's QR at the right. */
export function partyBand(party: (values: V) => PartyLines, o: PartyOptions): P {
  const drawQr = o.qrMm === undefined ? undefined : qrSvgAt(o.qrMm);
  const qr: P = drawQr ? section((v: V) => v.qr !== null, tpl`<div class="qr">${(v: V) => drawQr(v.qr!)}</div>`) : '';
  return [
    `<div class="party ${o.size}"><div class="role">${o.role}</div><div class="pbody">`,
    tpl`<div class="pline"><span class="pname">${(v: V) => party(v).name}</span>`,
    tpl`<span class="pphone">${(v: V) => party(v).phone}</span></div>`,
    section((v: V) => party(v).company !== '', tpl`<div class="pcomp">${(v: V) => party(v).company}</div>`),
    tpl`<div class="paddr">${(v: V) => party(v).address}</div></div>`,
    qr,
    '</div>',
  ];
}

export const receiverOf = (v: V): PartyLines => v.receiver;
export const senderOf = (v: V): PartyLines => v.sender;

function facts(input: LabelInput): string {
  const insured = input.insured_value_fen === undefined ? '' : `<span>保价：${fenToYuan(input.insured_value_fen)}元</span>`;
  return `<span>重量：${num(input.weight_kg)}kg</span><span>件数：${num(input.cargo_count)}</span>${insured}`;
}

type I = LabelInput;

/** Remark, goods, weight / pieces / insured value, order id: `LabelValues.details`. */
export const detailLines = compileTemplate<LabelInput>([
  section((i: I) => !!i.custom_remark, tpl`<div class="remark">备注：${(i: I) => esc(i.custom_remark ?? '')}</div>`),
  section((i: I) => i.goods.length > 0, tpl`<div>物品：${(i: I) => esc(clip(i.goods.join('，'), GOODS_MAX_CHARS))}</div>`),
  tpl`<div class="facts">${facts}</div>`,
  tpl`<div class="oid">订单号：${(i: I) => esc(i.order_id)}</div>`,
]);

/** The details, worked out once per render. */
export const details: P = (v: V) => v.details;

/** Details, then the 已验视 mark and the signature box (签收人 / 时间). */
export const infoBand: P = [
  '<div class="info"><div class="details">',
  details,
  '</div>',
  '<div class="foot"><div class="inspected">已验视</div>',
  '<div class="sign"><div>签收人：</div><div>时间：</div></div></div></div>',
];
