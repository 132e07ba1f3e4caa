/**
 * Files the code reads from disk at run time (the cloud call's `.proto` schema, the
 * console's static files), located from this module: it sits at the root of `src/`
 * when the sources run, and of `dist/` when the compiled code does (scripts/build.mjs
 * copies the files there). The CommonJS bundles in `dist/cjs/` have no
 * `import.meta.url`; the build defines it there as the URL of `dist/package-files.js`,
 * the place of this module in the ES build, which is why no other module may use
 * `import.meta.url` (test/package.test.ts checks it).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Absolute path of `relative` (a path under src/ or dist/), e.g. `packageFile('proto/comm-api.proto')`. */
export const packageFile = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/** `require` for CommonJS files of dependencies that no package entry exposes (resolved from this package). */
export const packageRequire: NodeJS.Require = createRequire(import.meta.url);
