/**
 * The label engine: a layout is a list of parts, static text and holes (functions of the values
 * being printed), compiled once into a function that joins precomputed static strings with the
 * holes' output. Nothing is parsed or templated per call. The built-in labels (render-label.ts)
 * and carrier templates (carrier-template.ts) are both compiled here.
 *
 * A hole returns finished HTML: holes that print user text escape it themselves (escape-html.ts).
 */

/** Finished HTML for one place in the layout, computed from the values being printed. */
export type Hole<V> = (values: V) => string;

/** Static HTML, a hole, or a nested list of parts (flattened at compile time). */
export type Part<V> = string | Hole<V> | readonly Part<V>[];

/** A compiled layout: values in, HTML out. */
export type CompiledTemplate<V> = (values: V) => string;

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
  if (n === 0) return () => head;
  const rest = statics.slice(1);
  return (values) => {
    let out = head;
    for (let i = 0; i < n; i++) out += holes[i]!(values) + rest[i]!;
    return out;
  };
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
