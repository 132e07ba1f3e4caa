import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './validate.ts';

/** The definition canonicalJson must keep (its first, plain implementation): idempotency compares stored bodies with it. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

test('canonicalJson writes what the plain definition writes: sorted keys at every level, undefined left out', () => {
  const values: unknown[] = [
    null,
    0,
    -1.5,
    'x"\\\u0000\u2028',
    true,
    [],
    {},
    [undefined, null, 1],
    { b: undefined, a: 1 },
    { z: { y: [{ b: 2, a: 1 }, 'é'] }, 中: 1, A: 2, a: 3, '': 4, '\ud83d\ude00': 5, é: 6, e: 7 },
    { order_id: 'o', sender: { name: '张三', mobile: '1' }, cargo: { detail_list: [{ name: '抱枕', count: 1 }], weight: 1.2 } },
  ];
  for (const v of values) assert.equal(canonicalJson(v), reference(v));
  assert.equal(canonicalJson({ b: 1, a: [2, { d: 1, c: 0 }] }), '{"a":[2,{"c":0,"d":1}],"b":1}');
});
