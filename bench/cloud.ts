/**
 * Benchmark: cloud-call getOrder (wx-server-sdk → POST /admin) req/s
 * vs the HTTPS getOrder, same server, same orders, same load generator.
 *
 * Running wx-server-sdk itself under load would measure the SDK (a process per
 * function, axios, protobuf), not us. So the real SDK runs once per round,
 * through a recording proxy in this process, and autocannon replays those
 * exact requests (method, path with query, headers incl. Host, multipart
 * body) to the server. The TC3 signature covers Host, path and form fields
 * and stays valid inside the 300 s freshness window (no nonce check), so the
 * replays verify as the originals did; we capture afresh before every cloud
 * round and decode replayed answers (CommOpenApiResp → errcode 0) before and
 * after each round. Under wrk every answer is checked for errcode 0 too.
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeCommOpenApiResp } from '../src/proto/comm-api.ts';
import { GET_PATH } from './load.ts';
import type { Child } from './child.ts';
import { fetchToken, int, median, startBenchServer, type BenchRow, APPID } from './extra-server.ts';
import { ratioShown } from './ratio.ts';
import { CHECK_ERRCODE_INSIDE, haveWrk, luaBytes, wrkScript, wrk } from './wrk.ts';

/**
 * A wrk script cycling through `reqs`, each sent exactly as captured (method, path, headers, body
 * bytes); an answer without `{"errcode":0,` in it (the HTTPS answer, or the one inside the cloud
 * call's protobuf) counts as a failure, so a refused call (a used-up quota, say) cannot pass for a fast one.
 */
function replayScript(reqs: Replay[]): string {
  const items = reqs.map((r) => {
    // "Host" as wrk spells it, or wrk adds its own next to ours.
    const headers = Object.entries(r.headers)
      .map(([k, v]) => `[${luaBytes(Buffer.from(k === 'host' ? 'Host' : k))}] = ${luaBytes(Buffer.from(v))}`)
      .join(', ');
    return `{ ${luaBytes(Buffer.from(r.method))}, ${luaBytes(Buffer.from(r.path))}, { ${headers} }, ${luaBytes(r.body)} }`;
  });
  return wrkScript(`
local reqs = { ${items.join(',\n')} }
local i = math.random(1, #reqs)
function request()
  i = i % #reqs + 1
  local r = reqs[i]
  return wrk.format(r[1], r[2], r[3], r[4])
end
${CHECK_ERRCODE_INSIDE}
`);
}

export interface CloudBenchOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** Orders named by the captured calls (one SDK call each, per round). */
  workingSet: number;
}
export const defaultCloudOptions: CloudBenchOptions = { rounds: 3, seconds: 5, connections: 50, workingSet: 50 };

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

// The seed's own cloud function and the tests' runner, unmodified (test/cloud-call.test.ts).
const runner = fileURLToPath(new URL('../test/support/run-cloud-function.cjs', import.meta.url));
const getOrderFn = fileURLToPath(new URL('../test/fixtures/cloud-functions/getOrder/index.js', import.meta.url));
const ENV_ID = 'bench-env';
const OPENID = 'oBENCH0001';

/** Headers the replay must not copy: autocannon writes its own framing. */
const FRAMING = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function plainHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !FRAMING.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Runs the SDK once per order through a recording proxy to `target`; answers the requests it sent. */
async function capture(target: string, keys: { secretId: string; secretKey: string }, orders: [string, string][]): Promise<Captured[]> {
  const captured: Captured[] = [];
  const t = new URL(target);
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const c: Captured = { method: req.method!, path: req.url!, headers: plainHeaders(req.headers), body: Buffer.concat(chunks) };
      captured.push(c);
      // Forward unchanged (Host included: it is signed), so the SDK gets the real answer.
      const up = httpRequest(
        { host: t.hostname, port: t.port, method: c.method, path: c.path, headers: { ...c.headers, 'content-length': c.body.length } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      up.end(c.body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  try {
    const events = orders.map(([orderId, waybillId]) => ({ openid: OPENID, orderId, deliveryId: 'TEST', waybillId }));
    const { stdout } = await promisify(execFile)(process.execPath, [runner, getOrderFn, JSON.stringify(events)], {
      env: {
        PATH: process.env.PATH ?? '',
        TCB_CONTEXT_CNFG: JSON.stringify({ URL: `http://127.0.0.1:${port}/admin` }),
        TENCENTCLOUD_SECRETID: keys.secretId,
        TENCENTCLOUD_SECRETKEY: keys.secretKey,
        SCF_NAMESPACE: ENV_ID,
      },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const results = JSON.parse(stdout) as { result?: { errMsg?: string } }[];
    const bad = results.filter((r) => r.result?.errMsg !== 'openapi.logistics.getOrder:ok');
    if (bad.length || captured.length !== orders.length)
      throw new Error(
        `cloud capture: ${bad.length} failed, ${captured.length}/${orders.length} requests: ${JSON.stringify(bad[0]).slice(0, 300)}`,
      );
    return captured;
  } finally {
    proxy.close();
  }
}

/** Sends one captured request as is and checks the protobuf answer carries errcode 0. */
function verifyReplay(target: string, c: Captured): Promise<void> {
  const t = new URL(target);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: t.hostname, port: t.port, method: c.method, path: c.path, headers: { ...c.headers, 'content-length': c.body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (x: Buffer) => chunks.push(x));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          try {
            const resp = decodeCommOpenApiResp(body);
            const json = JSON.parse(resp.respData.toString('utf8')) as { errcode?: number };
            if (resp.errorCode !== 0 || json.errcode !== 0) throw new Error(`error_code ${resp.errorCode}, errcode ${json.errcode}`);
            resolve();
          } catch (e) {
            reject(new Error(`cloud replay not ok (${String(e)}): ${body.toString('utf8', 0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(c.body);
  });
}

interface Replay {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}
interface Measured {
  rps: number;
  p99: number;
  failures: number;
  cpuUs: number;
}

/**
 * Fixed requests cycled by the same generator for both sides — wrk when installed
 * (C; the requests go into its Lua script byte for byte), else autocannon — with
 * the server's CPU time per answered request read from /proc, which does not
 * depend on how fast the load generator is.
 */
async function load(server: Child, reqs: Replay[], connections: number, seconds: number): Promise<Measured> {
  const cpu0 = server.cpuSeconds();
  const t0 = performance.now();
  if (haveWrk) {
    const r = await wrk(server.url, replayScript(reqs), { connections, seconds, server });
    return { rps: r.rps, p99: r.p99, failures: r.failures, cpuUs: r.cpuUs };
  }
  let i = 0;
  const r = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...reqs[i++ % reqs.length]! }) as typeof req }],
  });
  const answered = r.requests.average * ((performance.now() - t0) / 1000);
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    failures: r.non2xx + r.errors + r.timeouts,
    cpuUs: ((server.cpuSeconds() - cpu0) * 1e6) / answered,
  };
}

export async function benchCloud(o: CloudBenchOptions = defaultCloudOptions, log = console.log): Promise<BenchRow[]> {
  const s = await startBenchServer('c', o.workingSet, (app) => app.core.cloud.enable(APPID, [ENV_ID]));
  try {
    const orders = [...s.waybills.entries()];
    const token = await fetchToken(s.url);
    // HTTPS twin: the same arguments, snake_case, as a backend would send them.
    const https = orders.map(([order_id, waybill_id]) => ({
      method: 'POST',
      path: `${GET_PATH}?access_token=${token}`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ openid: OPENID, order_id, delivery_id: 'TEST', waybill_id })),
    }));
    for (const r of https) {
      const text = await (await fetch(`${s.url}${r.path}`, { method: 'POST', headers: r.headers, body: r.body })).text();
      if (!text.startsWith('{"errcode":0,')) throw new Error(`getOrder: ${text.slice(0, 200)}`);
    }
    const fresh = async () => {
      const reqs = await capture(s.url, s.extra, orders);
      for (const c of reqs) await verifyReplay(s.url, c);
      return reqs;
    };
    const warm = Math.min(3, o.seconds);
    await load(s.child, https, o.connections, warm);
    await load(s.child, await fresh(), o.connections, warm);

    const h: Measured[] = [];
    const c: typeof h = [];
    let sample = 0;
    const cloudRound = async () => {
      const reqs = await fresh(); // capture right before the load: well inside the freshness window
      sample = reqs[0]!.body.length;
      c.push(await load(s.child, reqs, o.connections, o.seconds));
      for (const x of reqs) await verifyReplay(s.url, x); // still verifying at the end of the round
    };
    for (let r = 0; r < o.rounds; r++) {
      if (r % 2 === 0) {
        h.push(await load(s.child, https, o.connections, o.seconds));
        await cloudRound();
      } else {
        await cloudRound();
        h.push(await load(s.child, https, o.connections, o.seconds));
      }
      log(
        `cloud round ${r + 1}/${o.rounds}: HTTPS ${int(h.at(-1)!.rps)} req/s p99 ${h.at(-1)!.p99} ms ${h.at(-1)!.cpuUs.toFixed(0)} µs CPU/req | cloud ${int(c.at(-1)!.rps)} req/s p99 ${c.at(-1)!.p99} ms ${c.at(-1)!.cpuUs.toFixed(0)} µs CPU/req`,
      );
    }
    const hr = median(h.map((x) => x.rps));
    const cr = median(c.map((x) => x.rps));
    const failures = [...h, ...c].reduce((n, x) => n + x.failures, 0);
    const hc = median(h.map((x) => x.cpuUs));
    const cc = median(c.map((x) => x.cpuUs));
    return [
      {
        metric: `cloud call: getOrder req/s via POST /admin (replayed wx-server-sdk requests, ${sample} B multipart; ${o.workingSet} orders; ${haveWrk ? 'wrk' : 'autocannon'})`,
        value: int(cr),
        baseline: `HTTPS ${int(hr)}`,
        ratio: ratioShown(cr / hr, 0.5),
        target: '≥ 0.50 × HTTPS',
        met: cr >= 0.5 * hr,
      },
      {
        metric: 'cloud call: server CPU µs per getOrder (HTTPS ÷ cloud = the ratio the server alone allows)',
        value: hc > 0 ? cc.toFixed(0) : '–',
        baseline: `HTTPS ${hc.toFixed(0)}`,
        ratio: ratioShown(hc / cc, 0.5),
        target: '≥ 0.50',
        met: hc / cc >= 0.5,
      },
      {
        metric: 'cloud call: getOrder p99 latency (ms)',
        value: String(median(c.map((x) => x.p99))),
        baseline: `HTTPS ${median(h.map((x) => x.p99))}`,
      },
      ...(failures ? [{ metric: '⚠️ cloud: failed requests (non-2xx, errors, timeouts)', value: int(failures) }] : []),
    ];
  } finally {
    await s.stop();
  }
}
