import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeCommOpenApiResp } from '../../proto/comm-api.ts';
import { cloudBridgePlugin, type CloudBridgeOptions } from './bridge.ts';
import { readJson, seedVector } from './testdata/seed-vector.ts';

const seedHttpAnswer = readJson('seed-getOrder.http.response.json');
const seedCloudAnswer = readJson('seed-getOrder.cloud.response.json');

/** Test double of the API layer: records the call, answers the seed order, errcode for an unknown one. */
function fakeInvoke(calls: Array<[string, string, Record<string, unknown>]>): CloudBridgeOptions['invoke'] {
  return async (appid, apiName, body) => {
    calls.push([appid, apiName, body]);
    if (body['order_id'] === 'missing') return { errcode: 930563, errmsg: 'order not exists' };
    return { errcode: 0, errmsg: 'ok', ...seedHttpAnswer };
  };
}

async function newServer(calls: Array<[string, string, Record<string, unknown>]>, freshnessSeconds?: number): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(
    cloudBridgePlugin({
      ...(freshnessSeconds !== undefined ? { freshnessSeconds } : {}),
      findAppBySecretId: async (id) => (id === 'x' ? { appid: 'wx0123456789abcdef', secretKey: 'y', envs: ['local-env'] } : undefined),
      invoke: fakeInvoke(calls),
      knownApiNames: ['logistics.getOrder'],
    }),
  );
  return app;
}

const gatewayCode = (res: { json<T>(): T }): string => res.json<{ code: string }>().code;

describe('cloud bridge with the captured request (inject)', () => {
  const calls: Array<[string, string, Record<string, unknown>]> = [];
  let app: FastifyInstance;
  before(async () => (app = await newServer(calls)));
  after(() => app.close());

  const send = (headers = seedVector.headers(), body = seedVector.body) => {
    const { connection: _c, 'transfer-encoding': _t, ...rest } = headers;
    return app.inject({ method: 'POST', url: seedVector.url, headers: rest, payload: body });
  };

  test('answers CommOpenApiResp with the JSON the API returned', async () => {
    const res = await send();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    const resp = decodeCommOpenApiResp(res.rawPayload);
    assert.equal(resp.errorCode, 0);
    assert.equal(resp.contentType, 'application/json');
    assert.deepEqual(JSON.parse(resp.respData.toString('utf8')), { errcode: 0, errmsg: 'ok', ...seedHttpAnswer });
    assert.deepEqual(calls.at(-1), [
      'wx0123456789abcdef',
      'logistics.getOrder',
      { openid: 'oABC123456', order_id: '01234567890123456789', delivery_id: 'SF', waybill_id: '123456789' },
    ]);
  });

  test('a bad signature gets the TCB JSON error, not protobuf', async () => {
    const body = Buffer.from(seedVector.body);
    body[0x1f0] = body[0x1f0]! ^ 1;
    const res = await send(undefined, body);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.json<{ code: string }>().code, 'INVALID_REQUEST_SOURCE');
  });

  test('an unknown secretId is rejected', async () => {
    const headers = seedVector.headers();
    headers['authorization'] = headers['authorization']!.replace('Credential=x/', 'Credential=nobody/');
    assert.equal(gatewayCode(await send(headers)), 'INVALID_REQUEST_SOURCE');
  });
});

describe('cloud bridge app checks (inject)', () => {
  test("an env that is not the app's gets INVALIID_ENV; an unknown apiName gets -604100", async () => {
    const calls: Array<[string, string, Record<string, unknown>]> = [];
    const base = { findAppBySecretId: async () => ({ appid: 'wx1', secretKey: 'y', envs: ['other-env'] }), invoke: fakeInvoke(calls) };
    const { connection: _c, 'transfer-encoding': _t, ...headers } = seedVector.headers();
    const inject = async (opts: CloudBridgeOptions) => {
      const app = Fastify();
      await app.register(cloudBridgePlugin(opts));
      const res = await app.inject({ method: 'POST', url: seedVector.url, headers, payload: seedVector.body });
      await app.close();
      return res;
    };
    assert.equal(gatewayCode(await inject({ ...base, knownApiNames: ['logistics.getOrder'] })), 'INVALIID_ENV');
    const unknown = await inject({
      ...base,
      findAppBySecretId: async () => ({ appid: 'wx1', secretKey: 'y', envs: ['local-env'] }),
      knownApiNames: [],
    });
    assert.equal(unknown.headers['content-type'], 'application/octet-stream');
    assert.equal(decodeCommOpenApiResp(unknown.rawPayload).errorCode, -604100);
    assert.equal(calls.length, 0);
  });

  test('the deprecated JSON action wx.api is refused with INVALID_COMMON_PARAM', async () => {
    const app = Fastify();
    await app.register(cloudBridgePlugin({ findAppBySecretId: async () => undefined, invoke: fakeInvoke([]), knownApiNames: [] }));
    const res = await app.inject({ method: 'POST', url: '/admin', payload: { action: 'wx.api', apiName: 'x', requestData: '{}' } });
    await app.close();
    assert.equal(gatewayCode(res), 'INVALID_COMMON_PARAM');
  });
});

describe('an unmodified wx-server-sdk 4.0.2 reaches the bridge over plain http', () => {
  const calls: Array<[string, string, Record<string, unknown>]> = [];
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    app = await newServer(calls, 600); // the SDK signs with the real clock, so freshness can be on
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/admin`;
  });
  after(() => app.close());

  test('in process, configured through cloud.init: camelCase answer with errMsg ok, errcode → thrown errCode', async () => {
    const cloud = createRequire(import.meta.url)('wx-server-sdk') as WxServerSdk;
    cloud.init({ env: 'local-env', serviceUrl: url, secretId: 'x', secretKey: 'y' });
    const result = await cloud.openapi.logistics.getOrder({
      openid: 'oABC123456',
      orderId: '01234567890123456789',
      deliveryId: 'SF',
      waybillId: '123456789',
    });
    assert.equal(result['errMsg'], 'openapi.logistics.getOrder:ok');
    assert.deepEqual(result, { ...seedCloudAnswer, errCode: 0 });
    assert.deepEqual(calls.at(-1)?.[2], {
      openid: 'oABC123456',
      order_id: '01234567890123456789',
      delivery_id: 'SF',
      waybill_id: '123456789',
    });
    await assert.rejects(cloud.openapi.logistics.getOrder({ orderId: 'missing' }), {
      errCode: 930563,
      errMsg: 'openapi.logistics.getOrder:fail order not exists',
    });
    await assert.rejects(cloud.openapi.logistics.getPath({ orderId: '1' }), { errCode: -604100 });
  });

  test('in a child process, configured only through the environment (cloud.DYNAMIC_CURRENT_ENV)', async () => {
    const script = `
      const cloud = require('wx-server-sdk');
      cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
      cloud.openapi.logistics.getOrder({ openid: 'oABC123456', orderId: '01234567890123456789', deliveryId: 'SF', waybillId: '123456789' })
        .then((r) => process.stdout.write(JSON.stringify(r)), (e) => process.stdout.write(JSON.stringify({ thrown: e.errCode, msg: e.errMsg })));`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: url }),
      SCF_NAMESPACE: 'local-env',
      TENCENTCLOUD_SECRETID: 'x',
      TENCENTCLOUD_SECRETKEY: 'y',
    };
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: process.cwd(), env, timeout: 20_000 });
    assert.deepEqual(JSON.parse(stdout), { ...seedCloudAnswer, errCode: 0 });
  });
});

type SdkApi = (data: Record<string, unknown>) => Promise<Record<string, unknown>>;
interface WxServerSdk {
  init(config: Record<string, unknown>): void;
  openapi: { logistics: { getOrder: SdkApi; getPath: SdkApi } };
}
