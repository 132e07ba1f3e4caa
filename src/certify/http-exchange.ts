// One HTTP request to the carrier, timed, with WeChat's drop-after-timeout (events.md §1.5).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Exchange } from './judge-reply.ts';

export type HttpCall = { method: 'GET' | 'POST'; url: string; body?: string; contentType?: string; timeoutMs: number };

/** Send one request on a fresh connection; resolves (never rejects) with what happened. */
export function exchange(call: HttpCall): Promise<Exchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let done = false;
    const finish = (x: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(x);
    };
    const url = new URL(call.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { connection: 'close' };
    if (call.body !== undefined) {
      headers['content-type'] = call.contentType ?? 'text/plain';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = send(url, { method: call.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish({ kind: 'answered', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: elapsed() }),
      );
      res.on('error', (err) => finish({ kind: 'error', message: err.message, elapsedMs: elapsed() }));
    });
    // The whole answer (headers and body) must arrive within the limit, as WeChat drops the connection.
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', elapsedMs: elapsed() });
      req.destroy();
    }, call.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'error', message: err.code ?? err.message, elapsedMs: elapsed() }));
    req.end(call.body);
  });
}
