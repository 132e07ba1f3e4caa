#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stays small (it grows to tens of MB
// under load by default); measured on the getOrder benchmark: RSS 191 → 154 MB for
// about 5 % fewer requests per second. Running `node bin/wxlogistics.js` without the
// flag works the same, with more memory.
// Runs the compiled dist/: what the installed package ships (plain node, nothing
// TypeScript). In a checkout `npm install` builds it (`prepare`); without it — or with
// WXL_FROM_SOURCE=1, as the repo's tests do — the TypeScript sources run through tsx,
// a development dependency that an installed package does not have.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(compiled) && (process.env.WXL_FROM_SOURCE !== '1' || !existsSync(source))) {
  await import(compiled.href);
} else if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  console.error('wxlogistics: dist/cli/main.js is missing; run `npm run build`');
  process.exit(1);
}
