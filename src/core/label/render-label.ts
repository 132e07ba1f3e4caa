/**
 * The printable waybill label (house rule 10, spec/labels.md): a complete UTF-8 HTML5 document
 * laid out in mm, barcodes as inline SVG, no URL anywhere. Pure and deterministic: the same
 * input gives the same string, whatever the machine's time zone.
 *
 * print_type 1: single-part 76 × 130 mm, the bands of labels.md top to bottom.
 * print_type 0: two-part 100 × 180 mm, the same bands scaled to 100 mm above a dashed tear line,
 * and a tear-off part below repeating the waybill number (smaller Code128), receiver and sender.
 *
 * Each layout is compiled once by the label engine (label-template.ts); a render encodes the
 * symbols once and fills the holes.
 */
import { encodeCode128 } from './code128.ts';
import { escapeHtml } from './escape-html.ts';
import {
  barcodeBand,
  detailLines,
  details,
  headerBand,
  hubBand,
  infoBand,
  partyBand,
  partyLines,
  receiverOf,
  senderOf,
  sortCodeBand,
  waybillValue,
  type LabelValues,
} from './label-blocks.ts';
import { labelCss, type LabelFonts } from './label-css.ts';
import type { LabelInput, PrintType } from './label-input.ts';
import { compileTemplate, tpl, type CompiledTemplate, type Part } from './label-template.ts';
import { encodeQr, type QrMatrix } from './qr-matrix.ts';
import { code128PathData } from './symbol-svg.ts';

type P = Part<LabelValues>;

interface Band {
  top: number;
  bottom: number;
  html: P;
  cls?: string;
}

interface Layout {
  width: number;
  height: number;
  fonts: LabelFonts;
  bands: Band[];
}

const singlePart: Layout = {
  width: 76,
  height: 130,
  fonts: {
    brand: 5,
    base: 2.8,
    small: 2.4,
    digits: 3,
    sort: 6.2,
    hub: 4,
    bigName: 3.8,
    bigAddr: 3.3,
    smallName: 2.8,
    smallAddr: 2.5,
  },
  bands: [
    { top: 0, bottom: 13, html: headerBand },
    { top: 13, bottom: 28, html: barcodeBand(68, 10) },
    { top: 28, bottom: 35.5, html: sortCodeBand },
    { top: 35.5, bottom: 41.75, html: hubBand },
    { top: 41.75, bottom: 59.5, html: partyBand(receiverOf, { role: '收', size: 'big', qrMm: 14 }) },
    { top: 59.5, bottom: 68.3, html: partyBand(senderOf, { role: '寄', size: 'small' }) },
    { top: 68.3, bottom: 80.3, html: barcodeBand(44, 7, 'bcs') },
    { top: 80.3, bottom: 130, html: infoBand, cls: 'last' },
  ],
};

const twoPart: Layout = {
  width: 100,
  height: 180,
  fonts: {
    brand: 6,
    base: 3,
    small: 2.6,
    digits: 3.4,
    sort: 7.5,
    hub: 4.6,
    bigName: 4.2,
    bigAddr: 3.7,
    smallName: 3,
    smallAddr: 2.7,
  },
  bands: [
    // upper part, kept on the parcel
    { top: 0, bottom: 12, html: headerBand },
    { top: 12, bottom: 30, html: barcodeBand(88, 12) },
    { top: 30, bottom: 39, html: sortCodeBand },
    { top: 39, bottom: 45, html: hubBand },
    { top: 45, bottom: 66, html: partyBand(receiverOf, { role: '收', size: 'big', qrMm: 17 }) },
    { top: 66, bottom: 78, html: partyBand(senderOf, { role: '寄', size: 'small' }) },
    { top: 78, bottom: 110, html: infoBand, cls: 'last' },
    // lower tear-off part, kept by the courier
    { top: 110, bottom: 127, html: barcodeBand(70, 9, 'bcs'), cls: 'tear' },
    { top: 127, bottom: 145, html: partyBand(receiverOf, { role: '收', size: 'small' }) },
    { top: 145, bottom: 159, html: partyBand(senderOf, { role: '寄', size: 'small' }) },
    { top: 159, bottom: 180, html: ['<div class="details">', details, '</div>'], cls: 'last' },
  ],
};

const mm = (n: number): string => `${Number(n.toFixed(3))}mm`;

function compileLayout(layout: Layout, printType: PrintType): CompiledTemplate<LabelValues> {
  const bands: P[] = [];
  layout.bands.forEach((b, i) => {
    if (i > 0) bands.push('\n');
    bands.push(`<div class="band${b.cls ? ` ${b.cls}` : ''}" style="top:${mm(b.top)};height:${mm(b.bottom - b.top)}">`, b.html, '</div>');
  });
  return compileTemplate([
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n',
    tpl`<title>${(v: LabelValues) => escapeHtml(`${v.input.delivery_name} ${v.input.waybill_id}`)}</title>\n`,
    `<style>\n${labelCss(layout.width, layout.height, layout.fonts)}</style>\n`,
    `</head>\n<body>\n<div class="label" data-print-type="${printType}">\n`,
    bands,
    '\n</div>\n</body>\n</html>\n',
  ]);
}

const compiled: Record<PrintType, CompiledTemplate<LabelValues>> = { 0: compileLayout(twoPart, 0), 1: compileLayout(singlePart, 1) };

function qrOrNull(text: string): QrMatrix | null {
  try {
    return encodeQr(text);
  } catch {
    return null;
  }
}

/** What the bands share for one input, worked out once: the symbols, the waybill_data values, the parties and the details. */
export function labelValues(input: LabelInput): LabelValues {
  const bars = encodeCode128(input.waybill_id);
  return {
    input,
    bars,
    barsPath: bars ? code128PathData(bars) : '',
    qr: qrOrNull(input.waybill_id),
    mark: waybillValue(input, 'mark'),
    bagAddr: waybillValue(input, 'bagAddr'),
    receiver: partyLines(input.receiver),
    sender: partyLines(input.sender),
    details: detailLines(input),
  };
}

/** The label of values already prepared by `labelValues` (the benchmark times the two apart). */
export function renderLabelValues(values: LabelValues, printType: PrintType): string {
  return compiled[printType === 1 ? 1 : 0](values);
}

/** The label as a complete HTML document; `printType` 0 two-part 100 × 180 mm, 1 single-part 76 × 130 mm. */
export function renderLabelHtml(input: LabelInput, printType: PrintType): string {
  return renderLabelValues(labelValues(input), printType);
}
