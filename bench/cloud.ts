/**
 * Issue #4 benchmark: cloud-call getOrder (wx-server-sdk → POST /admin) req/s
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
 * after each round.
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeCommOpenApiResp } from '../src/proto/comm-api.ts';
import { GET_PATH } from './load.ts';
import { fetchToken, int, median, startBenchServer, type BenchRow, APPID } from './extra-server.ts';

export interface CloudBenchOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** Orders named by the captured calls (one SDK call each, per round). */
  workingSet: number;
}
export const defaultCloudOptions: CloudBenchOptions = { rounds: 3, seconds: 5, connections: 50, workingSet: 50 };

interface Captured { method: string; path: string; headers: Record<string, string>; body: Buffer }

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
      const up = httpRequest({ host: t.hostname, port: t.port, method: c.method, path: c.path, headers: { ...c.headers, 'content-length': c.body.length } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
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
    if (bad.length || captured.length !== orders.length) throw new Error(`cloud capture: ${bad.length} failed, ${captured.length}/${orders.length} requests: ${JSON.stringify(bad[0]).slice(0, 300)}`);
    return captured;
  } finally {
    proxy.close();
  }
}

/** Sends one captured request as is and checks the protobuf answer carries errcode 0. */
function verifyReplay(target: string, c: Captured): Promise<void> {
  const t = new URL(target);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: t.hostname, port: t.port, method: c.method, path: c.path, headers: { ...c.headers, 'content-length': c.body.length } }, (res) => {
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
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

/** autocannon cycling through fixed requests (same generator for both sides). */
async function load(url: string, reqs: { method: string; path: string; headers: Record<string, string>; body: Buffer }[], connections: number, seconds: number) {
  let i = 0;
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...reqs[i++ % reqs.length]! }) as typeof req }],
  });
  return { rps: r.requests.average, p99: r.latency.p99, failures: r.non2xx + r.errors + r.timeouts };
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
    await load(s.url, https, o.connections, warm);
    await load(s.url, await fresh(), o.connections, warm);

    const h: { rps: number; p99: number; failures: number }[] = [];
    const c: typeof h = [];
    let sample = 0;
    const cloudRound = async () => {
      const reqs = await fresh(); // capture right before the load: well inside the freshness window
      sample = reqs[0]!.body.length;
      c.push(await load(s.url, reqs, o.connections, o.seconds));
      for (const x of reqs) await verifyReplay(s.url, x); // still verifying at the end of the round
    };
    for (let r = 0; r < o.rounds; r++) {
      if (r % 2 === 0) { h.push(await load(s.url, https, o.connections, o.seconds)); await cloudRound(); }
      else { await cloudRound(); h.push(await load(s.url, https, o.connections, o.seconds)); }
      log(`cloud round ${r + 1}/${o.rounds}: HTTPS ${int(h.at(-1)!.rps)} req/s p99 ${h.at(-1)!.p99} ms | cloud ${int(c.at(-1)!.rps)} req/s p99 ${c.at(-1)!.p99} ms`);
    }
    const hr = median(h.map((x) => x.rps));
    const cr = median(c.map((x) => x.rps));
    const failures = [...h, ...c].reduce((n, x) => n + x.failures, 0);
    return [
      { metric: `cloud call: getOrder req/s via POST /admin (replayed wx-server-sdk requests, ${sample} B multipart; ${o.workingSet} orders)`,
        value: int(cr), baseline: `HTTPS ${int(hr)}`, ratio: (cr / hr).toFixed(2), target: '≥ 0.50 × HTTPS', met: cr >= 0.5 * hr },
      { metric: 'cloud call: getOrder p99 latency (ms)', value: String(median(c.map((x) => x.p99))), baseline: `HTTPS ${median(h.map((x) => x.p99))}` },
      ...(failures ? [{ metric: '⚠️ cloud: failed requests (non-2xx, errors, timeouts)', value: int(failures) }] : []),
    ];
  } finally {
    await s.stop();
  }
}
