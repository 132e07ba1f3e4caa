/**
 * Registered-carrier benchmark: addOrder through a registered local carrier (every order
 * is an add_waybill pushed, signed, to a carrier server on 127.0.0.1 and its reply read)
 * as a ratio to addOrder on a simulated carrier, interleaved rounds in the same run, plus
 * the event round trip's own cost: one HttpCarrierLink.send (sign, serialise, POST, read
 * and check the reply) against a bare POST of the same bytes to the same carrier server.
 *
 * The bench carrier (bench-carrier.mjs) and the server (the compiled dist/, extra-server.ts)
 * are child processes of their own; the load generator runs here.
 */
import autocannon from 'autocannon';
import { HttpCarrierLink } from '../src/push/carrier-link.ts';
import { addWaybillEvent } from '../src/core/carrier-events.ts';
import type { CarrierRecord } from '../src/storage/carrier-store.ts';
import { startChild } from './child.ts';
import { APPID, fetchToken, int, median, startBenchServer, type BenchRow } from './extra-server.ts';
import { ADD_PATH } from './load.ts';
import { orderBody } from './order-body.ts';

export interface CarrierBenchOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** Round trips timed for the per-event cost. */
  samples: number;
}

async function addOrderRate(baseUrl: string, token: string, prefix: string, over: Record<string, unknown>, o: CarrierBenchOptions) {
  let n = 0;
  let wxErrors = 0;
  let sample = '';
  const result = await autocannon({
    url: `${baseUrl}${ADD_PATH}?access_token=${token}`,
    method: 'POST',
    connections: o.connections,
    duration: o.seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...orderBody(`${prefix}${n++}`), ...over }) }),
        onResponse: (_status: number, text: string) => {
          if (text.startsWith('{"errcode":0,')) return;
          wxErrors++;
          sample ||= text.slice(0, 120);
        },
      },
    ],
  });
  return { rps: result.requests.average, failures: result.non2xx + result.errors + result.timeouts + wxErrors, sample };
}

export async function benchCarrierOrders(o: CarrierBenchOptions): Promise<BenchRow[]> {
  const carrier = await startChild('./bench-carrier.mjs', []);
  const server = await startBenchServer('warm', 0, async (app) => {
    await app.core.carrierRegistry.add({
      delivery_id: 'BENCH',
      name: '压测快递',
      url: carrier.url,
      token: 'benchToken',
      format: 'json',
      services: ['0:标准快递'],
    });
    // The bench app by name: the store also holds the app made at first start (a random appid).
    await app.core.accounts.bindAccount(APPID, {
      type: 'bind',
      biz_id: 'bench_biz',
      delivery_id: 'BENCH',
      password: 'p',
    });
  });
  try {
    const token = await fetchToken(server.url);
    const sim: number[] = [];
    const reg: number[] = [];
    let failures = 0;
    let failed = '';
    for (let r = 0; r < o.rounds; r++) {
      const a = await addOrderRate(server.url, token, `sim${r}-`, {}, o);
      const b = await addOrderRate(server.url, token, `reg${r}-`, { delivery_id: 'BENCH', biz_id: 'bench_biz' }, o);
      sim.push(a.rps);
      reg.push(b.rps);
      failures += a.failures + b.failures;
      failed ||= a.sample || b.sample;
    }
    const simMed = median(sim);
    const regMed = median(reg);

    // The event round trip on its own, in this process: our link vs a bare POST of the same bytes.
    const record: CarrierRecord = {
      delivery_id: 'BENCH',
      name: 'x',
      appid: 'wxbench',
      url: carrier.url,
      token: 'benchToken',
      encoding_aes_key: '',
      mode: 'plain',
      format: 'json',
      services: [],
      template: '',
      waybill_source: 'segment',
      review: false,
      created_at: 0,
      updated_at: 0,
    };
    const link = new HttpCarrierLink({ nowSeconds: () => Math.floor(Date.now() / 1000), attempts: 1 });
    const event = (i: number) =>
      addWaybillEvent({
        toUserName: 'gh_bench',
        fromUserName: 'o',
        createTime: 1,
        token: `t${i}`,
        body: orderBody(`rt${i}`),
        bizPwd: 'p',
        shopAppid: 'wx',
        waybillId: `W${i}`,
      });
    const linkUs: number[] = [];
    const bareUs: number[] = [];
    const sample = JSON.stringify(event(0));
    for (let i = 0; i < o.samples; i++) {
      let t = process.hrtime.bigint();
      const ex = await link.send(record, event(i));
      if (!ex.reply) throw new Error(`bench carrier: ${ex.error}`);
      linkUs.push(Number(process.hrtime.bigint() - t) / 1000);
      t = process.hrtime.bigint();
      await (await fetch(carrier.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample })).text();
      bareUs.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    const linkMed = median(linkUs);
    const bareMed = median(bareUs);
    return [
      { metric: 'addOrder, simulated carrier (TEST)', value: `${int(simMed)} req/s` },
      {
        metric: 'addOrder through a registered local carrier (add_waybill per order)',
        value: `${int(regMed)} req/s`,
        baseline: `simulated ${int(simMed)} req/s`,
        ratio: `${(regMed / simMed).toFixed(2)}×`,
        target: failures ? `every answer errcode 0 (${failures} not, e.g. ${failed})` : 'every answer errcode 0',
        met: failures === 0,
      },
      {
        metric: 'carrier event round trip (sign, POST, read + check reply), per event',
        value: `${int(linkMed)} µs`,
        baseline: `bare POST ${int(bareMed)} µs`,
        ratio: `+${int(linkMed - bareMed)} µs`,
      },
    ];
  } finally {
    await server.stop();
    await carrier.stop();
  }
}
