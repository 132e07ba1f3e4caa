/**
 * A registered carrier and a crash: the server child process is SIGKILLed between the
 * carrier's add_waybill reply and the commit of the order (test-only hook
 * WXL_TEST_KILL_BEFORE_CARRIER_COMMIT). Nothing half-written remains, and the merchant's
 * retry asks the carrier again and converges on the waybill the carrier allocated.
 * Also: a carrier added through the CLI while the server runs takes effect without a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeCarrier } from './support/fake-carrier.ts';
import { cli, startServerProcess } from './support/server-process.ts';
import { PATHS, testOrder } from './support/test-server.ts';

test("SIGKILL between the carrier's reply and our commit: no order left; a retry asks again and gets the same waybill", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-carrier-kill-'));
  const carrier = await startFakeCarrier({ token: 'crashTok1', appid: 'wxcrashcarrier0001' });
  try {
    const { appid, secret } = JSON.parse(await cli(['app', 'create', '--data', dir, '--appid', 'wxcrash00000000001', '--json']));
    const first = await startServerProcess(['--data', dir], { WXL_TEST_KILL_BEFORE_CARRIER_COMMIT: '1' });
    const token = async (base: string) =>
      (
        (await (await fetch(`${base}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)).json()) as {
          access_token: string;
        }
      ).access_token;
    const post = async (base: string, path: string, body: object) =>
      fetch(`${base}${path}?access_token=${await token(base)}`, { method: 'POST', body: JSON.stringify(body) }).then(
        (res) => res.json() as Promise<any>,
      );

    // Registered through the CLI while the server runs on the same store, with a label template file.
    const template = join(dir, 'label.html');
    writeFileSync(template, '<html>##VAR(sys.waybillid) ##VAR(waybilldata.ACME_mark)</html>');
    const added = JSON.parse(
      await cli([
        'carrier',
        'add',
        '--data',
        dir,
        '--delivery-id',
        'ACME',
        '--name',
        '极速快递',
        '--url',
        carrier.url,
        '--token',
        'crashTok1',
        '--service',
        '0:标准快递',
        '--appid',
        'wxcrashcarrier0001',
        '--template',
        template,
        '--json',
      ]),
    );
    assert.equal(added.template, true);
    assert.equal(added.appid, 'wxcrashcarrier0001');
    assert.match(added.secret, /./);
    const seen = Date.now();
    let listed = false;
    while (!listed && Date.now() - seen < 3000) {
      const all = await fetch(`${first.url}${PATHS.getAllDelivery}?access_token=${await token(first.url)}`).then(
        (r) => r.json() as Promise<any>,
      );
      listed = all.data.some((d: any) => d.delivery_id === 'ACME');
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(listed, 'the running server lists the carrier within 3 s');
    assert.match(await cli(['carrier', 'list', '--data', dir]), /^ACME\s+极速快递/m);

    assert.equal(
      (await post(first.url, PATHS.bindAccount, { type: 'bind', biz_id: 'acme_biz', delivery_id: 'ACME', password: 'pw' })).errcode,
      0,
    );
    const order = testOrder('crash-1', { delivery_id: 'ACME', biz_id: 'acme_biz' });
    await assert.rejects(post(first.url, PATHS.addOrder, order), 'the server died before answering');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );
    assert.equal(first.child.signalCode, 'SIGKILL');
    assert.equal(carrier.of('add_waybill').length, 1, 'the carrier had answered');
    const allocated = [...carrier.waybills.values()][0];

    const second = await startServerProcess(['--data', dir]);
    try {
      assert.equal((await post(second.url, PATHS.getOrder, { order_id: 'crash-1', delivery_id: 'ACME' })).errcode, 930563, 'no half order');
      const retry = await post(second.url, PATHS.addOrder, order);
      assert.equal(retry.errcode, 0, JSON.stringify(retry));
      assert.equal(carrier.of('add_waybill').length, 2, 'the retry asked the carrier again');
      assert.equal(carrier.of('add_waybill')[1]!.event.Token, carrier.of('add_waybill')[0]!.event.Token, 'the same order token');
      assert.equal(retry.waybill_id, allocated, "the carrier's first waybill");
      assert.deepEqual(await post(second.url, PATHS.addOrder, order), retry, 'and from now on the stored answer');
      assert.equal(carrier.of('add_waybill').length, 2);
      const got = await post(second.url, PATHS.getOrder, { order_id: 'crash-1', delivery_id: 'ACME' });
      assert.equal(got.waybill_id, allocated);
      assert.equal(
        Buffer.from(got.print_html, 'base64').toString(),
        `<html>${allocated} 123-456-789</html>`,
        'the template of --template FILE',
      );
    } finally {
      await second.kill();
    }
    assert.match(await cli(['carrier', 'remove', '--data', dir, '--delivery-id', 'ACME']), /removed carrier ACME/);
    assert.equal((await cli(['carrier', 'list', '--data', dir])).trim(), '');
  } finally {
    await carrier.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
