import { WxTransportError } from './errors.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  text: string;
}

/**
 * The one seam between the client and the network. Implementations reject
 * with `WxTransportError` when no HTTP answer arrived; any status is an answer.
 */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** `HttpClient` over node's global fetch. */
export class FetchHttpClient implements HttpClient {
  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    // A timer cleared when the answer is read, not AbortSignal.timeout: that one lives
    // until it fires, so a busy client would carry 30 s worth of pending timers.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException('request timed out', 'TimeoutError')), this.options.timeoutMs ?? 30_000);
    try {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: abort.signal,
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND';
      const reason = error instanceof Error ? `${error.message}${typeof code === 'string' ? ` (${code})` : ''}` : String(error);
      throw new WxTransportError(`${request.method} ${new URL(request.url).pathname}: ${reason}`, !refused, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A 2xx answer whose body is a JSON object, or the `WxTransportError` it earns. */
export function parseJsonAnswer(response: HttpResponse, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    json = undefined;
  }
  if (response.status < 200 || response.status > 299 || typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new WxTransportError(
      `${what}: HTTP ${response.status}, not a WeChat JSON answer: ${response.text.slice(0, 200)}`,
      true,
      response.status,
    );
  }
  return json as Record<string, unknown>;
}
