#!/usr/bin/env node
// Runs the compiled dist/ (built by `npm run build`, which `npm install` runs as
// `prepare`). Without it — or with WXL_FROM_SOURCE=1, as the tests do — the
// TypeScript sources run through tsx, so a fresh checkout works either way.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled) && process.env.WXL_FROM_SOURCE !== '1') {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
