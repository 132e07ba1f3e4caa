/**
 * What a test suite pays for `startWxLogistics()` (memory store) and for
 * `reset()` before each test, measured in this process as a suite calls them.
 *
 * - start: `startWxLogistics()` until it resolves (listening, app with cloud
 *   keys ready); `stop()` is not counted. Also its CPU time (process.cpuUsage),
 *   which a busy machine inflates far less than the wall time. The first start of a process also
 *   compiles the request validators once (src/http/shared-validators.ts) and
 *   is reported on its own. Baseline: a bare fastify server's `listen()` in
 *   the same run.
 * - reset: `reset()` after what a small test does (a token, an order, a path
 *   node and its push). Baseline: a start, since starting a server per test is
 *   what a reset replaces.
 *
 * Knobs: BENCH_INPROC_STARTS (15), BENCH_INPROC_RESETS (60).
 */
import Fastify from 'fastify';
import { startWxLogistics } from '../src/index.ts';
import { median, type BenchRow } from './extra-server.ts';
import { orderBody } from './order-body.ts';

export interface InProcessBenchOptions {
  starts: number;
  resets: number;
}

export const defaultInProcessOptions: InProcessBenchOptions = { starts: 15, resets: 60 };

const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function benchInProcess(o: InProcessBenchOptions = defaultInProcessOptions, log = console.log): Promise<BenchRow[]> {
  const first = performance.now();
  await (await startWxLogistics()).stop();
  const firstMs = performance.now() - first;

  const starts: number[] = [];
  const startCpu: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < o.starts; i++) {
    // Interleaved, so a busy moment of the machine hits both sides.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const wx = await startWxLogistics();
    starts.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    startCpu.push((cpu.user + cpu.system) / 1000);
    await wx.stop();
    const t1 = performance.now();
    const server = Fastify();
    await server.listen({ host: '127.0.0.1', port: 0 });
    bare.push(performance.now() - t1);
    await server.close();
  }

  const wx = await startWxLogistics();
  const resets: number[] = [];
  try {
    const { appid, secret } = wx.app;
    for (let i = 0; i < o.resets; i++) {
      const token = (
        (await (await fetch(`${wx.baseUrl}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)).json()) as {
          access_token: string;
        }
      ).access_token;
      const post = async (path: string, body: unknown) =>
        (await (
          await fetch(`${wx.baseUrl}/cgi-bin/express/business/${path}?access_token=${token}`, {
            method: 'POST',
            body: JSON.stringify(body),
          })
        ).json()) as Record<string, any>;
      const added = await post('order/add', orderBody(`r${i}`));
      if (added.errcode !== 0) throw new Error(`addOrder failed: ${JSON.stringify(added)}`);
      await post('test_update_order', {
        biz_id: 'test_biz_id',
        order_id: `r${i}`,
        delivery_id: 'TEST',
        waybill_id: added.waybill_id,
        action_time: wx.clock.now(),
        action_type: 100001,
        action_msg: '揽件',
      });
      await wx.pushes().waitFor();
      const t0 = performance.now();
      await wx.reset();
      resets.push(performance.now() - t0);
    }
  } finally {
    await wx.stop();
  }

  const start = median(starts);
  const reset = median(resets);
  const bareMs = median(bare);
  const cpuMs = median(startCpu);
  log(
    `in-process: first start ${ms(firstMs)}; start median ${ms(start)} (${o.starts}, CPU ${ms(cpuMs)}); bare fastify listen ${ms(bareMs)}; reset median ${ms(reset)} (${o.resets})`,
  );
  return [
    { metric: 'startWxLogistics(), first in the process (memory store)', value: ms(firstMs) },
    {
      metric: `startWxLogistics() median of ${o.starts} (memory store)`,
      value: ms(start),
      baseline: `bare fastify listen ${ms(bareMs)}`,
      ratio: `${(start / bareMs).toFixed(1)}×`,
      target: '≤ 250 ms',
      met: start <= 250,
    },
    // Wall time depends on how busy the machine is; the process's CPU time per start much less so.
    { metric: 'CPU time of one startWxLogistics() (median, user + system, all threads)', value: ms(cpuMs) },
    {
      metric: `reset() median of ${o.resets} (after a token, an order, a node, its push)`,
      value: ms(reset),
      baseline: `a new start ${ms(start)}`,
      ratio: `${(start / reset).toFixed(0)}× faster`,
      target: '≤ 20 ms',
      met: reset <= 20,
    },
  ];
}
