// Packs the package from a staging copy of this checkout: `npm pack` runs `prepare`
// (the build), which deletes and rewrites dist/; done in place, it would pull dist/ from
// under anything running from it meanwhile (other test files of `npm test`, a server
// started from dist/). The copy holds what the build and the tarball need — package.json,
// bin/, src/, scripts/, the tsconfigs, README.md — with node_modules linked, not copied.
//
//   node scripts/pack.mjs DESTINATION_DIR   → prints the tarball's path
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const STAGED = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'bin', 'src', 'scripts', 'tsconfig.json', 'tsconfig.build.json'];

/** Builds and packs into `destination`; answers { path, size, unpackedSize, files } of the tarball. */
export function packRepo(destination) {
  const stage = mkdtempSync(join(tmpdir(), 'wxl-pack-'));
  try {
    for (const entry of STAGED) if (existsSync(join(root, entry))) cpSync(join(root, entry), join(stage, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const out = execFileSync('npm', ['pack', '--pack-destination', resolve(destination), '--json', '--loglevel=error'], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    // `prepare`'s own output (tsc) may come before the JSON.
    const [info] = JSON.parse(out.slice(out.indexOf('\n[') + 1 || out.indexOf('[')));
    return {
      path: join(resolve(destination), info.filename),
      size: info.size,
      unpackedSize: info.unpackedSize,
      files: info.files.map((f) => f.path),
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv[2]) {
    console.error('usage: node scripts/pack.mjs DESTINATION_DIR');
    process.exit(2);
  }
  console.log(JSON.stringify(packRepo(process.argv[2])));
}
