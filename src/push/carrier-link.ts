// Sending carrier events (events.md §3) as WeChat pushes them: signed, encrypted in
// compatible/secure mode (./push-request.ts), XML or JSON; the structured reply is read
// by ./carrier-reply.ts. The core decides what the reply means (src/core/carrier-side.ts).
import { randomBytes } from 'node:crypto';
import type { CarrierExchange, CarrierLink } from '../core/carrier-link.ts';
import type { WireObject } from '../core/push-events.ts';
import { originalId } from '../core/tracking-service.ts';
import type { CarrierRecord } from '../storage/carrier-store.ts';
import { CarrierReplyError, readCarrierReply } from './carrier-reply.ts';
import { buildPushRequest } from './push-request.ts';

export interface CarrierLinkOptions {
  /** How long one attempt waits for the reply (WeChat: 5 s, events.md §1.5). */
  timeoutMs?: number;
  /**
   * Attempts per event when the transport fails (timeout, refused or reset connection,
   * HTTP 5xx); a reply that arrives but is garbage is not retried. WeChat: 3 in total.
   */
  attempts?: number;
  /** Unix seconds for `timestamp` and the pushes' clock (the server's one clock). */
  nowSeconds: () => number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_ATTEMPTS = 3;
const BODY_LIMIT = 1024 * 1024;

export class HttpCarrierLink implements CarrierLink {
  readonly timeoutMs: number;
  readonly attempts: number;

  constructor(private readonly o: CarrierLinkOptions) {
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attempts = Math.max(1, o.attempts ?? DEFAULT_ATTEMPTS);
  }

  async send(carrier: CarrierRecord, event: WireObject): Promise<CarrierExchange> {
    const startedAt = Date.now();
    let last: Omit<CarrierExchange, 'startedAt' | 'durationMs' | 'attempts'> = {
      url: carrier.url,
      requestBody: '',
      statusCode: null,
      replyBody: '',
      error: 'not sent',
    };
    let attempt = 0;
    while (attempt < this.attempts) {
      attempt++;
      const { result, retry } = await this.#attempt(carrier, event);
      last = result;
      if (!retry) break;
    }
    return { ...last, startedAt, durationMs: Date.now() - startedAt, attempts: attempt };
  }

  async #attempt(
    carrier: CarrierRecord,
    event: WireObject,
  ): Promise<{ result: Omit<CarrierExchange, 'startedAt' | 'durationMs' | 'attempts'>; retry: boolean }> {
    const req = buildPushRequest({
      url: carrier.url,
      token: carrier.token,
      ...(carrier.encoding_aes_key ? { encodingAesKey: carrier.encoding_aes_key } : {}),
      mode: carrier.mode,
      format: carrier.format,
      appid: carrier.appid,
      toUserName: originalId(carrier.appid),
      event,
      timestamp: String(this.o.nowSeconds()),
      nonce: String(randomBytes(4).readUInt32BE(0)),
    });
    const base = { url: req.url, requestBody: req.body };
    let res: Response;
    let replyBody: string;
    try {
      res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': req.contentType },
        body: req.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      replyBody = (await res.text()).slice(0, BODY_LIMIT);
    } catch (e) {
      return { result: { ...base, statusCode: null, replyBody: '', error: describe(e, this.timeoutMs) }, retry: true };
    }
    const answered = { ...base, statusCode: res.status, replyBody };
    if (res.status < 200 || res.status >= 300) return { result: { ...answered, error: `HTTP ${res.status}` }, retry: res.status >= 500 };
    try {
      const reply = readCarrierReply(replyBody, { token: carrier.token, encodingAesKey: carrier.encoding_aes_key, appid: carrier.appid });
      return { result: { ...answered, reply }, retry: false };
    } catch (e) {
      return { result: { ...answered, error: e instanceof CarrierReplyError ? e.message : String(e) }, retry: false };
    }
  }
}

function describe(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'fetch failed'}: ${cause}` : (err.message ?? String(e));
}
