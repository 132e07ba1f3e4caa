/**
 * The real server in its own process, as users run it: the compiled dist/ on
 * plain node (no TypeScript loader), with its background workers started.
 * Usage: server-child.mjs <dataDir | postgres://…?schema=…> [JSON of more AppConfig options]. Prints one JSON line {"url": …} once
 * listening; SIGTERM closes it cleanly. run.ts builds dist/ first.
 * WXL_BENCH_DIST=<dir>: another build's dist/ instead (bench/variants.ts compares builds).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { createApplication } = await import(
  process.env.WXL_BENCH_DIST ? pathToFileURL(resolve(process.env.WXL_BENCH_DIST, 'app.js')).href : '../dist/app.js'
);

const where = process.argv[2];
if (!where) throw new Error('usage: server-child.mjs <dataDir | postgres://…>');

const extra = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const app = await createApplication({
  ...(/^postgres(ql)?:\/\//i.test(where) ? { storeUrl: where } : { dataDir: where }),
  logger: false,
  ...extra,
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
