/**
 * The package as users get it: the tarball of `npm pack`, installed with `npm install`
 * into an empty project (so none of our development dependencies: no tsx, no
 * TypeScript, no esbuild), used there on plain node — ESM `import` and CommonJS
 * `require` of both entry points, the type declarations under a consumer's `tsc`
 * with moduleResolution node16 and bundler, and `npx wxlogistics serve --json`.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE_TYPES = join(ROOT, 'node_modules', '@types');

/** The environment of a consumer's shell: none of the test runner's loader flags or npm settings. */
const consumerEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_') && k !== 'WXL_FROM_SOURCE'));

const run = (command: string, args: string[], cwd: string, timeout = 120_000) =>
  promisify(execFile)(command, args, { cwd, env: consumerEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });

/** Bytes under a directory (apparent size of files, as `du -sb` counts). */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sum + bytesUnder(path);
    return e.isFile() ? sum + statSync(path).size : sum;
  }, 0);
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

let work: string;
let consumer: string;
let packed: { path: string; size: number; unpackedSize: number; files: string[] };

before(
  async () => {
    // better-sqlite3's installer finds this checkout's binary instead of compiling SQLite (scripts/seed-prebuild-cache.mjs).
    await run(process.execPath, [join(ROOT, 'scripts', 'seed-prebuild-cache.mjs')], ROOT);
    work = mkdtempSync(join(tmpdir(), 'wxl-package-'));
    // scripts/pack.mjs builds and packs in a staging copy: the checkout's dist/ stays as it is for the other test files.
    packed = JSON.parse((await run(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), work], ROOT, 300_000)).stdout);
    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { wxlogistics: `file:${packed.path}` } }),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], consumer, 300_000);
  },
  { timeout: 600_000 },
);
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled code, declarations and runtime files; no sources, tests, source maps or docs', (t) => {
  const paths = packed.files;
  for (const expected of [
    'bin/wxlogistics.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cjs/index.cjs',
    'dist/cjs/index.d.cts',
    'dist/client/index.js',
    'dist/cjs/client/index.cjs',
    'dist/cjs/client/index.d.cts',
    'dist/cli/main.js',
    'dist/proto/comm-api.proto',
    'dist/console/static/index.html',
  ]) {
    assert.ok(paths.includes(expected), `${expected} is packed`);
  }
  const unwanted = paths.filter(
    (p) => /^(src|test|bench|docs|scripts|examples)\//.test(p) || p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts')),
  );
  assert.deepEqual(unwanted, []);
  t.diagnostic(`tarball ${mb(packed.size)}, unpacked ${mb(packed.unpackedSize)}, ${paths.length} files`);
});

test('the install has no development dependency of ours: no tsx, typescript or esbuild', (t) => {
  for (const dev of ['tsx', 'typescript', 'esbuild', 'wx-server-sdk'])
    assert.ok(!existsSync(join(consumer, 'node_modules', dev)), `${dev} is not installed`);
  const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', 'wxlogistics', 'package.json'), 'utf8'));
  assert.ok(!('tsx' in installed.dependencies), 'tsx is not a dependency');
  t.diagnostic(
    `node_modules/wxlogistics ${mb(bytesUnder(join(consumer, 'node_modules', 'wxlogistics')))}, whole node_modules ${mb(bytesUnder(join(consumer, 'node_modules')))}`,
  );
});

/** What both module systems run: start in process, call it through the typed client, read a runtime file (the console page). */
const USAGE = `
  const wx = await startWxLogistics();
  try {
    const client = new LogisticsClient({ appid: wx.app.appid, secret: wx.app.secret, baseUrl: wx.baseUrl });
    const order = { add_source: 0, order_id: 'pkg-1', openid: 'oPkg', delivery_id: 'TEST', biz_id: 'test_biz_id',
      sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
      receiver: { name: '王小蒙', mobile: '18610000000', province: '北京市', city: '北京市', area: '朝阳区', address: 'YY路' },
      shop: { goods_name: '抱枕', img_url: 'https://x/y.png', goods_count: 1 },
      cargo: { count: 1, weight: 1, space_x: 1, space_y: 1, space_z: 1, detail_list: [{ name: '抱枕', count: 1 }] },
      insured: { use_insured: 0, insured_value: 0 }, service: { service_type: 0, service_name: '标准快递' } };
    const added = await client.addOrder(order);
    const got = await client.getOrder({ order_id: 'pkg-1', openid: 'oPkg', delivery_id: 'TEST', waybill_id: added.waybill_id });
    const refused = await client.addOrder({ ...order, order_id: 'pkg-2', delivery_id: 'NOPE' }).catch((e) => e);
    const page = await fetch(wx.baseUrl + '/console');
    console.log(JSON.stringify({
      waybill: added.waybill_id === got.waybill_id,
      label: Buffer.from(got.print_html, 'base64').toString('utf8').includes(added.waybill_id),
      refused: refused instanceof WxApiError ? refused.errcode : String(refused),
      console: page.status,
      loaders: process.execArgv,
      // pg and protobufjs are loaded only for a PostgreSQL store or a cloud call (visible from CommonJS).
      lazy: typeof require === 'function' ? Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/](pg|protobufjs)[\\/]/.test(k)) : [],
    }));
  } finally {
    await wx.stop();
  }
`;

const assertUsage = (stdout: string) => {
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(result, { waybill: true, label: true, refused: 9300503, console: 200, loaders: [], lazy: [] });
};

test('import { startWxLogistics } from "wxlogistics" and the client from "wxlogistics/client" work on plain node (ESM)', async () => {
  writeFileSync(
    join(consumer, 'esm.mjs'),
    `import { startWxLogistics } from 'wxlogistics';\nimport { LogisticsClient, WxApiError } from 'wxlogistics/client';\n${USAGE}`,
  );
  assertUsage((await run(process.execPath, ['esm.mjs'], consumer)).stdout);
});

test('require("wxlogistics") and require("wxlogistics/client") work on plain node (CommonJS)', async () => {
  writeFileSync(
    join(consumer, 'cjs.cjs'),
    `const { startWxLogistics } = require('wxlogistics');\nconst { LogisticsClient, WxApiError } = require('wxlogistics/client');\n(async () => {\n${USAGE}\n})().catch((e) => { console.error(e); process.exit(1); });`,
  );
  assertUsage((await run(process.execPath, ['cjs.cjs'], consumer)).stdout);
});

/** A consumer file typed against the declarations; the @ts-expect-error lines fail the check if the types were `any`. */
const TYPED_USAGE = `
export async function shipOne(): Promise<string> {
  const wx = await startWxLogistics({ port: 0 });
  const client = new LogisticsClient({ appid: wx.app.appid, secret: wx.app.secret, baseUrl: wx.baseUrl });
  const cloudUrl: string = wx.cloudServiceUrl;
  const body: AddOrderRequest = {
    add_source: 0, order_id: 'o', delivery_id: 'TEST', biz_id: 'test_biz_id',
    sender: { name: 'a', mobile: '1', province: 'p', city: 'c', area: 'a', address: 'x' },
    receiver: { name: 'b', mobile: '2', province: 'p', city: 'c', area: 'a', address: 'y' },
    shop: { goods_name: 'g', goods_count: 1, img_url: 'u' },
    cargo: { count: 1, weight: 1, space_x: 1, space_y: 1, space_z: 1, detail_list: [{ name: 'g', count: 1 }] },
    insured: { use_insured: 0 }, service: { service_type: 0, service_name: 's' },
  };
  const added = await client.addOrder(body);
  // @ts-expect-error waybill_id is a string
  const wrong: number = added.waybill_id;
  // @ts-expect-error addOrder needs a body
  void client.addOrder();
  try {
    await client.cancelOrder({ order_id: 'o', delivery_id: 'TEST', waybill_id: added.waybill_id });
  } catch (error) {
    if (error instanceof WxApiError) return String(error.errcode) + cloudUrl + String(wrong);
  }
  await wx.reset();
  await wx.stop();
  return added.waybill_id;
}
`;

const IMPORTS = `import { startWxLogistics } from 'wxlogistics';\nimport { LogisticsClient, WxApiError, type AddOrderRequest } from 'wxlogistics/client';\n`;

async function typecheck(name: string, compilerOptions: Record<string, unknown>, files: Record<string, string>): Promise<void> {
  const dir = join(consumer, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    typeRoots: [NODE_TYPES],
    types: ['node'],
    ...compilerOptions,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: Object.keys(files) }));
  await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], dir).catch((error: { stdout: string }) => {
    assert.fail(`tsc (${name}) failed:\n${error.stdout}`);
  });
}

test('tsc --noEmit resolves the declarations with moduleResolution node16, from ESM (.d.ts) and CommonJS (.d.cts)', async () => {
  await typecheck(
    'types-node16',
    { module: 'node16', moduleResolution: 'node16' },
    { 'esm.mts': IMPORTS + TYPED_USAGE, 'cjs.cts': IMPORTS + TYPED_USAGE },
  );
});

test('tsc --noEmit resolves the declarations with moduleResolution bundler', async () => {
  await typecheck('types-bundler', { module: 'esnext', moduleResolution: 'bundler' }, { 'app.ts': IMPORTS + TYPED_USAGE });
});

test('npx wxlogistics serve --port 0 --json prints its line; the app in it gets a token', async () => {
  const child = spawn('npx', ['--no-install', 'wxlogistics', 'serve', '--port', '0', '--json', '--memory'], {
    cwd: consumer,
    env: consumerEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const line = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line within 60 s; stderr:\n${err}`)), 60_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (!out.includes('\n')) return;
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (code) => reject(new Error(`npx exited with ${code}:\n${err}`)));
    });
    const res = await fetch(`${line.baseUrl}/cgi-bin/token?grant_type=client_credential&appid=${line.appid}&secret=${line.secret}`);
    assert.match(((await res.json()) as { access_token: string }).access_token, /^\d+_/);
    assert.equal(out, `${JSON.stringify(line)}\n`);
  } finally {
    // npx runs the bin in a child of its own: end the whole process group.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
});

test('only src/package-files.ts uses import.meta.url (the CommonJS bundles define it for that module alone)', () => {
  const src = join(ROOT, 'src');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
    );
  const users = walk(src)
    .filter((f) => !f.includes('/testdata/') && readFileSync(f, 'utf8').includes('import.meta.url'))
    .map((f) => f.slice(src.length + 1));
  assert.deepEqual(users, ['package-files.ts']);
});
