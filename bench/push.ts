/**
 * Benchmark: message-push throughput, and getOrder while pushes flow.
 *
 * The server is the compiled dist/ in a child process with the default push
 * policy (3 attempts, 5 s timeout, 32 in flight); the receiver is a node:http
 * server in this process answering `success` (as a merchant's would), so it
 * timestamps deliveries on the same clock that timed the first write.
 *
 * 1. Throughput: W orders × U path updates through the admin actions route
 *    (the console's carrier buttons = testUpdateOrder's core), timed from the
 *    first write to the last distinct event received; median of `runs`.
 * 2. getOrder req/s (autocannon) without and with a paced stream of path
 *    updates (+ their pushes) on other orders (so the label cache of the
 *    working set is not what is being measured), interleaved A/B rounds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadGetOrder, type LoadResult } from './load.ts';
import { APPID, fetchToken, int, median, startBenchServer, type BenchRow } from './extra-server.ts';

export interface PushBenchOptions {
  /** Throughput runs (median reported). */
  runs: number;
  waybills: number;
  updatesPerWaybill: number;
  /** getOrder rounds of each kind (without / with the update stream). */
  rounds: number;
  seconds: number;
  connections: number;
  workingSet: number;
  /** Path updates per second written during the "with" rounds. */
  streamRate: number;
}

export const defaultPushOptions: PushBenchOptions = {
  runs: 3,
  waybills: 200,
  updatesPerWaybill: 10,
  rounds: 3,
  seconds: 5,
  connections: 50,
  workingSet: 500,
  streamRate: 200,
};

/** Counts distinct (waybill, Version) deliveries and checks per-waybill order. */
class Receiver {
  server!: Server;
  url = '';
  distinct = new Set<string>();
  lastVersion = new Map<string, number>();
  outOfOrder = 0;
  lastAt = 0;
  #waiters: { n: number; resolve: () => void }[] = [];

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const xml = Buffer.concat(chunks).toString('utf8');
        const waybill = /<WayBillId><!\[CDATA\[(.*?)\]\]><\/WayBillId>/.exec(xml)?.[1] ?? '?';
        const version = Number(/<Version>(\d+)<\/Version>/.exec(xml)?.[1] ?? NaN);
        const key = `${waybill}:${version}`;
        if (!this.distinct.has(key)) {
          this.distinct.add(key);
          this.lastAt = performance.now();
          if (version <= (this.lastVersion.get(waybill) ?? -Infinity)) this.outOfOrder++;
          this.lastVersion.set(waybill, version);
          this.#waiters = this.#waiters.filter((w) => (this.distinct.size >= w.n ? (w.resolve(), false) : true));
        }
        res.end('success');
      });
    });
    this.server.keepAliveTimeout = 72_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/push`;
  }

  /** Resolves once `n` distinct events have arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.distinct.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`push: ${this.distinct.size}/${n} events after ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function benchPush(o: PushBenchOptions = defaultPushOptions, log = console.log): Promise<BenchRow[]> {
  const receiver = new Receiver();
  await receiver.start();
  // Orders: one batch per throughput run, the getOrder working set, the stream pool.
  const total = o.runs * o.waybills + o.workingSet + o.waybills;
  const s = await startBenchServer('p', total, (app) =>
    app.core.push.set(APPID, { url: receiver.url, token: 'benchtoken', mode: 'plain', format: 'xml' }),
  ).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  try {
    const ids = [...s.waybills.keys()];
    const runOrders = (r: number) => ids.slice(r * o.waybills, (r + 1) * o.waybills);
    const workingSet = ids.slice(o.runs * o.waybills, o.runs * o.waybills + o.workingSet);
    const streamPool = ids.slice(o.runs * o.waybills + o.workingSet);
    const action = (orderId: string, msg: string) =>
      fetch(`${s.url}/_wxl/api/apps/${APPID}/orders/${orderId}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wxl-admin-key': s.adminKey },
        body: JSON.stringify({ action_type: 200001, action_msg: msg }),
      }).then(async (res) => {
        if (res.status !== 200) throw new Error(`actions ${orderId}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      });

    // ---- 1. throughput: all updates written by 32 workers, round-robin over the waybills ----
    const rates: number[] = [];
    const writeRates: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const orders = runOrders(r);
      const tasks = Array.from(
        { length: o.updatesPerWaybill * orders.length },
        (_, i) => [orders[i % orders.length]!, Math.floor(i / orders.length)] as const,
      );
      const expected = receiver.distinct.size + tasks.length;
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < tasks.length) {
            const [orderId, k] = tasks[next++]!;
            await action(orderId, `运输中 ${k}`);
          }
        }),
      );
      const written = performance.now();
      await receiver.waitFor(expected, 120_000);
      const seconds = (receiver.lastAt - t0) / 1000;
      rates.push(tasks.length / seconds);
      writeRates.push(tasks.length / ((written - t0) / 1000));
      log(
        `push run ${r + 1}/${o.runs}: ${tasks.length} events delivered in ${seconds.toFixed(2)} s = ${int(rates.at(-1)!)}/s (writes ${int(writeRates.at(-1)!)}/s)`,
      );
    }

    // ---- 2. getOrder without / with a paced stream of path updates ----
    const token = await fetchToken(s.url);
    for (const order_id of workingSet) {
      const text = await (
        await fetch(`${s.url}/cgi-bin/express/business/order/get?access_token=${token}`, {
          method: 'POST',
          body: JSON.stringify({ order_id, delivery_id: 'TEST' }),
        })
      ).text();
      if (!text.startsWith('{"errcode":0,')) throw new Error(`getOrder ${order_id}: ${text.slice(0, 200)}`);
    }
    const opts = { connections: o.connections, seconds: o.seconds };
    await loadGetOrder(s.url, token, workingSet, { ...opts, seconds: Math.min(3, o.seconds) }); // warm-up

    const stream = () => {
      // Paced: issue updates to keep up with rate × elapsed (≤ 64 in flight), one pool order after another.
      let issued = 0,
        done = 0,
        stopped = false,
        i = 0;
      const inflight = new Set<Promise<void>>();
      const t0 = performance.now();
      const pump = setInterval(() => {
        const due = Math.floor(((performance.now() - t0) / 1000) * o.streamRate);
        while (!stopped && issued < due && inflight.size < 64) {
          issued++;
          const p = action(streamPool[i++ % streamPool.length]!, '运输中 stream').then(() => void done++);
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
      }, 5);
      return async () => {
        stopped = true;
        clearInterval(pump);
        await Promise.all(inflight);
        return { written: done, seconds: (performance.now() - t0) / 1000 };
      };
    };

    const without: LoadResult[] = [];
    const withPush: LoadResult[] = [];
    const streamRates: number[] = [];
    const deliveredRates: number[] = [];
    const runWith = async () => {
      const before = receiver.distinct.size;
      const stop = stream();
      withPush.push(await loadGetOrder(s.url, token, workingSet, opts));
      const deliveredDuring = receiver.distinct.size - before;
      const { written, seconds } = await stop();
      streamRates.push(written / seconds);
      deliveredRates.push(deliveredDuring / o.seconds);
      await receiver.waitFor(before + written, 60_000); // drain, so the next "without" round is quiet
    };
    for (let r = 0; r < o.rounds; r++) {
      // A/B then B/A, so drift on a shared machine hits both sides alike.
      if (r % 2 === 0) {
        without.push(await loadGetOrder(s.url, token, workingSet, opts));
        await runWith();
      } else {
        await runWith();
        without.push(await loadGetOrder(s.url, token, workingSet, opts));
      }
      log(
        `push/getOrder round ${r + 1}/${o.rounds}: without ${int(without.at(-1)!.rps)} req/s | with ${int(withPush.at(-1)!.rps)} req/s ` +
          `(stream ${int(streamRates.at(-1)!)} updates/s, ${int(deliveredRates.at(-1)!)} pushes/s delivered during load)`,
      );
    }
    const failures = [...without, ...withPush].reduce((n, x) => n + x.failures, 0);
    const w = median(without.map((x) => x.rps));
    const p = median(withPush.map((x) => x.rps));
    return [
      {
        metric: `push: events delivered/s (${o.waybills} waybills × ${o.updatesPerWaybill} updates, first write → last delivery, median of ${o.runs})`,
        value: int(median(rates)),
        baseline: `writes ${int(median(writeRates))}/s`,
        ...(receiver.outOfOrder ? { ratio: `⚠️ ${receiver.outOfOrder} out of order` } : {}),
      },
      {
        metric: `push: getOrder req/s with path updates + pushes flowing (stream ${int(median(streamRates))} updates/s, ${int(median(deliveredRates))} pushes/s delivered during load)`,
        value: int(p),
        baseline: `without ${int(w)}`,
        ratio: (p / w).toFixed(2),
        target: 'no drop (≥ 0.90, noise)',
        met: p / w >= 0.9,
      },
      ...(failures ? [{ metric: `⚠️ push: failed getOrder requests`, value: int(failures) }] : []),
    ];
  } finally {
    await s.stop();
    await receiver.close();
  }
}
