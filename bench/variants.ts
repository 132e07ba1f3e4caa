/**
 * Before/after on one machine in one run: getOrder (hot or cold) on several server variants,
 * interleaved round by round with the bare node:http baseline, so that the machine's drift hits
 * all alike. A variant is the compiled server of another build, other AppConfig options, or
 * another environment; each runs on its own copy of the bench store.
 *
 *   BENCH_VARIANTS='before:dist=.bench-cache/ab/before;after:' node --import tsx bench/variants.ts
 *   BENCH_VARIANTS='on:;off:options={"ridLog":false}' BENCH_KIND=cold node --import tsx bench/variants.ts
 *
 * A variant is `name:setting|setting…`: `dist=<dir>` (a compiled dist/ of another commit, e.g.
 * `git worktree add /tmp/a <commit> && (cd /tmp/a && npm ci && npm run build)`, then copied under
 * the repo so its imports resolve this node_modules), `options=<JSON>` (more AppConfig options), or
 * `NAME=value` (environment). BENCH_KIND hot (default) or cold, BENCH_ROUNDS (7), BENCH_SECONDS (3).
 * Prints each round, then per variant the medians and the same-round ratios to bare (req/s and
 * server CPU per request).
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APPID, ensureStore, SECRET } from './build-store.ts';
import { startChild, type Child } from './child.ts';
import { GET_PATH } from './load.ts';
import { storedOrderId } from './order-body.ts';
import { coldGetOrderScript, listGetOrderScript, wrk } from './wrk.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 100_000);
const ROUNDS = env('BENCH_ROUNDS', 7);
const SECONDS = env('BENCH_SECONDS', 3);
const KIND = process.env.BENCH_KIND === 'cold' ? 'cold' : 'hot';
const SPECS = (process.env.BENCH_VARIANTS ?? 'current:').split(';').filter(Boolean);

const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
const store = await ensureStore(cacheDir, ORDERS);
const hot = Array.from({ length: 500 }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / 500)));

interface Variant {
  name: string;
  server: Child;
  token: string;
}

/** A server child for `dist` (the repo's own when undefined): server-child.mjs, or a copy of it importing that build. */
function childScript(dist: string | undefined): string {
  if (dist === undefined) return './server-child.mjs';
  const app = pathToFileURL(join(dist, 'app.js')).href;
  const dir = join(cacheDir, 'variants');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${Buffer.from(dist).toString('hex').slice(0, 32)}-server-child.mjs`);
  // Named …server-child.mjs, so that startChild gives it the bin's node flags and environment.
  writeFileSync(
    file,
    `const { createApplication } = await import(${JSON.stringify(app)});\n` +
      `const app = await createApplication({ dataDir: process.argv[2], logger: false, ...(process.argv[3] ? JSON.parse(process.argv[3]) : {}) });\n` +
      `process.stdout.write(JSON.stringify({ url: await app.listen({ host: '127.0.0.1', port: 0 }) }) + '\\n');\n` +
      `process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));\n`,
  );
  return file;
}

async function start(spec: string): Promise<Variant> {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  let dist: string | undefined;
  let options: string | undefined;
  const saved = { ...process.env };
  for (const setting of (colon < 0 ? '' : spec.slice(colon + 1)).split('|').filter(Boolean)) {
    const eq = setting.indexOf('=');
    const [key, value] = [setting.slice(0, eq), setting.slice(eq + 1)];
    if (key === 'dist') dist = isAbsolute(value) ? value : resolve(value);
    else if (key === 'options') options = value;
    else process.env[key] = value;
  }
  const dataDir = join(cacheDir, `variant-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(store.dataDir, dataDir, { recursive: true });
  let server: Child;
  try {
    server = await startChild(childScript(dist), options ? [dataDir, options] : [dataDir]);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const answer = (await (
    await fetch(`${server.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)
  ).json()) as {
    access_token: string;
  };
  // Each hot order asked for twice: what the answer cache keeps.
  for (const order_id of [...hot, ...hot]) {
    const res = await fetch(`${server.url}${GET_PATH}?access_token=${answer.access_token}`, {
      method: 'POST',
      body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!bytes.toString('utf8', 0, 13).startsWith('{"errcode":0,')) throw new Error(`${name}: ${bytes.toString('utf8', 0, 200)}`);
    writeFileSync(join(cacheDir, 'variants-answer.json'), bytes);
  }
  return { name, server, token: answer.access_token };
}

const variants: Variant[] = [];
for (const spec of SPECS) variants.push(await start(spec));
const bare = await startChild('./bare-server.ts', [join(cacheDir, 'variants-answer.json')]);
const all = [{ name: 'bare', server: bare, token: '' }, ...variants];
const results = new Map<string, { rps: number; cpuUs: number; p99: number }[]>(all.map((v) => [v.name, []]));

for (let r = 0; r < ROUNDS; r++) {
  const line: string[] = [];
  for (let k = 0; k < all.length; k++) {
    const v = all[(k + r) % all.length]!;
    const lua = KIND === 'cold' && v.server !== bare ? coldGetOrderScript(v.token, ORDERS) : listGetOrderScript(v.token, hot);
    const res = await wrk(v.server.url, lua, { connections: 50, seconds: SECONDS, server: v.server });
    results.get(v.name)!.push(res);
    line.push(`${v.name} ${Math.round(res.rps)}/s ${res.cpuUs.toFixed(1)} µs${res.failures ? ` FAILURES ${res.failures}` : ''}`);
  }
  console.log(`round ${r + 1}/${ROUNDS}: ${line.join(' | ')}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const base = results.get('bare')!;
console.log(`\n${KIND} getOrder, ${ROUNDS} interleaved rounds × ${SECONDS} s, 50 connections (wrk); medians`);
console.log('| server | req/s | CPU µs/req | p99 ms | req/s ÷ bare (same round) | bare CPU ÷ CPU | RSS MB after |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const v of all) {
  const xs = results.get(v.name)!;
  console.log(
    `| ${v.name} | ${Math.round(median(xs.map((x) => x.rps)))} | ${median(xs.map((x) => x.cpuUs)).toFixed(1)} | ${median(xs.map((x) => x.p99))} | ` +
      `${median(xs.map((x, i) => x.rps / base[i]!.rps)).toFixed(2)} | ${median(xs.map((x, i) => base[i]!.cpuUs / x.cpuUs)).toFixed(2)} | ${v.server.memory().rssMb.toFixed(0)} |`,
  );
}
for (const v of all) await v.server.stop();
for (const v of variants) rmSync(join(cacheDir, `variant-${v.name}`), { recursive: true, force: true });
