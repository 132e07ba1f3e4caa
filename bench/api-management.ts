/**
 * What call counting and the rid log cost getOrder: three server children on
 * copies of one SQLite store — both off (`callQuotas: false, ridLog: false`),
 * counting only, counting + rid log (the default) — loaded in interleaved
 * rounds of the same run, medians compared with "both off".
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApplication } from '../src/app.ts';
import { APPID, SECRET } from './build-store.ts';
import { startChild, type Child } from './child.ts';
import { int, median, type BenchRow } from './extra-server.ts';
import { loadGetOrder, type LoadResult } from './load.ts';
import { orderBody } from './order-body.ts';

export interface ApiManagementBenchOptions {
  rounds: number;
  seconds: number;
  connections: number;
  workingSet: number;
}

const VARIANTS = [
  { name: 'off', config: { callQuotas: false, ridLog: false } },
  { name: 'counting', config: { callQuotas: true, ridLog: false } },
  { name: 'counting + rid log', config: { callQuotas: true, ridLog: true } },
] as const;

export async function benchApiManagement(o: ApiManagementBenchOptions, log = console.log): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'wxl-bench-quota-'));
  const children: Child[] = [];
  try {
    const base = join(root, 'base');
    const app = await createApplication({ dataDir: base, logger: false });
    await app.core.apps.create({ appid: APPID, secret: SECRET });
    const ids = Array.from({ length: o.workingSet }, (_, i) => `q${i}`);
    for (let n = 0; n < ids.length; n += 100)
      await Promise.all(ids.slice(n, n + 100).map((id) => app.core.orders.addOrder(APPID, orderBody(id))));
    await app.close();
    const servers: { name: string; url: string; token: string }[] = [];
    for (const [i, v] of VARIANTS.entries()) {
      const dir = join(root, `v${i}`);
      cpSync(base, dir, { recursive: true });
      const child = await startChild('./server-child.mjs', [dir, JSON.stringify(v.config)]);
      children.push(child);
      const t = (await (await fetch(`${child.url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as {
        access_token: string;
      };
      const probe = await (
        await fetch(`${child.url}/cgi-bin/express/business/order/get?access_token=${t.access_token}`, {
          method: 'POST',
          body: JSON.stringify({ order_id: ids[0], delivery_id: 'TEST' }),
        })
      ).text();
      if (!probe.startsWith('{"errcode":0,')) throw new Error(`getOrder on ${v.name}: ${probe.slice(0, 200)}`);
      servers.push({ name: v.name, url: child.url, token: t.access_token });
    }
    const opts = { connections: o.connections, seconds: o.seconds };
    for (const s of servers) await loadGetOrder(s.url, s.token, ids, { ...opts, seconds: Math.min(2, o.seconds) });
    const runs = new Map<string, LoadResult[]>(servers.map((s) => [s.name, []]));
    for (let r = 0; r < o.rounds; r++) {
      // Rotate the order per round, so no variant always runs first.
      const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
      for (const s of order) runs.get(s.name)!.push(await loadGetOrder(s.url, s.token, ids, opts));
      log(`quota round ${r + 1}/${o.rounds}: ${servers.map((s) => `${s.name} ${int(runs.get(s.name)!.at(-1)!.rps)} req/s`).join(' | ')}`);
    }
    const rps = (name: string) => median(runs.get(name)!.map((x) => x.rps));
    const p99 = (name: string) => median(runs.get(name)!.map((x) => x.p99));
    const off = rps('off');
    const failures = [...runs.values()].flat().reduce((n, x) => n + x.failures, 0);
    return [
      {
        metric: `getOrder req/s, call counting on / off (${o.workingSet} orders, SQLite)`,
        value: int(rps('counting')),
        baseline: `off ${int(off)}`,
        ratio: (rps('counting') / off).toFixed(2),
        target: '≥ 0.95',
        met: rps('counting') >= 0.95 * off,
      },
      {
        metric: 'getOrder req/s, counting + rid log (default) / off',
        value: int(rps('counting + rid log')),
        baseline: `off ${int(off)}`,
        ratio: (rps('counting + rid log') / off).toFixed(2),
        target: 'no measurable drop',
        met: rps('counting + rid log') >= 0.95 * off,
      },
      {
        metric: 'getOrder p99 (ms): off / counting / counting + rid log',
        value: `${p99('off')} / ${p99('counting')} / ${p99('counting + rid log')}`,
      },
      ...(failures ? [{ metric: '⚠️ quota bench: failed requests', value: int(failures) }] : []),
    ];
  } finally {
    for (const c of children) await c.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
