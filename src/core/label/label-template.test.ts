import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, section, tpl, type Part } from './label-template.ts';

interface V {
  name: string;
  n: number;
  shown: boolean;
}
const v: V = { name: 'x', n: 3, shown: true };

test('static parts, nested lists and holes join in order', () => {
  const name = (x: V): string => x.name;
  const parts: Part<V>[] = ['<a>', ['<b>', name, ['</b>']], tpl`<c n="${(x: V) => String(x.n)}">${name}</c>`, '</a>'];
  const render = compileTemplate(parts);
  assert.equal(render(v), '<a><b>x</b><c n="3">x</c></a>');
  assert.equal(render({ ...v, name: 'y', n: 4 }), '<a><b>y</b><c n="4">y</c></a>');
});

test('a layout without holes is its static text; holes are called once per render', () => {
  assert.equal(compileTemplate<V>(['a', ['b'], 'c'])(v), 'abc');
  let calls = 0;
  const render = compileTemplate<V>([
    '[',
    () => {
      calls++;
      return 'h';
    },
    ']',
  ]);
  assert.equal(render(v), '[h]');
  assert.equal(calls, 1);
});

test('a section prints its parts only when shown', () => {
  const render = compileTemplate<V>(['<p>', section((x) => x.shown, tpl`<i>${(x: V) => x.name}</i>`), '</p>']);
  assert.equal(render(v), '<p><i>x</i></p>');
  assert.equal(render({ ...v, shown: false }), '<p></p>');
});
