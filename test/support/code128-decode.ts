/**
 * Test utility: a Code128 decoder working from the bars of an inline SVG, as a scanner would from
 * the printed label. It rebuilds the bar/space widths from the SVG geometry (the label draws each
 * bar as a filled rectangle subpath `M x 0 h w v 1 h -w z`; bwip-js's vertical strokes whose
 * `stroke-width` is the bar width and `<rect>`s are understood too), converts them to modules
 * and decodes code sets A/B/C, SHIFT, FNC4 and the mod-103 checksum. It never reads text outside the bars.
 */

/** ISO/IEC 15417 bar/space patterns of values 0–105, then STOP. */
const PATTERNS = [
  '212222',
  '222122',
  '222221',
  '121223',
  '121322',
  '131222',
  '122213',
  '122312',
  '132212',
  '221213',
  '221312',
  '231212',
  '112232',
  '122132',
  '122231',
  '113222',
  '123122',
  '123221',
  '223211',
  '221132',
  '221231',
  '213212',
  '223112',
  '312131',
  '311222',
  '321122',
  '321221',
  '312212',
  '322112',
  '322211',
  '212123',
  '212321',
  '232121',
  '111323',
  '131123',
  '131321',
  '112313',
  '132113',
  '132311',
  '211313',
  '231113',
  '231311',
  '112133',
  '112331',
  '132131',
  '113123',
  '113321',
  '133121',
  '313121',
  '211331',
  '231131',
  '213113',
  '213311',
  '213131',
  '311123',
  '311321',
  '331121',
  '312113',
  '312311',
  '332111',
  '314111',
  '221411',
  '431111',
  '111224',
  '111422',
  '121124',
  '121421',
  '141122',
  '141221',
  '112214',
  '112412',
  '122114',
  '122411',
  '142112',
  '142211',
  '241211',
  '221114',
  '413111',
  '241112',
  '134111',
  '111242',
  '121142',
  '121241',
  '114212',
  '124112',
  '124211',
  '411212',
  '421112',
  '421211',
  '212141',
  '214121',
  '412121',
  '111143',
  '111341',
  '131141',
  '114113',
  '114311',
  '411113',
  '411311',
  '113141',
  '114131',
  '311141',
  '411131',
  '211412',
  '211214',
  '211232',
];
const STOP = '2331112';
const START_A = 103;
const START_B = 104;
const START_C = 105;
const VALUE_OF = new Map(PATTERNS.map((p, v) => [p, v]));

/** The `<svg data-barcode="code128">` elements of an HTML document, in document order. */
export function findCode128Svgs(html: string): string[] {
  return html.match(/<svg\b[^>]*\bdata-barcode="code128"[^>]*>[\s\S]*?<\/svg>/g) ?? [];
}

function attrs(tag: string): Map<string, string> {
  return new Map([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/**
 * The subpaths of SVG path data as lists of the x coordinates they visit. Understands the
 * commands bar drawings use: M/m, L/l, H/h, V/v and Z/z (absolute and relative); anything else
 * (curves, arcs) is not a bar and throws.
 */
export function subpathXs(d: string): number[][] {
  const tokens = d.match(/[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?/g) ?? [];
  const out: number[][] = [];
  let cur: number[] | null = null;
  let x = 0;
  let startX = 0; // y never matters: bars are told apart along x only
  let cmd = '';
  let i = 0;
  const num = (): number => {
    const t = tokens[i++];
    if (t === undefined || /[A-Za-z]/.test(t)) throw new Error(`unreadable path data: ${d}`);
    return Number(t);
  };
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (/[A-Za-z]/.test(t)) {
      cmd = t;
      i++;
    } else if (cmd === '' || cmd === 'z' || cmd === 'Z') throw new Error(`unreadable path data: ${d}`);
    switch (cmd) {
      case 'M':
      case 'm': {
        const nx = num();
        num();
        x = cmd === 'm' ? x + nx : nx;
        startX = x;
        cur = [x];
        out.push(cur);
        cmd = cmd === 'm' ? 'l' : 'L'; // further pairs are line-tos
        break;
      }
      case 'L':
      case 'l': {
        const nx = num();
        num();
        x = cmd === 'l' ? x + nx : nx;
        cur?.push(x);
        break;
      }
      case 'H':
      case 'h': {
        const nx = num();
        x = cmd === 'h' ? x + nx : nx;
        cur?.push(x);
        break;
      }
      case 'V':
      case 'v':
        num();
        break;
      case 'Z':
      case 'z':
        x = startX;
        break;
      default:
        throw new Error(`path command ${cmd} is not a bar`);
    }
    if (cur === null) throw new Error(`path data does not start with a move: ${d}`);
  }
  return out;
}

/** Dark intervals [x0, x1] along the symbol, from the SVG geometry. */
export function barIntervals(svg: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of svg.matchAll(/<(path|rect)\b([^>]*)>/g)) {
    const a = attrs(m[2] ?? '');
    if (m[1] === 'rect') {
      const x = Number(a.get('x') ?? 0);
      out.push([x, x + Number(a.get('width'))]);
      continue;
    }
    const strokeWidth = a.get('stroke-width');
    if (strokeWidth !== undefined && a.get('fill') !== undefined && a.get('fill') !== 'none') {
      throw new Error('stroked and filled path: not a bar drawing');
    }
    for (const xs of subpathXs(a.get('d') ?? '')) {
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      if (strokeWidth !== undefined) {
        // bwip-js draws a bar as a vertical stroke `M x y0 L x y1` as wide as the bar
        if (lo !== hi) throw new Error('stroked path is not a vertical bar');
        const w = Number(strokeWidth);
        out.push([lo - w / 2, lo + w / 2]);
      } else {
        if (lo === hi) throw new Error('filled subpath of no width');
        out.push([lo, hi]);
      }
    }
  }
  return out;
}

/** Alternating bar, space, bar, … widths (first and last are bars), overlapping bars merged. */
export function runWidths(intervals: [number, number][]): number[] {
  const sorted = [...intervals].sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const [x0, x1] of sorted) {
    const last = merged[merged.length - 1];
    if (last && x0 <= last[1] + 1e-9) last[1] = Math.max(last[1], x1);
    else merged.push([x0, x1]);
  }
  const runs: number[] = [];
  merged.forEach(([x0, x1], i) => {
    const prev = merged[i - 1];
    if (prev) runs.push(x0 - prev[1]);
    runs.push(x1 - x0);
  });
  return runs;
}

/** Run widths → module counts; the narrowest run is one module (every start pattern has one). */
export function toModules(runs: number[]): number[] {
  if (runs.length === 0) throw new Error('no bars');
  const unit = Math.min(...runs);
  return runs.map((r) => {
    const m = r / unit;
    const k = Math.round(m);
    if (Math.abs(m - k) > 0.2 || k < 1 || k > 4) throw new Error(`run of ${m.toFixed(2)} modules`);
    return k;
  });
}

/** Symbol values (start … check, stop excluded) of a module sequence read left to right. */
function symbolValues(modules: number[]): number[] {
  if (modules.length < 6 * 2 + 7 || (modules.length - 7) % 6 !== 0) {
    throw new Error(`${modules.length} bars and spaces is not a Code128 symbol`);
  }
  if (modules.slice(-7).join('') !== STOP) throw new Error('no stop pattern');
  const values: number[] = [];
  for (let i = 0; i < modules.length - 7; i += 6) {
    const pattern = modules.slice(i, i + 6).join('');
    const v = VALUE_OF.get(pattern);
    if (v === undefined) throw new Error(`unknown pattern ${pattern} at symbol ${i / 6}`);
    values.push(v);
  }
  return values;
}

/** Decodes module widths (either direction) to text; throws on any structural or checksum error. */
export function decodeModules(modules: number[]): string {
  let values: number[];
  try {
    values = symbolValues(modules);
  } catch (forward) {
    try {
      values = symbolValues([...modules].reverse());
    } catch {
      throw forward;
    }
  }
  const start = values[0] ?? -1;
  if (start !== START_A && start !== START_B && start !== START_C) throw new Error(`symbol starts with ${start}, not a start code`);
  const check = values[values.length - 1] ?? -1;
  const data = values.slice(1, -1);
  const sum = data.reduce((acc, v, i) => acc + v * (i + 1), start);
  if (sum % 103 !== check) throw new Error(`checksum ${check} != ${sum % 103}`);
  return interpret(start, data);
}

function interpret(start: number, data: number[]): string {
  let set: 'A' | 'B' | 'C' = start === START_A ? 'A' : start === START_B ? 'B' : 'C';
  let shifted = false;
  let fnc4Latch = false;
  let fnc4Pending = false;
  let out = '';
  data.forEach((v, i) => {
    const cur = shifted ? (set === 'A' ? 'B' : 'A') : set;
    shifted = false;
    if (v >= START_A) throw new Error(`start code inside the symbol at ${i + 1}`);
    if (cur === 'C') {
      if (v < 100) out += String(v).padStart(2, '0');
      else if (v === 100) set = 'B';
      else if (v === 101) set = 'A';
      else if (i > 0) out += '\x1d'; // FNC1; in first position it only flags GS1
      return;
    }
    if (v < 96) {
      const code = cur === 'A' ? (v < 64 ? v + 32 : v - 64) : v + 32;
      out += String.fromCharCode(fnc4Latch !== fnc4Pending ? code + 128 : code);
      fnc4Pending = false;
      return;
    }
    const fnc4 = (cur === 'A' && v === 101) || (cur === 'B' && v === 100);
    if (fnc4) {
      if (fnc4Pending) {
        fnc4Latch = !fnc4Latch;
        fnc4Pending = false;
      } else fnc4Pending = true;
      return;
    }
    if (v === 98) shifted = true;
    else if (v === 99) set = 'C';
    else if (v === 100) set = 'B';
    else if (v === 101) set = 'A';
    else if (v === 102 && i > 0) out += '\x1d'; // FNC1
    // 96 FNC3 and 97 FNC2 carry no data
  });
  if (shifted) throw new Error('SHIFT at end of data');
  return out;
}

/** Decodes one Code128 `<svg>` from its bars. */
export function decodeCode128Svg(svg: string): string {
  return decodeModules(toModules(runWidths(barIntervals(svg))));
}
