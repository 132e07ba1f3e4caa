#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stays small (it grows to tens of MB
// under load by default); measured on the getOrder benchmark: RSS 191 → 154 MB for
// about 5 % fewer requests per second. Running `node bin/wxlogistics.js` without the
// flag works the same, with more memory.
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
