/** The label renderer as it was before the label engine (bwip-js SVG, templated per call), kept only so bench/label-render.ts can measure the engine against it in the same run. */
/**
 * The printable waybill label (house rule 10, spec/labels.md): a complete UTF-8 HTML5 document
 * laid out in mm, barcodes as inline SVG, no URL anywhere. Pure and deterministic: the same
 * input gives the same string, whatever the machine's time zone.
 *
 * print_type 1: single-part 76 × 130 mm, the bands of labels.md top to bottom.
 * print_type 0: two-part 100 × 180 mm, the same bands scaled to 100 mm above a dashed tear line,
 * and a tear-off part below repeating the waybill number (smaller Code128), receiver and sender.
 */
import { barcodeBand, detailLines, headerBand, hubBand, infoBand, partyBand, sortCodeBand, waybillSymbol } from './label-blocks.ts';
import type { Code128Symbol } from './barcode-svg.ts';
import { labelCss, type LabelFonts } from '../../src/core/label/label-css.ts';
import { escapeHtml } from './escape-html.ts';
import type { LabelInput, PrintType } from '../../src/core/label/label-input.ts';

interface Band {
  top: number;
  bottom: number;
  html: string;
  cls?: string;
}

interface Layout {
  width: number;
  height: number;
  fonts: LabelFonts;
  bands: Band[];
}

function singlePart(input: LabelInput, sym: Code128Symbol | null): Layout {
  return {
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
      { top: 0, bottom: 13, html: headerBand(input) },
      { top: 13, bottom: 28, html: barcodeBand(input, sym, 68, 10) },
      { top: 28, bottom: 35.5, html: sortCodeBand(input) },
      { top: 35.5, bottom: 41.75, html: hubBand(input) },
      { top: 41.75, bottom: 59.5, html: partyBand(input.receiver, { role: '收', size: 'big', qrOf: input.waybill_id, qrMm: 14 }) },
      { top: 59.5, bottom: 68.3, html: partyBand(input.sender, { role: '寄', size: 'small' }) },
      { top: 68.3, bottom: 80.3, html: barcodeBand(input, sym, 44, 7, 'bcs') },
      { top: 80.3, bottom: 130, html: infoBand(input), cls: 'last' },
    ],
  };
}

function twoPart(input: LabelInput, sym: Code128Symbol | null): Layout {
  return {
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
      { top: 0, bottom: 12, html: headerBand(input) },
      { top: 12, bottom: 30, html: barcodeBand(input, sym, 88, 12) },
      { top: 30, bottom: 39, html: sortCodeBand(input) },
      { top: 39, bottom: 45, html: hubBand(input) },
      { top: 45, bottom: 66, html: partyBand(input.receiver, { role: '收', size: 'big', qrOf: input.waybill_id, qrMm: 17 }) },
      { top: 66, bottom: 78, html: partyBand(input.sender, { role: '寄', size: 'small' }) },
      { top: 78, bottom: 110, html: infoBand(input), cls: 'last' },
      // lower tear-off part, kept by the courier
      { top: 110, bottom: 127, html: barcodeBand(input, sym, 70, 9, 'bcs'), cls: 'tear' },
      { top: 127, bottom: 145, html: partyBand(input.receiver, { role: '收', size: 'small' }) },
      { top: 145, bottom: 159, html: partyBand(input.sender, { role: '寄', size: 'small' }) },
      { top: 159, bottom: 180, html: `<div class="details">${detailLines(input)}</div>`, cls: 'last' },
    ],
  };
}

const mm = (n: number): string => `${Number(n.toFixed(3))}mm`;

/** The label as a complete HTML document; `printType` 0 two-part 100 × 180 mm, 1 single-part 76 × 130 mm. */
export function renderLabelHtml(input: LabelInput, printType: PrintType): string {
  const sym = waybillSymbol(input);
  const layout = printType === 1 ? singlePart(input, sym) : twoPart(input, sym);
  const bands = layout.bands.map(
    (b) => `<div class="band${b.cls ? ` ${b.cls}` : ''}" style="top:${mm(b.top)};height:${mm(b.bottom - b.top)}">${b.html}</div>`,
  );
  const title = `${input.delivery_name} ${input.waybill_id}`;
  return (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>\n${labelCss(layout.width, layout.height, layout.fonts)}</style>\n` +
    `</head>\n<body>\n<div class="label" data-print-type="${printType}">\n${bands.join('\n')}\n</div>\n</body>\n</html>\n`
  );
}
