import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorTable } from '../src/core/errors.ts';

// STYLE §3: the table, docs/errcodes.md and the code agree, both ways.
test('docs/errcodes.md lists exactly the errcode table', () => {
  const md = readFileSync(new URL('../docs/errcodes.md', import.meta.url), 'utf8');
  const rows = [...md.matchAll(/^\| (-?\d+) \| `([^`]*)` \| `(\w+)` \|$/gm)].map((m) => ({
    errcode: Number(m[1]),
    errmsg: m[2],
    name: m[3],
  }));
  const fromCode = Object.entries(errorTable).map(([name, e]) => ({ errcode: e.errcode, errmsg: e.errmsg, name }));
  assert.deepEqual(rows, fromCode);
});
