/** `wxlogistics faults …` against a running server's admin API (child processes, real HTTP). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cli } from './support/server-process.ts';
import { PATHS, startTestServer, type TestServer } from './support/test-server.ts';

let s: TestServer;
let env: Record<string, string>;
before(async () => {
  s = await startTestServer();
  env = { WXL_ADMIN_KEY: s.app.adminKey };
});
after(() => s.close());

test('faults add (flags and --json), list with hits, remove, clear', async () => {
  const added = JSON.parse(
    await cli(['faults', 'add', '--url', s.url, '--api', 'getAllDelivery', '--errcode', '45009', '--times', '2'], env),
  ) as Record<string, any>;
  assert.deepEqual([added.api, added.errcode, added.times, added.hits], ['getAllDelivery', 45009, 2, 0]);
  const token = await s.token();
  assert.equal((await s.get(PATHS.getAllDelivery, token)).json.errcode, 45009);

  const fromJson = JSON.parse(
    await cli(
      ['faults', 'add', '--url', s.url, '--json', '{"api":"addOrder","errcode":9300501,"delivery_resultcode":10002}', '--order-id', 'o-1'],
      env,
    ),
  ) as Record<string, any>;
  assert.deepEqual([fromJson.api, fromJson.order_id, fromJson.delivery_resultcode], ['addOrder', 'o-1', 10002]);
  await cli(['faults', 'add', '--url', s.url, '--api', 'push', '--push', 'duplicate', '--delay-ms', '500'], env);
  const negative = JSON.parse(
    await cli(['faults', 'add', '--url', s.url, '--api', 'getPath', '--errcode', '-1', '--probability', '0.3', '--seed', 'ci'], env),
  ) as Record<string, any>;
  assert.deepEqual([negative.errcode, negative.probability, negative.seed], [-1, 0.3, 'ci']);
  assert.equal(s.app.faults.remove(negative.id), true);

  const lines = (await cli(['faults', 'list', '--url', s.url], env)).trim().split('\n');
  assert.deepEqual(lines, [
    `${added.id}\tgetAllDelivery\terrcode 45009\thits=1/2`,
    `${fromJson.id}\taddOrder order_id=o-1\terrcode 9300501\thits=0`,
    `${fromJson.id + 1}\tpush\tpush duplicate, delay 500 ms\thits=0`,
  ]);
  const json = (await cli(['faults', 'list', '--url', s.url, '--json'], env))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    json.map((r) => r.id),
    s.app.faults.list().map((r) => r.id),
  );

  assert.match(await cli(['faults', 'remove', '--url', s.url, String(added.id)], env), new RegExp(`removed fault rule ${added.id}`));
  assert.equal(s.app.faults.size, 2);
  assert.match(await cli(['faults', 'clear', '--url', `${s.url}/`], env), /cleared 2 fault rules/);
  assert.equal(s.app.faults.size, 0);
});

test("faults add refuses an invalid rule with the server's reason; a missing key or server is explained", async () => {
  await assert.rejects(
    cli(['faults', 'add', '--url', s.url, '--api', 'getOrder', '--connection', 'close'], env),
    /invalid fault rule: connection must be one of reset, hang/,
  );
  await assert.rejects(cli(['faults', 'add', '--url', s.url, '--api', 'getOrder', '--errcode', 'x'], env), /--errcode must be an integer/);
  await assert.rejects(cli(['faults', 'list', '--url', s.url], { WXL_ADMIN_KEY: 'wrong' }), /admin key required/);
  await assert.rejects(
    cli(['faults', 'list', '--url', 'http://127.0.0.1:9'], env),
    /no wxlogistics server answers at http:\/\/127\.0\.0\.1:9/,
  );
  assert.equal(s.app.faults.size, 0);
});
