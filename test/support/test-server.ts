/**
 * A real wxlogistics server on 127.0.0.1 (port 0) for black-box tests, with a
 * small fetch-based caller. Nothing is mocked: the store is SQLite (memory or a
 * file) or PostgreSQL (`storeUrl`), requests cross a real socket.
 */
import { readFileSync } from 'node:fs';
import { createApplication, type Application } from '../../src/app.ts';
import type { AdjustableClock } from '../../src/core/clock.ts';
import type { DeliveryPolicy } from '../../src/push/delivery-policy.ts';

export interface TestServer {
  app: Application;
  url: string;
  appid: string;
  secret: string;
  clock: AdjustableClock;
  /** A fresh /cgi-bin/token for the default app (or the given one). */
  token(appid?: string, secret?: string): Promise<string>;
  /** POST a JSON body (object, or raw string) to a WeChat path with ?access_token=. */
  post(path: string, body: unknown, token?: string): Promise<WireAnswer>;
  get(path: string, token?: string): Promise<WireAnswer>;
  close(): Promise<void>;
}

export interface WireAnswer {
  status: number;
  text: string;
  json: Record<string, any>;
  headers: Headers;
}

export const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

export interface TestServerOptions {
  dataDir?: string;
  /** A PostgreSQL store (`postgres://…?schema=…`) instead of SQLite. */
  storeUrl?: string;
  explain?: boolean;
  push?: Partial<DeliveryPolicy>;
  tickMs?: number;
  /** Events to registered carriers: timeout per attempt and attempts. */
  carrier?: { timeoutMs?: number; attempts?: number };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const app = await createApplication({
    ...(options.storeUrl ? { storeUrl: options.storeUrl } : options.dataDir ? { dataDir: options.dataDir } : { memory: true }),
    explain: options.explain,
    push: options.push,
    tickMs: options.tickMs,
    carrier: options.carrier,
  });
  const existing = await app.core.apps.list();
  const creds =
    existing.length > 0
      ? { appid: existing[0]!.appid, secret: 'test-secret' }
      : await app.core.apps.create({ appid: 'wx00000000000000a1', secret: 'test-secret' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let cached: string | undefined;
  const token = async (appid = creds.appid, secret = creds.secret) => {
    const res = await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`);
    const json = (await res.json()) as { access_token?: string; errcode?: number };
    if (!json.access_token) throw new Error(`token failed: ${JSON.stringify(json)}`);
    return json.access_token;
  };
  const defaultToken = async () => (cached ??= await token());
  const answer = async (res: Response): Promise<WireAnswer> => {
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text), headers: res.headers };
  };
  return {
    app,
    url,
    appid: creds.appid,
    secret: creds.secret,
    clock: app.core.clock as AdjustableClock,
    token,
    async post(path, body, t) {
      const res = await fetch(`${url}${path}?access_token=${t ?? (await defaultToken())}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return answer(res);
    },
    async get(path, t) {
      return answer(await fetch(`${url}${path}?access_token=${t ?? (await defaultToken())}`));
    },
    close: () => app.close(),
  };
}

export const PATHS = {
  addOrder: '/cgi-bin/express/business/order/add',
  getOrder: '/cgi-bin/express/business/order/get',
  batchGetOrder: '/cgi-bin/express/business/order/batchget',
  cancelOrder: '/cgi-bin/express/business/order/cancel',
  getAllDelivery: '/cgi-bin/express/business/delivery/getall',
  getAllAccount: '/cgi-bin/express/business/account/getall',
  bindAccount: '/cgi-bin/express/business/account/bind',
  getQuota: '/cgi-bin/express/business/quota/get',
  getPath: '/cgi-bin/express/business/path/get',
  testUpdateOrder: '/cgi-bin/express/business/test_update_order',
  getContact: '/cgi-bin/express/delivery/contact/get',
  previewTemplate: '/cgi-bin/express/delivery/template/preview',
  updateBusiness: '/cgi-bin/express/delivery/service/business/update',
  updatePath: '/cgi-bin/express/delivery/path/update',
} as const;

/** A valid TEST-carrier addOrder body; `over` replaces top-level fields. */
export function testOrder(orderId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    add_source: 0,
    order_id: orderId,
    openid: 'oABC123456',
    delivery_id: 'TEST',
    biz_id: 'test_biz_id',
    custom_remark: '易碎物品',
    sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路XX号' },
    receiver: { name: '王小蒙', mobile: '18610000000', province: '北京市', city: '北京市', area: '朝阳区', address: 'YY路YY号' },
    shop: { goods_name: '微信气泡狗抱枕', img_url: 'https://mmbiz.qpic.cn/x/640', goods_count: 1 },
    cargo: { count: 1, weight: 1.2, space_x: 20, space_y: 15, space_z: 10, detail_list: [{ name: '抱枕', count: 1 }] },
    insured: { use_insured: 0, insured_value: 0 },
    service: { service_type: 0, service_name: '标准快递' },
    ...over,
  };
}

/** The rid suffix of house rule 2. */
export const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
