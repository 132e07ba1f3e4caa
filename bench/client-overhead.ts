/**
 * Benchmark: what `LogisticsClient.getOrder` costs over a hand-written
 * `fetch` of the same request (same server, same token, same bodies).
 *
 * autocannon cannot drive a client library, so both sides are `workers`
 * concurrent async loops in this process for `seconds` each, interleaved
 * rounds, medians. The raw side does the least any caller must: POST, read
 * the JSON, check errcode. The difference is the client's own work (token
 * cache lookup, URL building, retry wrapper, error mapping), measured where it
 * runs: on the caller's CPU, which here the server child shares (2 cores).
 */
import { LogisticsClient } from '../src/client/index.ts';
import { GET_PATH } from './load.ts';
import { APPID, int, median, SECRET, startBenchServer, type BenchRow } from './extra-server.ts';

export interface ClientBenchOptions {
  rounds: number;
  seconds: number;
  workers: number;
  workingSet: number;
}
export const defaultClientOptions: ClientBenchOptions = { rounds: 3, seconds: 5, workers: 50, workingSet: 200 };

/** `workers` loops calling `call(i)` (i = a shared counter) until `seconds` pass; answers calls/s. */
async function loop(call: (i: number) => Promise<unknown>, workers: number, seconds: number): Promise<number> {
  let n = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await call(i++);
        n++;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function benchClientOverhead(o: ClientBenchOptions = defaultClientOptions, log = console.log): Promise<BenchRow[]> {
  const s = await startBenchServer('k', o.workingSet);
  try {
    const client = new LogisticsClient({ appid: APPID, secret: SECRET, baseUrl: s.url });
    const token = await client.getAccessToken(); // once; the raw side reuses it
    const bodies = [...s.waybills].map(([order_id, waybill_id]) => ({ order_id, delivery_id: 'TEST', waybill_id }));
    const rawUrl = `${s.url}${GET_PATH}?access_token=${encodeURIComponent(token)}`;

    const viaClient = (i: number) => client.getOrder(bodies[i % bodies.length]!);
    const viaFetch = async (i: number) => {
      const res = await fetch(rawUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bodies[i % bodies.length]),
      });
      const json = (await res.json()) as { errcode?: number; errmsg?: string };
      if (json.errcode) throw new Error(`getOrder: ${json.errcode} ${json.errmsg}`);
      return json;
    };
    // Same answer both ways (and every working-set order answers errcode 0).
    for (let i = 0; i < bodies.length; i++) {
      const [a, b] = await Promise.all([viaClient(i), viaFetch(i)]);
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('client and raw fetch answers differ');
    }
    const warm = Math.min(2, o.seconds);
    await loop(viaFetch, o.workers, warm);
    await loop(viaClient, o.workers, warm);

    const raw: number[] = [];
    const cli: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      if (r % 2 === 0) {
        raw.push(await loop(viaFetch, o.workers, o.seconds));
        cli.push(await loop(viaClient, o.workers, o.seconds));
      } else {
        cli.push(await loop(viaClient, o.workers, o.seconds));
        raw.push(await loop(viaFetch, o.workers, o.seconds));
      }
      log(`client round ${r + 1}/${o.rounds}: raw fetch ${int(raw.at(-1)!)} calls/s | LogisticsClient ${int(cli.at(-1)!)} calls/s`);
    }
    const rr = median(raw);
    const cr = median(cli);
    const overhead = 1 - cr / rr;
    // Per-round paired overheads too: each pair ran back to back, so drift between rounds cancels.
    const paired = median(cli.map((c, i) => 1 - c / raw[i]!));
    return [
      {
        metric: `client: LogisticsClient.getOrder calls/s (${o.workers} concurrent loops, ${o.workingSet} orders)`,
        value: int(cr),
        baseline: `raw fetch ${int(rr)}`,
        ratio: `overhead ${(overhead * 100).toFixed(1)} % (paired rounds ${(paired * 100).toFixed(1)} %)`,
        target: '≤ 10 %',
        met: overhead <= 0.1,
      },
    ];
  } finally {
    await s.stop();
  }
}
