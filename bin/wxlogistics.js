#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stays small (by default it grows to
// tens of MB under load). It trades CPU for memory: every short-lived allocation of a
// request (a label render allocates a few hundred KB) fills a 2 MB semi-space sooner,
// so scavenges run more often and promote more to the old generation. `npm run bench`
// measures both settings on the cold getOrder path (README "Benchmarks"). Running
// `node bin/wxlogistics.js` without the flag works the same, with more memory.
// MALLOC_MMAP_THRESHOLD_=131072: glibc's own default threshold, fixed. By default glibc
// raises it each time a mapped block is freed (up to 32 MB), after which large buffers
// (the getOrder answer ring of src/core/answer-arena.ts, SQLite's page caches) come from
// the malloc heap, which only shrinks from its top (README "Benchmarks"). Other C
// libraries ignore the variable.
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
