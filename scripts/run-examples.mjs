// `npm run examples` (and .ci/run): the consumer projects in examples/ against the
// package as users get it. Packs the repo once (scripts/pack.mjs: `npm pack`, which
// builds dist/, in a staging copy), copies
// each example into a temporary directory next to the tarball (their package.json
// depends on `file:../wxlogistics.tgz`), installs it with `npm install` as a user
// would (the test frameworks at the versions the example pins, from the registry)
// and runs its `npm test`. Exits non-zero when any example fails.
//
//   node scripts/run-examples.mjs [node-test|vitest|jest …] [--keep]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packRepo } from './pack.mjs';
import { seedPrebuildCache } from './seed-prebuild-cache.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const examplesDir = join(root, 'examples');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const wanted = args.filter((a) => !a.startsWith('--'));
// Consumer projects are the directories with a package.json; the others (the reference
// carrier: plain node, no dependencies, tested by test/reference-carrier.test.ts) are not installed.
const isConsumer = (name) => statSync(join(examplesDir, name)).isDirectory() && existsSync(join(examplesDir, name, 'package.json'));
const examples = readdirSync(examplesDir)
  .sort()
  .filter((name) => isConsumer(name) && (wanted.length === 0 || wanted.includes(name)));
if (wanted.length > 0 && examples.length !== wanted.length) {
  console.error(`unknown example in ${wanted.join(', ')} (have: ${readdirSync(examplesDir).join(', ')})`);
  process.exit(2);
}

// The examples' own output goes to stdout; what this script says goes to stderr.
const say = (line) => console.error(`[examples] ${line}`);
const run = (command, argv, cwd) => {
  const started = Date.now();
  // Not the repo's environment: no tsx loader or npm settings of ours leak into a consumer.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_')));
  const result = spawnSync(command, argv, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env });
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
};
const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

seedPrebuildCache({ log: say });
const work = mkdtempSync(join(tmpdir(), 'wxl-examples-'));
let failed = 0;
try {
  say(`npm pack (scripts/pack.mjs) → ${work}`);
  renameSync(packRepo(work).path, join(work, 'wxlogistics.tgz'));

  for (const name of examples) {
    const dir = join(work, name);
    cpSync(join(examplesDir, name), dir, { recursive: true, filter: (src) => !/node_modules|package-lock\.json$/.test(src) });
    const install = run('npm', ['install', ...NPM_QUIET], dir);
    if (!install.ok) {
      say(`${name}: npm install failed (${install.seconds} s)`);
      failed++;
      continue;
    }
    const test = run('npm', ['test', '--silent'], dir);
    say(`${name}: install ${install.seconds} s, test ${test.ok ? 'passed' : 'FAILED'} (${test.seconds} s)`);
    if (!test.ok) failed++;
  }
} finally {
  if (keep) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`examples: ${examples.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
