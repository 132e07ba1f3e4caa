/** The wxlogistics command: apps, push settings, labels (child processes on a temp data dir). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeCode128Svg, findCode128Svgs } from './support/code128-decode.ts';
import { cli } from './support/server-process.ts';
import { PATHS, startTestServer, testOrder } from './support/test-server.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wxl-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('app create --json prints appid and secret; the secret is stored only as a hash; app list shows the app', async () => {
  const created = JSON.parse(
    await cli(['app', 'create', '--data', dir, '--appid', 'wxcli00000000000001', '--secret', 'cli-secret', '--json']),
  );
  assert.deepEqual(created, { appid: 'wxcli00000000000001', secret: 'cli-secret' });
  const generated = JSON.parse(await cli(['app', 'create', '--data', dir, '--json']));
  assert.match(generated.appid, /^wx[0-9a-f]{16}$/);
  assert.match(generated.secret, /^[0-9a-f]{32}$/);
  const listed = (await cli(['app', 'list', '--data', dir, '--json']))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(listed.map((a) => a.appid).sort(), [created.appid, generated.appid].sort());
  const db = (await import('better-sqlite3')).default(join(dir, 'wxlogistics.sqlite'), { readonly: true });
  const hash = (db.prepare('SELECT secret_hash FROM apps WHERE appid = ?').get(created.appid) as { secret_hash: string }).secret_hash;
  db.close();
  assert.match(hash, /^scrypt-sha256\$/);
  assert.ok(!hash.includes('cli-secret'));
});

test('app push refuses an invalid EncodingAESKey and a secure mode without one; accepts a valid one', async () => {
  const base = ['app', 'push', '--data', dir, '--appid', 'wxcli00000000000001', '--url', 'http://127.0.0.1:9/push', '--token', 'tok123'];
  await assert.rejects(cli([...base, '--aes-key', 'short', '--mode', 'secure']), /EncodingAESKey must be 43 characters/);
  await assert.rejects(cli([...base, '--aes-key', 'a'.repeat(42) + '+', '--mode', 'secure']), /EncodingAESKey must be 43 characters/);
  await assert.rejects(cli([...base, '--mode', 'secure']), /needs an EncodingAESKey/);
  const ok = await cli([...base, '--aes-key', 'A'.repeat(43), '--mode', 'secure', '--format', 'json']);
  assert.match(ok, /secure json → http:\/\/127\.0\.0\.1:9\/push/);
  const listed = JSON.parse(
    (await cli(['app', 'list', '--data', dir, '--json'])).split('\n').find((l) => l.includes('wxcli00000000000001'))!,
  );
  assert.equal(listed.push.mode, 'secure');
});

test("label writes the order's printable label; its barcode decodes to the waybill id", async () => {
  const s = await startTestServer({ dataDir: dir });
  let waybill: string;
  try {
    const token = await s.token('wxcli00000000000001', 'cli-secret');
    waybill = (await s.post(PATHS.addOrder, testOrder('cli-label'), token)).json.waybill_id;
  } finally {
    await s.close();
  }
  for (const printType of ['0', '1']) {
    const html = await cli(['label', '--data', dir, '--order-id', 'cli-label', '--delivery-id', 'TEST', '--print-type', printType]);
    assert.match(html, printType === '1' ? /size: 76mm 130mm/ : /size: 100mm 180mm/);
    assert.equal(decodeCode128Svg(findCode128Svgs(html)[0]!), waybill);
  }
  await assert.rejects(cli(['label', '--data', dir, '--order-id', 'nope', '--delivery-id', 'TEST']), /no order nope/);
});
