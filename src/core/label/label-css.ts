/** The stylesheet of a label: everything in mm, system CJK fonts, nothing fetched. */
export interface LabelFonts {
  brand: number;
  base: number;
  small: number;
  digits: number;
  sort: number;
  hub: number;
  bigName: number;
  bigAddr: number;
  smallName: number;
  smallAddr: number;
}

export const FONT_STACK = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

export function labelCss(widthMm: number, heightMm: number, f: LabelFonts): string {
  return `@page { size: ${widthMm}mm ${heightMm}mm; margin: 0 }
*{box-sizing:border-box}
html,body{margin:0;padding:0;background:#fff;color:#000}
body{font-family:${FONT_STACK};font-size:${f.base}mm;line-height:1.25;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.label{position:relative;width:${widthMm}mm;height:${heightMm}mm;overflow:hidden;border:0.3mm solid #000}
.band{position:absolute;left:0;width:100%;overflow:hidden;border-bottom:0.3mm solid #000;padding:0.6mm 2mm}
.band.last{border-bottom:0}
.band.tear{border-top:0.4mm dashed #000}
.hdr{display:flex;justify-content:space-between;align-items:center;height:100%}
.brand{font-size:${f.brand}mm;font-weight:700;margin-right:2mm}
.svc{font-size:${f.base}mm;border:0.3mm solid #000;padding:0 1mm}
.time{font-size:${f.small}mm;text-align:right}
.bc,.bcs{display:flex;flex-direction:column;align-items:center;justify-content:center;height:100%}
.bc svg,.bcs svg{display:block}
.digits{font-size:${f.digits}mm;letter-spacing:0.4mm;font-weight:700;margin-top:0.4mm}
.bcs .digits{font-size:${f.small}mm;font-weight:400}
.sort{font-size:${f.sort}mm;font-weight:700;text-align:center;line-height:1;white-space:nowrap;padding-top:0.3mm}
.hub{font-size:${f.hub}mm;font-weight:700;display:flex;align-items:center;height:100%;white-space:nowrap}
.tag{display:inline-block;border:0.4mm solid #000;border-radius:50%;padding:0 0.8mm;margin-right:1.5mm}
.party{display:flex;align-items:flex-start;height:100%}
.role{font-weight:700;border:0.3mm solid #000;padding:0 0.6mm;margin-right:1.5mm;flex:none}
.pbody{flex:1;min-width:0;overflow:hidden}
.pline{white-space:nowrap;overflow:hidden}
.pname{margin-right:2mm;font-weight:700}
.big .role,.big .pline{font-size:${f.bigName}mm}
.big .paddr{font-size:${f.bigAddr}mm;font-weight:700}
.small .role,.small .pline{font-size:${f.smallName}mm}
.small .paddr{font-size:${f.smallAddr}mm}
.pcomp{font-size:${f.small}mm}
.qr{flex:none;margin-left:1.5mm;padding:0.5mm}
.qr svg{display:block}
.info{display:flex;flex-direction:column;justify-content:space-between;height:100%}
.details{font-size:${f.small}mm}
.remark{font-weight:700;font-size:${f.base}mm}
.facts span{margin-right:3mm}
.oid{font-size:${f.small}mm}
.foot{display:flex;align-items:flex-end;gap:2mm}
.inspected{border:0.5mm solid #000;border-radius:1mm;padding:0.5mm 1.5mm;font-weight:700;flex:none}
.sign{flex:1;border:0.3mm solid #000;padding:0.5mm 1mm;display:flex;justify-content:space-between;min-height:8mm}
.sign div{width:50%}
`;
}
