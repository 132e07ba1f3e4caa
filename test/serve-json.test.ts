/**
 * `wxlogistics serve --json` and `--seed FILE`: what a test suite in another language
 * or a CI service step relies on — one JSON line on stdout once the server listens,
 * a seed applied through the API's own rules, a refused seed ending the start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LogisticsClient, type AddOrderRequest } from '../src/client/index.ts';
import { BIN } from './support/server-process.ts';
import { testOrder } from './support/test-server.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wxl-serve-json-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  line: Record<string, any>;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `serve --port 0 --json …`; resolves with the parsed first stdout line, or rejects with the exit code and stderr. */
function serveJson(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', ...args], {
    env: { ...process.env, WXL_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON line within 30 s; stderr:\n${err}`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve({ line: JSON.parse(out.slice(0, nl)), stdout: () => out, stderr: () => err, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited with ${code}: ${err}`), { code, stderr: err, stdout: out }));
    });
  });
}

const writeSeed = (name: string, seed: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

test('serve --json prints one line with the base URL, a usable demo app with cloud keys and the admin key; --log writes only to stderr', async () => {
  const s = await serveJson(['--memory', '--log']);
  try {
    const { line } = s;
    assert.match(line.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(line.cloudServiceUrl, `${line.baseUrl}/admin`);
    assert.equal(line.adminUrl, `${line.baseUrl}/_wxl/api`);
    assert.match(line.appid, /^wx[0-9a-f]{16}$/);
    assert.equal(line.cloudEnv, 'local-env');
    assert.match(line.secretId, /^AKID/);
    const client = new LogisticsClient({ appid: line.appid, secret: line.secret, baseUrl: line.baseUrl });
    assert.equal((await client.getAllDelivery()).errcode, 0);
    const admin = await fetch(`${line.adminUrl}/clock`, { headers: { authorization: `Bearer ${line.adminKey}` } });
    assert.equal(admin.status, 200, await admin.text());
    assert.equal(s.stdout(), `${JSON.stringify(line)}\n`, 'nothing but the line on stdout');
    assert.match(s.stderr(), /"msg":"incoming request"/);
  } finally {
    await s.stop();
  }
});

test('SIGTERM the moment the line is read closes the server cleanly (exit code 0)', async () => {
  const s = await serveJson(['--memory']);
  assert.equal(await s.stop(), 0);
});

test('--seed creates the apps, binds the accounts and adds the orders; the line names the first app and the waybills; a reset keeps the seed', async () => {
  const seed = writeSeed('good.json', {
    apps: [
      { appid: 'wxseed00000000000a1', secret: 'seed-secret-1', cloudEnv: ['seed-env', 'other-env'] },
      { appid: 'wxseed00000000000a2' },
    ],
    accounts: [
      { delivery_id: 'SF', biz_id: 'sf-account', password: 'pw' },
      { appid: 'wxseed00000000000a2', delivery_id: 'ZTO', biz_id: 'zto-account', password: 'pw' },
    ],
    orders: [testOrder('seed-order-1'), { appid: 'wxseed00000000000a2', ...testOrder('seed-order-2') }],
  });
  const s = await serveJson(['--memory', '--seed', seed]);
  try {
    const { line } = s;
    assert.equal(line.appid, 'wxseed00000000000a1');
    assert.equal(line.secret, 'seed-secret-1');
    assert.equal(line.cloudEnv, 'seed-env');
    assert.equal(line.apps.length, 2);
    assert.match(line.apps[1].secret, /^[0-9a-f]{32}$/, 'a generated secret is reported');
    assert.deepEqual(
      line.orders.map((o: { appid: string; order_id: string }) => [o.appid, o.order_id]),
      [
        ['wxseed00000000000a1', 'seed-order-1'],
        ['wxseed00000000000a2', 'seed-order-2'],
      ],
    );
    const first = new LogisticsClient({ appid: line.appid, secret: line.secret, baseUrl: line.baseUrl });
    const accounts = await first.getAllAccount();
    assert.deepEqual(
      accounts.list.map((a) => [a.delivery_id, a.biz_id]),
      [['SF', 'sf-account']],
    );
    const order = await first.getOrder({
      order_id: 'seed-order-1',
      openid: 'oABC123456',
      delivery_id: 'TEST',
      waybill_id: line.orders[0].waybill_id,
    });
    assert.equal(order.waybill_id, line.orders[0].waybill_id);
    const second = new LogisticsClient({ appid: line.apps[1].appid, secret: line.apps[1].secret, baseUrl: line.baseUrl });
    assert.deepEqual(
      (await second.getAllAccount()).list.map((a) => a.biz_id),
      ['zto-account'],
    );

    // POST /_wxl/api/reset goes back to the state at listen: the seed stays, later orders go.
    const later = await first.addOrder(testOrder('after-seed') as unknown as AddOrderRequest);
    const reset = await fetch(`${line.adminUrl}/reset`, { method: 'POST', headers: { 'x-wxl-admin-key': line.adminKey } });
    assert.equal(reset.status, 200, await reset.text());
    await assert.rejects(
      first.getOrder({ order_id: 'after-seed', openid: 'oABC123456', delivery_id: 'TEST', waybill_id: later.waybill_id }),
      { name: 'WxApiError' },
    );
    assert.equal(
      (await first.getOrder({ order_id: 'seed-order-1', openid: 'oABC123456', delivery_id: 'TEST', waybill_id: line.orders[0].waybill_id }))
        .order_status,
      0,
    );
    assert.deepEqual(
      (await first.getAllAccount()).list.map((a) => a.biz_id),
      ['sf-account'],
    );
  } finally {
    await s.stop();
  }
});

test('a seed the API would refuse ends the start with exit code 1, the entry and the errcode on stderr, nothing on stdout', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['typo.json', { app: [] }, /--seed .*typo\.json: seed: unknown key "app"/],
    ['account.json', { accounts: [{ delivery_id: 'NOPE', biz_id: 'x' }] }, /accounts\[0\]: errcode 9300503/],
    ['order.json', { orders: [testOrder('bad-1', { cargo: { count: 1 } })] }, /orders\[0\] \(order_id bad-1\): errcode \d+/],
    ['app.json', { apps: [{ appid: 'not valid!' }] }, /apps\[0\]: appid must be/],
  ];
  writeFileSync(join(dir, 'broken.json'), '{"apps": [');
  cases.push(['broken.json', undefined, /broken\.json: not JSON/], ['missing.json', undefined, /missing\.json: no such file/]);
  for (const [name, seed, expected] of cases) {
    const file = seed === undefined ? join(dir, name) : writeSeed(name, seed);
    const failed = await serveJson(['--memory', '--seed', file]).then(
      async (s) => {
        await s.stop();
        assert.fail(`${name}: the server started`);
      },
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    assert.equal(failed.code, 1, name);
    assert.match(failed.stderr, expected, name);
    assert.equal(failed.stdout, '', name);
  }
});

test('the same seed applied again to a kept data directory starts; another secret for a seeded app is refused', async () => {
  const data = join(dir, 'kept');
  const seed = writeSeed('kept.json', {
    apps: [{ appid: 'wxseed00000000000b1', secret: 'kept-secret' }],
    orders: [testOrder('kept-order')],
  });
  const waybills: string[] = [];
  for (let run = 0; run < 2; run++) {
    const s = await serveJson(['--data', data, '--seed', seed]);
    waybills.push(s.line.orders[0].waybill_id);
    await s.stop();
  }
  assert.equal(waybills[0], waybills[1], 'the second addOrder is a replay of the first');
  const other = writeSeed('kept-other.json', { apps: [{ appid: 'wxseed00000000000b1', secret: 'another' }] });
  await assert.rejects(
    serveJson(['--data', data, '--seed', other]),
    /apps\[0\]: app wxseed00000000000b1 already exists with another secret/,
  );
  // Without a seed, a kept store with apps has no app whose secret the line could show.
  const s = await serveJson(['--data', data]);
  assert.equal(s.line.appid, null);
  assert.equal(s.line.secret, null);
  await s.stop();
});
