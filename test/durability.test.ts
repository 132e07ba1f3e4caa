/** Undelivered events survive a SIGKILL and arrive, in order, after a restart. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { answer, startReceiver } from './support/receiver.ts';
import { cli, startServerProcess } from './support/server-process.ts';
import { PATHS, testOrder } from './support/test-server.ts';

test('server killed (SIGKILL) with undelivered events → after restart they arrive, Versions increasing per waybill', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-kill-'));
  // The receiver first hangs: deliveries are in flight when the server dies.
  const r = await startReceiver(() => undefined);
  try {
    const { appid, secret } = JSON.parse(await cli(['app', 'create', '--data', dir, '--appid', 'wxkill000000000001', '--json']));
    await cli(['app', 'push', '--data', dir, '--appid', appid, '--url', r.url, '--token', 'killToken', '--format', 'json']);
    const first = await startServerProcess(['--data', dir, '--push-timeout-ms', '60000']);
    const { access_token } = (await (
      await fetch(`${first.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)
    ).json()) as { access_token: string };
    const post = (base: string, path: string, body: object) =>
      fetch(`${base}${path}?access_token=${access_token}`, { method: 'POST', body: JSON.stringify(body) }).then(
        (res) => res.json() as Promise<any>,
      );
    const waybills: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await post(first.url, PATHS.addOrder, testOrder(`kill-${i}`));
      waybills.push(a.waybill_id);
      for (const [n, type] of [100001, 200001, 300002].entries()) {
        const res = await post(first.url, PATHS.testUpdateOrder, {
          biz_id: 'test_biz_id',
          order_id: `kill-${i}`,
          delivery_id: 'TEST',
          waybill_id: a.waybill_id,
          action_time: 1700000000 + n,
          action_type: type,
          action_msg: `step ${n}`,
        });
        assert.equal(res.errcode, 0);
      }
    }
    await r.waitFor(3); // the first event of each waybill is in flight
    await first.kill('SIGKILL');
    const before = r.received.length;

    r.behave = answer('success');
    const second = await startServerProcess(['--data', dir]);
    try {
      await r.waitFor(before + 9, 15_000);
      const delivered = r.received.slice(before).map((p) => JSON.parse(p.body) as { WayBillId: string; Version: number });
      for (const w of waybills) {
        assert.deepEqual(
          delivered.filter((e) => e.WayBillId === w).map((e) => e.Version),
          [1, 2, 3],
          w,
        );
      }
      const list = await cli(['events', 'list', '--data', dir]);
      assert.equal(
        list
          .trim()
          .split('\n')
          .filter((l) => l.includes('\tdelivered\t')).length,
        9,
        list,
      );
    } finally {
      await second.kill();
    }
  } finally {
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
