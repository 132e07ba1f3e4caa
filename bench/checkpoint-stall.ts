/**
 * The longest the event loop waits for one transaction while the WAL fills up past its
 * checkpoint threshold: the SQLite store with its checkpoints in the worker thread
 * (the default) beside the same store checkpointing inside the COMMIT that crosses the
 * threshold (`backgroundCheckpoints: false`, how it ran before), on copies of the bench
 * store, the same writes in both: addOrder-sized order updates and 12 KB rid-log answers,
 * with a timer turn between transactions (a server's writes come from requests, not from
 * one loop that never yields). The first WARM_UP transactions are left out of the figures:
 * the first write to a fresh copy costs ~100+ ms in both modes.
 *
 *   node --import tsx bench/checkpoint-stall.ts     # section `ckpt` of bench/extra.ts
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import { APPID, ensureStore } from './build-store.ts';
import type { BenchRow } from './extra-server.ts';

/** Transactions per run: enough WAL for two inline checkpoints at 20,000 pages (~80 MB). */
const TRANSACTIONS = Number(process.env.BENCH_CKPT_TRANSACTIONS ?? 6000);
const WARM_UP = 10;

interface Stall {
  maxMs: number;
  p999Ms: number;
  medianMs: number;
}

async function run(pristine: string, background: boolean, orders: number): Promise<Stall> {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-bench-ckpt-'));
  try {
    cpSync(pristine, dir, { recursive: true });
    const store = new SqliteStore({ filename: join(dir, 'wxlogistics.sqlite'), backgroundCheckpoints: background });
    await store.init();
    const body = 'x'.repeat(12_000);
    const times: number[] = [];
    try {
      for (let i = 0; i < TRANSACTIONS; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const t = process.hrtime.bigint();
        await store.transaction(async (tx) => {
          for (let k = 0; k < 5; k++)
            await tx.orders.setStatus(APPID, String(Math.floor(Math.random() * orders)), 1000 + (i % 7), 1_800_000_000 + i);
          await tx.apiCalls.insertRids(
            Array.from({ length: 3 }, (_, k) => ({
              rid: `ckpt-${background ? 'b' : 'i'}-${i}-${k}`,
              appid: APPID,
              cgi_path: '/cgi-bin/express/business/order/get',
              invoke_time: 1_800_000_000 + i,
              cost_in_ms: 1,
              request_url: 'access_token=x',
              request_body: '{}',
              response_body: body,
              client_ip: '127.0.0.1',
            })),
          );
        });
        if (i >= WARM_UP) times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    } finally {
      await store.close();
    }
    times.sort((a, b) => a - b);
    return { maxMs: times.at(-1)!, p999Ms: times[Math.floor(times.length * 0.999)]!, medianMs: times[times.length >> 1]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCheckpointStall(orders = Number(process.env.BENCH_ORDERS ?? 100_000)): Promise<BenchRow[]> {
  const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
  const store = await ensureStore(cacheDir, orders);
  const pristine = join(store.dataDir, '..', 'pristine');
  const inline = await run(pristine, false, orders);
  const background = await run(pristine, true, orders);
  const f = (s: Stall) => `${s.maxMs.toFixed(1)} (p99.9 ${s.p999Ms.toFixed(1)}, median ${s.medianMs.toFixed(2)})`;
  return [
    {
      metric: `longest transaction while the WAL fills (${TRANSACTIONS.toLocaleString('en')} × 5 order updates + 3 answers of 12 KB, ms): checkpoints in the worker vs in the COMMIT`,
      value: f(background),
      baseline: `in the COMMIT ${f(inline)}`,
      ratio: (inline.maxMs / background.maxMs).toFixed(1),
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchCheckpointStall());
