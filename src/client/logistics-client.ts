import { FetchHttpClient, type HttpClient } from './http-client.ts';
import { createLogisticsOpenApi, type LogisticsOpenApi } from './openapi.ts';
import { RequestSender } from './request-sender.ts';
import { accountsResource, type AccountsResource } from './resources/accounts.ts';
import { deliveriesResource, type DeliveriesResource } from './resources/deliveries.ts';
import { ordersResource, type OrdersResource } from './resources/orders.ts';
import { pathsResource, type PathsResource } from './resources/paths.ts';
import { printersResource, type PrintersResource } from './resources/printers.ts';
import { TokenManager } from './token-manager.ts';

export interface LogisticsClientOptions {
  appid: string;
  secret: string;
  /** Default `https://api.weixin.qq.com`; point it at a wxlogistics server. */
  baseUrl?: string;
  /** `token` (default): GET /cgi-bin/token; `stable`: POST /cgi-bin/stable_token, which other processes can share. */
  tokenEndpoint?: 'token' | 'stable';
  /** Back-off retries for busy (-1) answers and lost connections (see retry-policy.ts). Default 2. */
  maxRetries?: number;
  /** Per-request timeout of the default fetch client. Default 30 000 ms. */
  timeoutMs?: number;
  /** Replace the transport (tests, proxies, another HTTP stack). */
  httpClient?: HttpClient;
  /** Fetch a new token this long before expiry. Default 300 s (WeChat's overlap window). */
  refreshBeforeExpirySeconds?: number;
  /** Clock for token expiry, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

// The API methods come from the resource files (one per resource) and are
// copied onto the instance in the constructor; this interface types them.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the merge is the point: the methods are assigned in the constructor
export interface LogisticsClient extends OrdersResource, AccountsResource, DeliveriesResource, PathsResource, PrintersResource {}

/**
 * Client of the Logistics Assistant business APIs (WeChat or wxlogistics):
 * one method per API with snake_case bodies, access tokens handled, errors as
 * `WxApiError`; `openapi.logistics` mirrors wx-server-sdk's cloud calls.
 * @example
 * const client = new LogisticsClient({ appid: 'wx…', secret: '…', baseUrl: 'http://127.0.0.1:8080' });
 * const { data } = await client.getAllDelivery();
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class LogisticsClient {
  /**
   * `cloud.openapi` of wx-server-sdk over HTTPS: camelCase arguments, answers
   * and errors exactly as a cloud function sees them.
   * @example
   * const { printHtml, errMsg } = await client.openapi.logistics.getOrder({ orderId: 'o1', deliveryId: 'TEST', waybillId });
   */
  readonly openapi: { logistics: LogisticsOpenApi };
  readonly #tokens: TokenManager;

  constructor(options: LogisticsClientOptions) {
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    const http = options.httpClient ?? new FetchHttpClient(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    this.#tokens = new TokenManager({
      appid: options.appid,
      secret: options.secret,
      baseUrl,
      http,
      endpoint: options.tokenEndpoint ?? 'token',
      refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds ?? 300,
      now: options.now ?? Date.now,
    });
    const sender = new RequestSender({ baseUrl, http, tokens: this.#tokens, maxRetries: options.maxRetries ?? 2 });
    Object.assign(
      this,
      ordersResource(sender),
      accountsResource(sender),
      deliveriesResource(sender),
      pathsResource(sender),
      printersResource(sender),
    );
    this.openapi = { logistics: createLogisticsOpenApi(sender) };
  }

  /**
   * The access token the calls use, fetched first if none is cached or it is about to expire.
   * @example
   * const token = await client.getAccessToken();
   */
  getAccessToken(): Promise<string> {
    return this.#tokens.get();
  }
}
