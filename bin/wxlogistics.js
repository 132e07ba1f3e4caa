#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stays small (by default it grows to
// tens of MB under load). It trades CPU for memory: every short-lived allocation of a
// request (a label render allocates a few hundred KB) fills a 2 MB semi-space sooner,
// so scavenges run more often and promote more to the old generation. `npm run bench`
// measures both settings on the cold getOrder path (README "Benchmarks"). Running
// `node bin/wxlogistics.js` without the flag works the same, with more memory.
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
