/**
 * STYLE §1: the domain core has no I/O and no adapters. core/ imports nothing
 * from http/, storage/<backend>/, push/, proto/, client/, cli/, nor network or
 * framework modules. (Our stand-in for the lint rule STYLE asks for.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const coreDir = fileURLToPath(new URL('../src/core/', import.meta.url));
const FORBIDDEN = [
  /^\.\.\/(http|push|proto|client|cli|console)\//,
  /^\.\.\/storage\/(sqlite|postgres)\//,
  /^\.\.\/app\.ts$/,
  /^(fastify|pg|better-sqlite3|undici|node:http|node:https|node:net|node:fs|node:child_process)$/,
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/core imports no adapter, backend, framework or I/O module', () => {
  const offenders: string[] = [];
  for (const file of files(coreDir)) {
    const depth = file.slice(coreDir.length).split('/').length - 1; // core/label/x.ts is one level deeper
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      const fromCore = depth > 0 && spec.startsWith('../'.repeat(depth + 1)) ? '../' + spec.slice(3 * (depth + 1)) : spec;
      if (FORBIDDEN.some((re) => re.test(fromCore))) offenders.push(`${file.slice(coreDir.length)} → ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});
