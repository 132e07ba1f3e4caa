/**
 * `client.openapi.logistics.*` against the real wx-server-sdk: the same calls
 * through a cloud function (child process, SDK 4.0.2, the server's cloud
 * bridge) and through the client over HTTPS must give identical results and
 * errors, key order included (rids aside).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { LogisticsClient, toCamelCase } from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { testOrderBody } from './harness.ts';

let s: TestServer;
let keys: { secretId: string; secretKey: string };
before(async () => {
  s = await startTestServer();
  keys = await s.app.core.cloud.enable(s.appid, ['local-env']);
});
after(() => s.close());

type Call = { api: string; data?: unknown };
type Outcome = { result?: unknown; thrown?: { errCode: number; errMsg: string } };

async function viaSdk(calls: Call[]): Promise<Outcome[]> {
  const runner = fileURLToPath(new URL('../support/run-cloud-function.cjs', import.meta.url));
  const fn = fileURLToPath(new URL('../fixtures/cloud-functions/logistics/index.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [runner, fn, JSON.stringify(calls)], {
    env: {
      PATH: process.env.PATH ?? '',
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${s.url}/admin` }),
      TENCENTCLOUD_SECRETID: keys.secretId,
      TENCENTCLOUD_SECRETKEY: keys.secretKey,
      SCF_NAMESPACE: 'local-env',
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Outcome[];
}

async function viaClient(calls: Call[]): Promise<Outcome[]> {
  const api = new LogisticsClient({ appid: s.appid, secret: s.secret, baseUrl: s.url }).openapi.logistics as unknown as Record<
    string,
    (data: unknown) => Promise<unknown>
  >;
  const out: Outcome[] = [];
  for (const { api: name, data } of calls) {
    try {
      out.push({ result: await api[name]!(data) });
    } catch (e) {
      const { errCode, errMsg } = e as { errCode: number; errMsg: string };
      out.push({ thrown: { errCode, errMsg } });
    }
  }
  return JSON.parse(JSON.stringify(out)) as Outcome[]; // same serialisation as the runner
}

const withoutRids = (o: Outcome[]) => JSON.parse(JSON.stringify(o).replace(/rid: [0-9a-f-]{26}/g, 'rid: R')) as Outcome[];

test('wx-server-sdk and client.openapi.logistics agree on answers and errors', async () => {
  const order = toCamelCase(testOrderBody('parity-1')) as Record<string, unknown>;
  const added = await viaSdk([{ api: 'addOrder', data: order }]);
  const waybillId = (added[0]?.result as { waybillId: string }).waybillId;
  const ref = { orderId: 'parity-1', openid: 'oABC', deliveryId: 'TEST', waybillId };
  const calls: Call[] = [
    { api: 'addOrder', data: order }, // same body again: the same waybill
    { api: 'getOrder', data: ref },
    {
      api: 'batchGetOrder',
      data: {
        orderList: [
          { orderId: 'parity-1', deliveryId: 'TEST', waybillId },
          { orderId: 'nope', deliveryId: 'TEST' },
        ],
      },
    },
    { api: 'getAllDelivery' },
    { api: 'getAllAccount' },
    { api: 'getOrder', data: { orderId: 'missing', deliveryId: 'TEST', waybillId: 'x' } },
    { api: 'getQuota', data: { deliveryId: 'YTO', bizId: 'nobody' } },
    { api: 'testUpdateOrder', data: { bizId: 'test_biz_id', orderId: 'parity-1', deliveryId: 'TEST', waybillId } },
  ];
  const sdk = withoutRids(await viaSdk(calls));
  const client = withoutRids(await viaClient(calls));
  assert.equal(sdk.length, calls.length);
  for (const [i, call] of calls.entries()) {
    assert.deepEqual(client[i], sdk[i], call.api);
    assert.equal(JSON.stringify(client[i]), JSON.stringify(sdk[i]), `${call.api}: key order`);
  }
  assert.deepEqual(sdk[7], { thrown: { errCode: -604100, errMsg: 'system error: error code: -604100' } });
  assert.ok(sdk[5]?.thrown && /order not exists rid: R$/.test(sdk[5].thrown.errMsg));
});
