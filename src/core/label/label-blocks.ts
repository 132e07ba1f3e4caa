/**
 * The bands of a waybill label as label-engine parts (label-template.ts): static HTML with holes
 * that read a `LabelValues`. Positions and sizes live in render-label.ts.
 */
import type { Code128Bars } from './code128.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { formatShanghaiTime } from './format-time.ts';
import type { LabelInput, LabelParty } from './label-input.ts';
import { section, tpl, type Part } from './label-template.ts';
import { maskPhone } from './mask-phone.ts';
import type { QrMatrix } from './qr-matrix.ts';
import { code128Svg, qrSvg } from './symbol-svg.ts';

const GOODS_MAX_CHARS = 60;

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

/** Yuan with two decimals from integer fen, without float rounding surprises. */
export function fenToYuan(fen: number): string {
  const f = Math.round(Math.abs(fen));
  return `${fen < 0 ? '-' : ''}${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;
}

const num = (n: number): string => (Number.isFinite(n) ? String(Number(n.toFixed(3))) : '');

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
  const symbol = (v: V): string => (v.bars ? code128Svg(v.bars, { maxWidthMm, heightMm }, v.barsPath) : noSymbol);
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
export function partyBand(party: (input: LabelInput) => LabelParty, o: PartyOptions): P {
  const phone = (v: V): string => {
    const p = party(v.input);
    const n = p.mobile || p.tel || '';
    return esc(n ? maskPhone(n) : '');
  };
  const qrMm = o.qrMm;
  const qr: P = qrMm === undefined ? '' : section((v: V) => v.qr !== null, tpl`<div class="qr">${(v: V) => qrSvg(v.qr!, qrMm)}</div>`);
  return [
    `<div class="party ${o.size}"><div class="role">${o.role}</div><div class="pbody">`,
    tpl`<div class="pline"><span class="pname">${(v: V) => esc(party(v.input).name ?? '')}</span>`,
    tpl`<span class="pphone">${phone}</span></div>`,
    section((v: V) => !!party(v.input).company, tpl`<div class="pcomp">${(v: V) => esc(party(v.input).company ?? '')}</div>`),
    tpl`<div class="paddr">${(v: V) => esc(fullAddress(party(v.input)))}</div></div>`,
    qr,
    '</div>',
  ];
}

export const receiverOf = (input: LabelInput): LabelParty => input.receiver;
export const senderOf = (input: LabelInput): LabelParty => input.sender;

function facts(v: V): string {
  const i = v.input;
  const insured = i.insured_value_fen === undefined ? '' : `<span>保价：${fenToYuan(i.insured_value_fen)}元</span>`;
  return `<span>重量：${num(i.weight_kg)}kg</span><span>件数：${num(i.cargo_count)}</span>${insured}`;
}

/** Remark, goods, weight / pieces / insured value, order id. */
export const detailLines: P = [
  section((v: V) => !!v.input.custom_remark, tpl`<div class="remark">备注：${(v: V) => esc(v.input.custom_remark ?? '')}</div>`),
  section((v: V) => v.input.goods.length > 0, tpl`<div>物品：${(v: V) => esc(clip(v.input.goods.join('，'), GOODS_MAX_CHARS))}</div>`),
  tpl`<div class="facts">${facts}</div>`,
  tpl`<div class="oid">订单号：${(v: V) => esc(v.input.order_id)}</div>`,
];

/** Details, then the 已验视 mark and the signature box (签收人 / 时间). */
export const infoBand: P = [
  '<div class="info"><div class="details">',
  detailLines,
  '</div>',
  '<div class="foot"><div class="inspected">已验视</div>',
  '<div class="sign"><div>签收人：</div><div>时间：</div></div></div></div>',
];
