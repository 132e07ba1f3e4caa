import { endpoints } from './endpoints.ts';
import { WxApiError } from './errors.ts';
import { parseJsonAnswer, type HttpClient, type HttpRequest } from './http-client.ts';
import { backOffMs, retryDecision } from './retry-policy.ts';
import type { TokenManager } from './token-manager.ts';
import type { EndpointName, RequestOf, ResponseOf } from './types.ts';

export interface RequestSenderOptions {
  baseUrl: string;
  http: HttpClient;
  tokens: TokenManager;
  maxRetries: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends one business API call: adds `?access_token=`, serialises the body as
 * raw UTF-8 JSON, turns a non-zero errcode into `WxApiError`, and follows
 * retry-policy.ts. Resolves with WeChat's answer exactly as received.
 */
export class RequestSender {
  constructor(private readonly options: RequestSenderOptions) {}

  async send<N extends EndpointName>(name: N, body: RequestOf<N>): Promise<ResponseOf<N>> {
    const endpoint = endpoints[name];
    const { tokens, maxRetries, sleep = defaultSleep } = this.options;
    let tokenRefreshed = false;
    let retries = 0;
    for (;;) {
      const token = await tokens.get();
      try {
        return (await this.#attempt(name, token, body)) as ResponseOf<N>;
      } catch (error) {
        const decision = retryDecision({ error, endpoint, tokenRefreshed, retriesLeft: maxRetries - retries });
        if (decision === 'give-up') throw error;
        if (decision === 'refresh-token') {
          tokens.invalidate(token);
          tokenRefreshed = true;
        } else {
          await sleep(backOffMs(retries));
          retries += 1;
        }
      }
    }
  }

  async #attempt(name: EndpointName, token: string, body: unknown): Promise<Record<string, unknown>> {
    const { method, path } = endpoints[name];
    const request: HttpRequest = {
      method,
      url: `${this.options.baseUrl}${path}?access_token=${encodeURIComponent(token)}`,
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    };
    const json = parseJsonAnswer(await this.options.http.request(request), path);
    if (json.errcode) throw new WxApiError(json);
    return json;
  }
}
