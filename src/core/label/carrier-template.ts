/**
 * WeChat's carrier label template language (provider-api.md §2, previewTemplate): an HTML
 * document with directives that start with `##` and are replaced in place —
 *
 *   ##VAR(key)                     the value of key, HTML-escaped
 *   ##TIME(DATE|TIME|FULL)         print time in China Standard Time: 2018/11/22, 17:54:06, or both
 *   ##STRBLOAT(VAR(key))           the value with a space between characters
 *   ##CODE128(VAR(key))            Code128 image of the value, Base64 (after `data:image/jpeg;base64,`)
 *   ##QRCODE(VAR(key))             QR code image of the value, Base64
 *   ##WXASUNCODE(VAR(key))         the merchant Mini Program's code image, Base64 (drawn as a QR, see below)
 *
 * with keys `sys.waybillid`, `sys.wxaappid`, `waybilldata.<KEY>` and `custom.<addOrder field>`.
 * A template is compiled once by the label engine (label-template.ts): directives are checked and
 * keys resolved at compile time, so a render only looks values up. An unknown directive, a
 * malformed one or an unknown key is `invalidWaybillTemplateFormat` (9300512) when compiling.
 * `##` not followed by a name and `(` is ordinary text (e.g. `href="##"`).
 *
 * Images are 1-bit PNGs (symbol-png.ts): browsers sniff the image bytes, so they show after the
 * template's `image/jpeg` prefix. A 小程序码 is WeChat's own symbol that only WeChat can issue;
 * `##WXASUNCODE` draws a QR code of the value instead (docs/deviations.md).
 */
import { WxError } from '../errors.ts';
import { encodeCode128 } from './code128.ts';
import { escapeHtml } from './escape-html.ts';
import { compileTemplate, type Hole, type Part } from './label-template.ts';
import { encodeQr } from './qr-matrix.ts';
import { code128Png, qrPng } from './symbol-png.ts';

/** sender / receiver of the addOrder body (business-api.md §1). */
export interface CarrierTemplateParty {
  name?: string | undefined;
  tel?: string | undefined;
  mobile?: string | undefined;
  company?: string | undefined;
  post_code?: string | undefined;
  country?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  area?: string | undefined;
  address?: string | undefined;
}

/** The addOrder body a template reads as `custom.<path>` (previewTemplate's `custom`). */
export interface CarrierTemplateCustom {
  order_id?: string | undefined;
  openid?: string | undefined;
  delivery_id?: string | undefined;
  biz_id?: string | undefined;
  custom_remark?: string | undefined;
  tagid?: number | undefined;
  add_source?: number | undefined;
  wx_appid?: string | undefined;
  expect_time?: number | undefined;
  take_mode?: number | undefined;
  sender?: CarrierTemplateParty | undefined;
  receiver?: CarrierTemplateParty | undefined;
  cargo?:
    | {
        count?: number | undefined;
        weight?: number | undefined;
        space_x?: number | undefined;
        space_y?: number | undefined;
        space_z?: number | undefined;
      }
    | undefined;
  shop?:
    | { wxa_path?: string | undefined; img_url?: string | undefined; goods_name?: string | undefined; goods_count?: number | undefined }
    | undefined;
  insured?: { use_insured?: number | undefined; insured_value?: number | undefined } | undefined;
  service?: { service_type?: number | undefined; service_name?: string | undefined } | undefined;
}

/** Everything a template can reference. */
export interface CarrierTemplateValues {
  /** `sys.waybillid`. */
  waybill_id: string;
  /** `waybilldata.<KEY>`: the carrier's WaybillData (`##KEY##value##…`) as key/value pairs. */
  waybill_data: readonly { key: string; value: string }[];
  /** `custom.<path>`: the order's addOrder body. */
  custom: CarrierTemplateCustom;
  /** `sys.wxaappid`, the merchant Mini Program's appid; `custom.wx_appid` when absent. */
  wxa_appid?: string | undefined;
  /** Print time for `##TIME`, unix seconds. */
  print_time: number;
}

/** A compiled carrier template: values in, the rendered HTML out. */
export type CompiledCarrierTemplate = (values: CarrierTemplateValues) => string;

type Lookup = (v: CarrierTemplateValues) => string;

const PARTY_FIELDS = ['name', 'tel', 'mobile', 'company', 'post_code', 'country', 'province', 'city', 'area', 'address'] as const;
const TOP_FIELDS = [
  'order_id',
  'openid',
  'delivery_id',
  'biz_id',
  'custom_remark',
  'tagid',
  'add_source',
  'wx_appid',
  'expect_time',
  'take_mode',
] as const;
const NESTED_FIELDS: Record<string, readonly string[]> = {
  sender: PARTY_FIELDS,
  receiver: PARTY_FIELDS,
  cargo: ['count', 'weight', 'space_x', 'space_y', 'space_z'],
  shop: ['wxa_path', 'img_url', 'goods_name', 'goods_count'],
  insured: ['use_insured', 'insured_value'],
  service: ['service_type', 'service_name'],
};

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

const invalid = (detail: string): WxError => new WxError('invalidWaybillTemplateFormat', detail);

/** Resolves a VAR key to a lookup at compile time. */
function lookupOf(key: string): Lookup {
  if (key === 'sys.waybillid') return (v) => v.waybill_id;
  if (key === 'sys.wxaappid') return (v) => v.wxa_appid ?? text(v.custom.wx_appid);
  if (key.startsWith('waybilldata.') && key.length > 'waybilldata.'.length) {
    const k = key.slice('waybilldata.'.length);
    return (v) => v.waybill_data.find((e) => e.key === k)?.value ?? '';
  }
  const path = key.startsWith('custom.') ? key.slice('custom.'.length).split('.') : [];
  const [head, field, ...more] = path;
  if (head !== undefined && field === undefined && (TOP_FIELDS as readonly string[]).includes(head)) {
    return (v) => text((v.custom as Record<string, unknown>)[head]);
  }
  if (head !== undefined && field !== undefined && more.length === 0 && NESTED_FIELDS[head]?.includes(field)) {
    return (v) => text(((v.custom as Record<string, unknown>)[head] as Record<string, unknown> | undefined)?.[field]);
  }
  throw invalid(`unknown key ${JSON.stringify(key)}`);
}

/** China Standard Time is UTC+8 all year, so no tz database is needed. */
const SHANGHAI_OFFSET_S = 8 * 3600;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function shanghai(unixSeconds: number): Date {
  return new Date((Math.floor(Number.isFinite(unixSeconds) ? unixSeconds : 0) + SHANGHAI_OFFSET_S) * 1000);
}
const dateOf = (d: Date): string => `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
const timeOf = (d: Date): string => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;

const TIME_FORMATS: Record<string, Hole<CarrierTemplateValues>> = {
  DATE: (v) => dateOf(shanghai(v.print_time)),
  TIME: (v) => timeOf(shanghai(v.print_time)),
  FULL: (v) => {
    const d = shanghai(v.print_time);
    return `${dateOf(d)} ${timeOf(d)}`;
  },
};

function code128Base64(value: string): string {
  if (value === '') return '';
  const bars = encodeCode128(value);
  if (!bars) throw invalid(`Code128 cannot encode ${JSON.stringify(value)}`);
  return code128Png(bars).toString('base64');
}

function qrBase64(value: string): string {
  if (value === '') return '';
  let png: Buffer;
  try {
    png = qrPng(encodeQr(value));
  } catch {
    throw invalid(`a QR code cannot hold ${value.length} characters`);
  }
  return png.toString('base64');
}

/** Directives whose argument is `VAR(key)`, and what they make of the value. */
const VALUE_DIRECTIVES: Record<string, (value: string) => string> = {
  STRBLOAT: (value) => escapeHtml([...value].join(' ')),
  CODE128: code128Base64,
  QRCODE: qrBase64,
  WXASUNCODE: qrBase64,
};

const DIRECTIVE = /##([A-Za-z_][A-Za-z0-9_]*)\(/g;
const VAR_ARG = /^VAR\(([^()]*)\)$/;

/** The argument text between the `(` at `open` and its matching `)`; throws when unbalanced. */
function argumentAt(source: string, open: number): { arg: string; end: number } {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { arg: source.slice(open + 1, i), end: i + 1 };
    else if (c === '\n' || c === '<' || c === '>') break;
  }
  throw invalid(`unclosed directive at offset ${open}`);
}

function directive(name: string, arg: string): Hole<CarrierTemplateValues> {
  if (name === 'VAR') {
    const look = lookupOf(arg.trim());
    return (v) => escapeHtml(look(v));
  }
  if (name === 'TIME') {
    const fmt = TIME_FORMATS[arg.trim()];
    if (!fmt) throw invalid(`##TIME(${arg}): the format is DATE, TIME or FULL`);
    return fmt;
  }
  const make = VALUE_DIRECTIVES[name];
  if (!make) throw invalid(`unknown directive ##${name}`);
  const m = VAR_ARG.exec(arg.trim());
  if (!m) throw invalid(`##${name}(${arg}): the argument is VAR(key)`);
  const look = lookupOf((m[1] ?? '').trim());
  return (v) => make(look(v));
}

/**
 * Compiles a carrier template (the HTML itself, not its Base64) into a render function.
 * Throws `WxError('invalidWaybillTemplateFormat')` (9300512) for an unknown or malformed
 * directive or an unknown key; the render throws it only when a barcode cannot hold its value.
 *
 * @example
 * const render = compileCarrierTemplate('<p>##VAR(sys.waybillid)</p><img src="data:image/jpeg;base64, ##CODE128(VAR(sys.waybillid))">');
 * render({ waybill_id: 'ZTO123', waybill_data: [], custom: {}, print_time: 1700000000 });
 */
export function compileCarrierTemplate(source: string): CompiledCarrierTemplate {
  const parts: Part<CarrierTemplateValues>[] = [];
  let at = 0;
  for (const m of source.matchAll(DIRECTIVE)) {
    const start = m.index;
    if (start < at) continue; // inside the previous directive's argument
    const open = start + m[0].length - 1;
    const { arg, end } = argumentAt(source, open);
    parts.push(source.slice(at, start), directive(m[1] ?? '', arg));
    at = end;
  }
  parts.push(source.slice(at));
  return compileTemplate(parts);
}
