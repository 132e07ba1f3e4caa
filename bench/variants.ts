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
 * the repo so its imports resolve this node_modules; server-child.mjs's WXL_BENCH_DIST),
 * `options=<JSON>` (more AppConfig options), `flags=<node flags>` (after the bin's, e.g.
 * `flags=--max-semi-space-size=4`), or `NAME=value` (environment). BENCH_KIND hot (default), cold or
 * add (addOrder, a fresh order each; no bare server then, compare the variants' CPU), BENCH_ROUNDS (7), BENCH_SECONDS (3).
 * Prints each round, then per variant the medians and the same-round ratios to bare (req/s and
 * server CPU per request). BARE_TURN_WRITES=1 gives bare the lanes' way of writing (bare-server.ts).
 */
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureStore } from './build-store.ts';
import { nodeFlagsOf, startChild, type Child } from './child.ts';
import { fetchToken, median } from './extra-server.ts';
import { GET_PATH } from './load.ts';
import { storedOrderId } from './order-body.ts';
import { addOrderScript, coldGetOrderScript, listGetOrderScript, wrk } from './wrk.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 100_000);
const ROUNDS = env('BENCH_ROUNDS', 7);
const SECONDS = env('BENCH_SECONDS', 3);
const KIND = process.env.BENCH_KIND === 'cold' ? 'cold' : process.env.BENCH_KIND === 'add' ? 'add' : 'hot';
const SPECS = (process.env.BENCH_VARIANTS ?? 'current:').split(';').filter(Boolean);

const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
const store = await ensureStore(cacheDir, ORDERS);
const hot = Array.from({ length: 500 }, (_, i) => storedOrderId(Math.floor(((i + 0.5) * ORDERS) / 500)));

interface Variant {
  name: string;
  server: Child;
  token: string;
}

async function start(spec: string): Promise<Variant> {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  let options: string | undefined;
  let flags: string[] = [];
  const saved = { ...process.env };
  for (const setting of (colon < 0 ? '' : spec.slice(colon + 1)).split('|').filter(Boolean)) {
    const eq = setting.indexOf('=');
    const [key, value] = [setting.slice(0, eq), setting.slice(eq + 1)];
    if (key === 'dist') process.env.WXL_BENCH_DIST = resolve(value);
    else if (key === 'options') options = value;
    else if (key === 'flags') flags = nodeFlagsOf(value);
    else process.env[key] = value;
  }
  const dataDir = join(cacheDir, `variant-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(store.dataDir, dataDir, { recursive: true });
  let server: Child;
  try {
    server = await startChild('./server-child.mjs', options ? [dataDir, options] : [dataDir], flags);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  try {
    const token = await fetchToken(server.url);
    // Each hot order asked for twice: what the answer cache keeps. The bare server sends the first answer.
    for (const order_id of [...hot, ...hot]) {
      const res = await fetch(`${server.url}${GET_PATH}?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (!bytes.toString('utf8', 0, 13).startsWith('{"errcode":0,')) throw new Error(`${name}: ${bytes.toString('utf8', 0, 200)}`);
      if (!existsSync(answerFile)) writeFileSync(answerFile, bytes);
    }
    return { name, server, token };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const answerFile = join(cacheDir, 'variants-answer.json');
rmSync(answerFile, { force: true });
const variants: Variant[] = [];
try {
  for (const spec of SPECS) variants.push(await start(spec));
} catch (error) {
  // A server already started would keep this process alive (its pipes are open).
  for (const v of variants) await v.server.stop();
  throw error;
}
// addOrder has no bare twin here (run.ts has one): its rounds compare the variants alone.
const bare = KIND === 'add' ? undefined : await startChild('./bare-server.ts', [answerFile]);
const all = [...(bare ? [{ name: 'bare', server: bare, token: '' }] : []), ...variants];
const results = new Map<string, { rps: number; cpuUs: number; p99: number }[]>(all.map((v) => [v.name, []]));

for (let r = 0; r < ROUNDS; r++) {
  const line: string[] = [];
  for (let k = 0; k < all.length; k++) {
    const v = all[(k + r) % all.length]!;
    const lua =
      KIND === 'add'
        ? addOrderScript(v.token, `variants-${Date.now()}-${v.name}-${r}-`)
        : KIND === 'cold' && v.server !== bare
          ? coldGetOrderScript(v.token, ORDERS)
          : listGetOrderScript(v.token, hot);
    const res = await wrk(v.server.url, lua, { connections: 50, seconds: SECONDS, server: v.server });
    results.get(v.name)!.push(res);
    line.push(`${v.name} ${Math.round(res.rps)}/s ${res.cpuUs.toFixed(1)} µs${res.failures ? ` FAILURES ${res.failures}` : ''}`);
  }
  console.log(`round ${r + 1}/${ROUNDS}: ${line.join(' | ')}`);
}

const baseName = bare ? 'bare' : variants[0]!.name;
const base = results.get(baseName)!;
console.log(
  `\n${KIND === 'add' ? 'addOrder' : `${KIND} getOrder`}, ${ROUNDS} interleaved rounds × ${SECONDS} s, 50 connections (wrk); medians`,
);
console.log(`| server | req/s | CPU µs/req | p99 ms | req/s ÷ ${baseName} (same round) | ${baseName} CPU ÷ CPU | RSS MB after |`);
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
