/**
 * Load generation with wrk (C, one thread, its own core), for the getOrder and
 * addOrder paths: autocannon runs JavaScript per request and saturates its own
 * core before a fast server does, which hides the server's real speed behind
 * the load generator's. Bodies are built per request by a Lua script; the
 * server's CPU time per request is read from /proc (see child.ts), so every
 * row also says what a request costs the server, independent of the load generator.
 *
 * Falls back to autocannon (load.ts) when wrk is not installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Child } from './child.ts';
import { ADD_PATH, GET_PATH, loadAddOrder, loadGetOrder, type LoadResult } from './load.ts';
import { orderBody } from './order-body.ts';

export interface WrkResult extends LoadResult {
  p50: number;
  /** Server CPU (user + system) per answered request, µs; NaN when the server is not a child we can read. */
  cpuUs: number;
}

export const haveWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its version.
    return (e as { status?: number }).status === 1;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'wxl-wrk-'));
let scripts = 0;

/** Lua long string that cannot be closed by the text inside it. */
const luaString = (s: string) => `[==[${s}]==]`;

/**
 * Lua that counts answers without `{"errcode":0,` (per thread, summed in done()): at their start,
 * or, with `inside`, anywhere in them (a cloud call's CommOpenApiResp carries the JSON answer in its
 * protobuf).
 */
function errcodeCheck(inside: boolean): string {
  const ok = inside ? `string.find(body, '{"errcode":0,', 1, true) ~= nil` : `string.sub(body, 1, 13) == '{"errcode":0,'`;
  return `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if not (${ok}) then bad = (bad or 0) + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("bad") or 0) end
  io.write("WXL_BAD " .. n .. "\\n")
end
`;
}
const CHECK_ERRCODE = errcodeCheck(false);
/** The same for answers that hold the JSON answer somewhere inside (the cloud call's, or either). */
export const CHECK_ERRCODE_INSIDE = errcodeCheck(true);

/** Any bytes as a Lua string literal (decimal escapes for everything but plain ASCII). */
export function luaBytes(b: Buffer): string {
  let out = '"';
  for (const byte of b)
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  return out + '"';
}

/** Writes a Lua script for wrk; answers its path. */
export function wrkScript(lua: string): string {
  return script(lua);
}

function script(lua: string): string {
  const file = join(dir, `s${scripts++}.lua`);
  writeFileSync(file, lua);
  return file;
}

/** getOrder for a random order among order_ids `0 … count-1` on every request (no two connections agree); answers checked for errcode 0. */
export function coldGetOrderScript(token: string, count: number): string {
  return script(`
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local path = ${luaString(`${GET_PATH}?access_token=${token}`)}
local headers = { ["Content-Type"] = "application/json" }
function request()
  return wrk.format("POST", path, headers, '{"order_id":"' .. math.random(0, ${count - 1}) .. '","delivery_id":"TEST"}')
end
${CHECK_ERRCODE}
`);
}

/** getOrder cycling through a fixed list of order_ids; answers checked for errcode 0. */
export function listGetOrderScript(token: string, orderIds: readonly string[]): string {
  const bodies = orderIds.map((order_id) => luaString(JSON.stringify({ order_id, delivery_id: 'TEST' })));
  return script(`
local path = ${luaString(`${GET_PATH}?access_token=${token}`)}
local headers = { ["Content-Type"] = "application/json" }
local bodies = { ${bodies.join(',\n')} }
local i = math.random(1, #bodies)
function request()
  i = i % #bodies + 1
  return wrk.format("POST", path, headers, bodies[i])
end
${CHECK_ERRCODE}
`);
}

/** addOrder with a fresh order_id `<prefix><thread>-<n>` each request; answers checked for errcode 0. */
export function addOrderScript(token: string, prefix: string): string {
  const [head, tail] = JSON.stringify(orderBody('@ORDER_ID@')).split('@ORDER_ID@') as [string, string];
  return script(`
local path = ${luaString(`${ADD_PATH}?access_token=${token}`)}
local headers = { ["Content-Type"] = "application/json" }
local head, tail = ${luaString(head + prefix)}, ${luaString(tail)}
local n = 0
local me = tostring(math.random(1, 1e9))
function request()
  n = n + 1
  return wrk.format("POST", path, headers, head .. me .. "-" .. n .. tail)
end
${CHECK_ERRCODE}
`);
}

const ms = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;

/** Runs wrk (1 thread) with `lua` against `url`, reading `server`'s CPU time over the run. */
export async function wrk(url: string, lua: string, o: { connections: number; seconds: number; server?: Child }): Promise<WrkResult> {
  const cpu0 = o.server?.cpuSeconds();
  const { stdout } = await promisify(execFile)(
    'wrk',
    ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '--timeout', '10s', '-s', lua, url],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const cpu1 = o.server?.cpuSeconds();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const total = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
    return m ? Math.round(ms(m[1]!, m[2]!) * 100) / 100 : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const sockErrors = sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0;
  const bad = Number(/WXL_BAD (\d+)/.exec(stdout)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`wrk output not understood:\n${stdout}`);
  const cpuUs = cpu0 !== undefined && cpu1 !== undefined && total > 0 ? ((cpu1 - cpu0) * 1e6) / total : NaN;
  return { rps, p50: pct('50'), p99: pct('99'), failures: non2xx + sockErrors + bad, cpuUs };
}

/** The same workloads through autocannon, when wrk is missing (server CPU still measured). */
export async function fallback(
  kind: 'cold' | 'list' | 'add',
  url: string,
  token: string,
  arg: { count?: number; ids?: readonly string[]; prefix?: string },
  o: { connections: number; seconds: number; server?: Child },
): Promise<WrkResult> {
  const cpu0 = o.server?.cpuSeconds();
  const started = performance.now();
  const ids =
    kind === 'cold'
      ? Array.from({ length: Math.min(arg.count!, 20_000) }, () => String(Math.floor(Math.random() * arg.count!)))
      : (arg.ids ?? []);
  const r = kind === 'add' ? await loadAddOrder(url, token, arg.prefix!, o) : await loadGetOrder(url, token, ids, o);
  const cpu1 = o.server?.cpuSeconds();
  const total = r.rps * ((performance.now() - started) / 1000);
  return { ...r, p50: NaN, cpuUs: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / total : NaN };
}
