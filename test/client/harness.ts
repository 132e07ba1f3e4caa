/**
 * A real wxlogistics server (memory store) on 127.0.0.1:0 that records every
 * request it receives, plus a recording HttpClient for what the client sends.
 */
import { createApplication, type Application } from '../../src/app.ts';
import type { AdjustableClock } from '../../src/core/clock.ts';
import {
  FetchHttpClient,
  LogisticsClient,
  type HttpClient,
  type HttpRequest,
  type LogisticsClientOptions,
} from '../../src/client/index.ts';

export interface Harness {
  app: Application;
  baseUrl: string;
  appid: string;
  secret: string;
  clock: AdjustableClock;
  /** Method and URL of every request the server received, in order. */
  received: { method: string; url: string }[];
  client(options?: Partial<LogisticsClientOptions>): LogisticsClient;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const app = await createApplication({ memory: true });
  const { appid, secret } = await app.core.apps.create();
  const received: Harness['received'] = [];
  // On the node server itself: fastify's own onRequest hook (auth) rejects
  // before any hook added here would run, and those requests must count too.
  app.server.server.on('request', (req) => {
    received.push({ method: req.method ?? '', url: req.url ?? '' });
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    baseUrl,
    appid,
    secret,
    clock: app.core.clock as AdjustableClock,
    received,
    client: (options = {}) => new LogisticsClient({ appid, secret, baseUrl, ...options }),
    close: () => app.close(),
  };
}

/** Wraps the fetch client and keeps every request it sends. */
export class RecordingHttpClient implements HttpClient {
  readonly sent: HttpRequest[] = [];
  readonly #inner = new FetchHttpClient();

  request(request: HttpRequest) {
    this.sent.push(request);
    return this.#inner.request(request);
  }
}

export const isTokenRequest = (r: { url: string }) => r.url.startsWith('/cgi-bin/token') || r.url.startsWith('/cgi-bin/stable_token');

/** The addOrder body of the client tests (TEST carrier). */
export const testOrderBody = (orderId: string) => ({
  add_source: 0,
  order_id: orderId,
  openid: 'oABC',
  delivery_id: 'TEST',
  biz_id: 'test_biz_id',
  sender: { name: '张三', mobile: '18666666666', province: '广东省', city: '广州市', area: '海珠区', address: 'XX路' },
  receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '广州市', area: '天河区', address: 'YY路' },
  shop: { goods_name: '抱枕', img_url: 'https://x/y.png', goods_count: 1 },
  cargo: { count: 1, weight: 1.2, space_x: 10, space_y: 10, space_z: 10, detail_list: [{ name: '抱枕', count: 1 }] },
  insured: { use_insured: 0, insured_value: 0 },
  service: { service_type: 0, service_name: '标准快递' },
});

export const RID = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
