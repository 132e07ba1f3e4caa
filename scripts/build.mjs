// `npm run build` (also run by `prepare`, so by `npm install` in the repo and by `npm pack`):
//
// 1. tsc compiles src/ to dist/ as ES modules (relative `.ts` imports rewritten to `.js`)
//    with declarations, and the runtime files the code reads from disk are copied next
//    to it. bin/wxlogistics.js runs dist/ on plain node, no TypeScript loader (tsx costs
//    ~40 MB of RSS and is not installed with the package).
// 2. Declarations are kept only where a package entry point's types reach (the
//    server's internals are not part of the typed surface), with `.js` specifiers:
//    tsc leaves the sources' `.ts` ones in declaration output.
// 3. Each entry point of package.json `exports` also gets a CommonJS bundle
//    (esbuild; dependencies stay `require`d from node_modules, the lazily loaded ones
//    — pg, protobufjs — still only when used) and `.d.cts` declarations, for
//    `require('wxlogistics')` from CommonJS code such as cloud functions.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

/** The runtime files (relative to src/ and dist/) read through src/package-files.ts. */
const ASSETS = ['proto/comm-api.proto', 'console/static'];

/** `exports` of package.json as { subpath, esm: dist/….js, cjs: dist/cjs/….cjs, source: src/….ts }. */
function entryPoints() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => {
      const esm = target.import.default.replace(/^\.\//, '');
      const cjs = target.require.default.replace(/^\.\//, '');
      const source = esm.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      if (!existsSync(join(root, source))) throw new Error(`package.json exports ${subpath}: ${source} does not exist`);
      return { subpath, esm, cjs, cjsTypes: target.require.types.replace(/^\.\//, ''), source };
    });
}

function compile() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const asset of ASSETS) {
    const from = join(root, 'src', asset);
    if (existsSync(from)) cpSync(from, join(dist, asset), { recursive: true });
  }
}

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

const RELATIVE_SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]+?)\.ts\2/g;

/** Rewrites `.ts` specifiers to `.js` in every declaration; deletes those no entry point reaches. */
function pruneDeclarations(entries) {
  const declarations = walk(dist).filter((f) => f.endsWith('.d.ts'));
  for (const file of declarations) {
    writeFileSync(file, readFileSync(file, 'utf8').replace(RELATIVE_SPECIFIER, '$1$2$3.js$2'));
  }
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file) || !existsSync(file)) return;
    reached.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)\.js['"]/g)) {
      visit(join(dirname(file), `${m[1]}.d.ts`));
    }
  };
  for (const entry of entries) visit(join(root, entry.esm.replace(/\.js$/, '.d.ts')));
  for (const file of declarations) if (!reached.has(file)) rmSync(file);
  return [...reached];
}

/** The reached declarations again under dist/cjs/ as `.d.cts` (specifiers `.cjs`), so TypeScript reads them as CommonJS. */
function writeCjsDeclarations(declarations) {
  for (const file of declarations) {
    const target = join(dist, 'cjs', relative(dist, file).replace(/\.d\.ts$/, '.d.cts'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(file, 'utf8').replace(/((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]+?)\.js\2/g, '$1$2$3.cjs$2'));
  }
}

async function bundleCjs(entries) {
  const esbuild = require('esbuild');
  for (const entry of entries) {
    const outfile = join(root, entry.cjs);
    // src/package-files.ts is the one module that uses import.meta.url; in a bundle it
    // must still name dist/package-files.js, the directory the runtime files are copied to.
    const toPackageFiles = relative(dirname(outfile), join(dist, 'package-files.js'));
    await esbuild.build({
      entryPoints: [join(root, entry.source)],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
      define: { 'import.meta.url': '__wxlPackageFilesUrl' },
      banner: {
        js: `const __wxlPackageFilesUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(toPackageFiles)})).href;`,
      },
    });
    if (!existsSync(join(root, entry.cjsTypes))) throw new Error(`${entry.subpath}: no ${entry.cjsTypes} after the build`);
  }
}

rmSync(dist, { recursive: true, force: true });
const entries = entryPoints();
compile();
writeCjsDeclarations(pruneDeclarations(entries));
await bundleCjs(entries);
