// `npm run build` (also run by `prepare` on install): compiles src/ to dist/ with tsc
// (relative `.ts` imports rewritten to `.js`) and copies the runtime assets the code
// loads from disk next to it. bin/wxlogistics.js runs dist/ when it exists: plain
// node, no TypeScript loader thread (tsx costs ~40 MB of RSS).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(new URL('dist/', root), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', new URL('tsconfig.build.json', root).pathname], { stdio: 'inherit' });
for (const asset of ['proto/comm-api.proto', 'console/static']) {
  const from = new URL(`src/${asset}`, root);
  if (existsSync(from)) cpSync(from, new URL(`dist/${asset}`, root), { recursive: true });
}
