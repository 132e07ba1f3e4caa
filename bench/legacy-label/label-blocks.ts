/** The HTML of each band of a waybill label; positions and sizes live in render-label.ts. */
import { code128Symbol, placeCode128, qrSvg, type Code128Symbol } from './barcode-svg.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { formatShanghaiTime } from '../../src/core/label/format-time.ts';
import type { LabelInput, LabelParty } from '../../src/core/label/label-input.ts';
import { maskPhone } from '../../src/core/label/mask-phone.ts';

const GOODS_MAX_CHARS = 60;

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
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

export function headerBand(input: LabelInput): string {
  return (
    `<div class="hdr"><div><span class="brand">${esc(input.delivery_name)}</span>` +
    `<span class="svc">${esc(input.service_name)}</span></div>` +
    `<div class="time">打印时间 ${formatShanghaiTime(input.print_time)}</div></div>`
  );
}

/** The waybill number's Code128, or null when it cannot be encoded (empty, too long). */
export function waybillSymbol(input: LabelInput): Code128Symbol | null {
  try {
    return code128Symbol(input.waybill_id);
  } catch {
    return null;
  }
}

/** Code128 of the waybill number with the number in digits under it (digits alone if no symbol). */
export function barcodeBand(input: LabelInput, sym: Code128Symbol | null, maxWidthMm: number, heightMm: number, cls = 'bc'): string {
  const svg = sym ? placeCode128(sym, { maxWidthMm, heightMm }) : `<div class="nobc" style="height:${heightMm}mm"></div>`;
  return `<div class="${cls}">${svg}<div class="digits">${esc(input.waybill_id)}</div></div>`;
}

export function sortCodeBand(input: LabelInput): string {
  return `<div class="sort">${esc(waybillValue(input, 'mark') ?? '')}</div>`;
}

/** 集包地; blank when the carrier gives none (EMS, TEST). */
export function hubBand(input: LabelInput): string {
  const bag = waybillValue(input, 'bagAddr');
  return bag ? `<div class="hub"><span class="tag">集</span><span>${esc(bag)}</span></div>` : '';
}

export interface PartyOptions {
  role: '收' | '寄';
  size: 'big' | 'small';
  qrOf?: string;
  qrMm?: number;
}

export function partyBand(p: LabelParty, o: PartyOptions): string {
  const phone = p.mobile || p.tel || '';
  let qr = '';
  if (o.qrOf !== undefined) {
    try {
      qr = `<div class="qr">${qrSvg(o.qrOf, o.qrMm)}</div>`;
    } catch {
      qr = '';
    }
  }
  return (
    `<div class="party ${o.size}"><div class="role">${o.role}</div><div class="pbody">` +
    `<div class="pline"><span class="pname">${esc(p.name ?? '')}</span>` +
    `<span class="pphone">${esc(phone ? maskPhone(phone) : '')}</span></div>` +
    (p.company ? `<div class="pcomp">${esc(p.company)}</div>` : '') +
    `<div class="paddr">${esc(fullAddress(p))}</div></div>${qr}</div>`
  );
}

/** Remark, goods, weight / pieces / insured value, order id. */
export function detailLines(input: LabelInput): string {
  const lines: string[] = [];
  if (input.custom_remark) lines.push(`<div class="remark">备注：${esc(input.custom_remark)}</div>`);
  if (input.goods.length > 0) lines.push(`<div>物品：${esc(clip(input.goods.join('，'), GOODS_MAX_CHARS))}</div>`);
  const facts = [`重量：${num(input.weight_kg)}kg`, `件数：${num(input.cargo_count)}`];
  if (input.insured_value_fen !== undefined) facts.push(`保价：${fenToYuan(input.insured_value_fen)}元`);
  lines.push(`<div class="facts">${facts.map((f) => `<span>${f}</span>`).join('')}</div>`);
  lines.push(`<div class="oid">订单号：${esc(input.order_id)}</div>`);
  return lines.join('');
}

/** Details, then the 已验视 mark and the signature box (签收人 / 时间). */
export function infoBand(input: LabelInput): string {
  return (
    `<div class="info"><div class="details">${detailLines(input)}</div>` +
    '<div class="foot"><div class="inspected">已验视</div>' +
    '<div class="sign"><div>签收人：</div><div>时间：</div></div></div></div>'
  );
}
