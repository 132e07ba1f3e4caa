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

test('a layout writes its UTF-8 into a buffer: the string’s bytes, at an offset, or -1 where they may not fit', () => {
  const render = compileTemplate<V>(['<p title="运">', tpl`${(x: V) => x.name}😀`, section((x) => x.shown, ['<i>集</i>']), '</p>']);
  for (const values of [v, { ...v, name: '收件人 é' }, { ...v, shown: false }, { ...v, name: '' }]) {
    const expected = Buffer.from(render(values), 'utf8');
    const into = Buffer.alloc(3 + 3 * expected.length, 0x2e);
    const end = render.write(values, into, 3);
    assert.equal(end, 3 + expected.length);
    assert.deepEqual(into.subarray(3, end), expected);
    assert.equal(into.subarray(0, 3).toString(), '...', 'nothing before the offset is touched');
    // Too short by a byte, or by the room a hole's text may need: -1, never a partial label passed off as whole.
    assert.equal(render.write(values, Buffer.alloc(expected.length - 1), 0), -1);
  }
  // A hole's text that stops short of a character must not pass with what follows fitting behind it.
  const cut = compileTemplate<V>([() => '集集', '!']);
  assert.equal(cut.write(v, Buffer.alloc(5), 0), -1);
  assert.equal(cut.write(v, Buffer.alloc(7), 0), 7);
  assert.equal(compileTemplate<V>(['static only'])(v), 'static only');
  const into = Buffer.alloc(11);
  assert.equal(compileTemplate<V>(['static only']).write(v, into, 0), 11);
  assert.equal(into.toString(), 'static only');
});
