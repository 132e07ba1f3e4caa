/**
 * The push, cloud-call and client benchmarks, runnable on their own until run.ts calls them:
 *
 *   node --import tsx bench/extra.ts
 *
 * Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_CONNECTIONS (50),
 * BENCH_PUSH_RUNS (3), BENCH_PUSH_WAYBILLS (200), BENCH_PUSH_UPDATES (10),
 * BENCH_PUSH_RATE (200 updates/s during the getOrder "with" rounds),
 * BENCH_NO_BUILD=1 (reuse dist/), BENCH_ONLY=push,cloud,client,label,inproc,carrier,quota,ckpt, BENCH_LABEL_ROUNDS (9),
 * BENCH_CARRIER_SECONDS (3). Each section starts its own server child on a temp SQLite dir, except
 * `label`, an in-process micro-benchmark of one label render (bench/label-render.ts), and `inproc`
 * (in-process.ts): startWxLogistics() and reset() in this process. quota: getOrder with call counting
 * and the rid log on vs off (bench/api-management.ts). ckpt: the longest SQLite transaction while the
 * WAL fills, checkpoints in the worker vs in the COMMIT (bench/checkpoint-stall.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchApiManagement } from './api-management.ts';
import { benchApiManagementCost } from './api-management-cost.ts';
import { benchClientOverhead } from './client-overhead.ts';
import { benchCloud } from './cloud.ts';
import { labelBenchRows, measureLabelRender } from './label-render.ts';
import type { BenchRow } from './extra-server.ts';
import { benchInProcess, defaultInProcessOptions } from './in-process.ts';
import { benchPush, defaultPushOptions } from './push.ts';
import { benchCarrierOrders } from './carrier.ts';
import { benchCheckpointStall } from './checkpoint-stall.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('BENCH_ROUNDS', 3);
const SECONDS = env('BENCH_SECONDS', 5);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const only = new Set((process.env.BENCH_ONLY ?? 'push,cloud,client,label,inproc,carrier,quota,ckpt').split(','));

// The servers run as users run them: the compiled dist/ (same as run.ts).
if (!process.env.BENCH_NO_BUILD)
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadBefore = load();
const rows: BenchRow[] = [];
if (only.has('push')) {
  rows.push(
    ...(await benchPush({
      ...defaultPushOptions,
      runs: env('BENCH_PUSH_RUNS', 3),
      waybills: env('BENCH_PUSH_WAYBILLS', 200),
      updatesPerWaybill: env('BENCH_PUSH_UPDATES', 10),
      streamRate: env('BENCH_PUSH_RATE', 200),
      rounds: ROUNDS,
      seconds: SECONDS,
      connections: CONNECTIONS,
    })),
  );
}
if (only.has('cloud')) rows.push(...(await benchCloud({ rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, workingSet: 50 })));
if (only.has('label')) rows.push(...labelBenchRows(measureLabelRender()));
if (only.has('carrier'))
  rows.push(...(await benchCarrierOrders({ rounds: ROUNDS, seconds: env('BENCH_CARRIER_SECONDS', 3), connections: 8, samples: 300 })));
if (only.has('quota')) rows.push(...(await benchApiManagementCost()));
if (only.has('ckpt')) rows.push(...(await benchCheckpointStall()));
if (only.has('quota'))
  rows.push(...(await benchApiManagement({ rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, workingSet: 200 })));
if (only.has('client'))
  rows.push(...(await benchClientOverhead({ rounds: ROUNDS, seconds: SECONDS, workers: CONNECTIONS, workingSet: 200 })));
if (only.has('inproc')) {
  rows.push(
    ...(await benchInProcess({
      starts: env('BENCH_INPROC_STARTS', defaultInProcessOptions.starts),
      resets: env('BENCH_INPROC_RESETS', defaultInProcessOptions.resets),
    })),
  );
}

const ok = (m: boolean | undefined) => (m === undefined ? '' : m ? '✅' : '❌');
const extraTable = [
  '',
  `${ROUNDS} interleaved rounds × ${SECONDS} s (medians), ${CONNECTIONS} connections/workers; Node ${process.version}, ${cpus().length} CPUs, ` +
    `load generator on the same machine; load average before ${loadBefore}, after ${load()}.`,
  '',
  '| metric | value | compared with | ratio | target | met |',
  '|---|---:|---:|---:|---|:-:|',
  ...rows.map((r) => `| ${r.metric} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${ok(r.met)} |`),
].join('\n');
console.log(extraTable);
// Next to run.ts's table, for README.md.
const cacheDir = fileURLToPath(new URL('../.bench-cache/', import.meta.url));
mkdirSync(cacheDir, { recursive: true });
writeFileSync(`${cacheDir}last-results-extra.md`, extraTable + '\n');
