// Puts this checkout's compiled better-sqlite3 binary into npm's prebuild cache
// (<npm cache>/_prebuilds/), under the name better-sqlite3's installer
// (prebuild-install) looks for before it downloads one. On a machine that reaches
// GitHub the first install of better-sqlite3 fills that cache itself; on one that
// reaches only the npm registry every install falls back to compiling SQLite from
// source (about two minutes on two cores). The package test and the examples install
// the packed tarball into fresh projects, so they seed the cache first: the install
// still runs better-sqlite3's own install script and loads the binary it unpacks.
// Does nothing when the entry exists or when the installed better-sqlite3 is not
// the version package.json asks for.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Seeds the cache if needed; answers the cache file's path, or undefined when it could not. */
export function seedPrebuildCache({ log = () => {} } = {}) {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const wanted = require('./package.json').dependencies['better-sqlite3'];
  const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));
  const pkg = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8'));
  const binary = join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
  if (pkg.version !== wanted || !existsSync(binary)) {
    log(`prebuild cache: installed better-sqlite3 ${pkg.version} is not ${wanted} or has no binary; not seeding`);
    return undefined;
  }
  const fromModule = createRequire(join(moduleDir, 'package.json'));
  const prebuildDir = dirname(fromModule.resolve('prebuild-install/package.json'));
  const rc = fromModule(join(prebuildDir, 'rc.js'));
  const util = fromModule(join(prebuildDir, 'util.js'));
  const cached = util.cachedPrebuild(util.getDownloadUrl({ ...rc(pkg), pkg }));
  if (existsSync(cached)) return cached;
  mkdirSync(dirname(cached), { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  execFileSync('tar', ['-czf', partial, '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  execFileSync('mv', [partial, cached]);
  log(`prebuild cache: seeded ${cached}`);
  return cached;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = seedPrebuildCache({ log: (line) => console.error(line) });
  if (at) console.error(`prebuild cache: ${at}`);
}
