/**
 * The label engine: a layout is a list of parts, static text and holes (functions of the values
 * being printed), compiled once into a function that joins precomputed static strings with the
 * holes' output. Nothing is parsed or templated per call. The built-in labels (render-label.ts)
 * and carrier templates (carrier-template.ts) are both compiled here.
 *
 * A hole returns finished HTML: holes that print user text escape it themselves (escape-html.ts).
 *
 * A compiled layout also writes its UTF-8 straight into a buffer (`write`): the static text is
 * copied from bytes encoded once, and only the holes' output is encoded per call. A label built as
 * a string is a rope of some hundred pieces, flattened into one two-byte string (its Chinese text)
 * of twice its length before it can be encoded: ~16 KB of the ~53 KB a first print of the built-in
 * label allocated.
 */

/** Finished HTML for one place in the layout, computed from the values being printed. */
export type Hole<V> = (values: V) => string;

/** Static HTML, a hole, or a nested list of parts (flattened at compile time). */
export type Part<V> = string | Hole<V> | readonly Part<V>[];

/** A compiled layout: values in, HTML out, as a string or as UTF-8 written into a buffer. */
export interface CompiledTemplate<V> {
  (values: V): string;
  /**
   * Writes the HTML's UTF-8 into `into` from byte `at`; returns where it ends, or -1 when `into`
   * may be too short for it (its bytes from `at` are then undefined: write again into a larger one).
   */
  write(values: V, into: Buffer, at: number): number;
}

function flatten<V>(parts: readonly Part<V>[], statics: string[], holes: Hole<V>[]): void {
  for (const p of parts) {
    if (typeof p === 'string') statics[statics.length - 1] += p;
    else if (typeof p === 'function') {
      holes.push(p);
      statics.push('');
    } else flatten(p, statics, holes);
  }
}

/** Compiles parts: adjacent static text is merged, so a render is `s0 + h0(v) + s1 + … + sN`. */
export function compileTemplate<V>(parts: readonly Part<V>[]): CompiledTemplate<V> {
  const statics = [''];
  const holes: Hole<V>[] = [];
  flatten(parts, statics, holes);
  const n = holes.length;
  const head = statics[0]!;
  const rest = statics.slice(1);
  const bytes = statics.map((text) => Buffer.from(text, 'utf8'));
  const render = (values: V): string => {
    let out = head;
    for (let i = 0; i < n; i++) out += holes[i]!(values) + rest[i]!;
    return out;
  };
  const write = (values: V, into: Buffer, at: number): number => {
    const end = into.length;
    let chunk = bytes[0]!;
    if (at + chunk.length > end) return -1;
    at += chunk.copy(into, at);
    for (let i = 0; i < n; i++) {
      const text = holes[i]!(values);
      // A UTF-16 unit takes at most 3 bytes of UTF-8 (a pair of them, 4), so this much room is enough.
      if (at + 3 * text.length > end) return -1;
      at += into.write(text, at, 'utf8');
      chunk = bytes[i + 1]!;
      if (at + chunk.length > end) return -1;
      at += chunk.copy(into, at);
    }
    return at;
  };
  return Object.assign(render, { write });
}

/** Parts written as a tagged template: `` tpl`<b>${hole}</b>` ``; substitutions are parts. */
export function tpl<V>(strings: TemplateStringsArray, ...subs: Part<V>[]): Part<V>[] {
  const out: Part<V>[] = [strings[0] ?? ''];
  subs.forEach((s, i) => out.push(s, strings[i + 1] ?? ''));
  return out;
}

/** A section printed only when `shown(values)`; its own parts are compiled once. */
export function section<V>(shown: (values: V) => boolean, parts: readonly Part<V>[]): Hole<V> {
  const inner = compileTemplate(parts);
  return (values) => (shown(values) ? inner(values) : '');
}
