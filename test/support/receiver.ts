/**
 * A merchant's push receiver: a real node:http server on 127.0.0.1 that records
 * every request and answers as `behave` says (success, 500, garbage, hang, reset).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  query: URLSearchParams;
  body: string;
  contentType: string | undefined;
  at: number;
}

export type Behaviour = (push: ReceivedPush, res: http.ServerResponse, socket: import('node:net').Socket) => void;

export const answer =
  (text: string, status = 200): Behaviour =>
  (_p, res) =>
    void res.writeHead(status).end(text);

export interface Receiver {
  url: string;
  received: ReceivedPush[];
  behave: Behaviour;
  /** Resolves when at least `n` pushes have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

export async function startReceiver(behave: Behaviour = answer('success'), port = 0): Promise<Receiver> {
  const received: ReceivedPush[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const push = {
        query: new URL(req.url ?? '/', 'http://x').searchParams,
        body,
        contentType: req.headers['content-type'],
        at: Date.now(),
      };
      received.push(push);
      waiters.splice(0).forEach((w) => w());
      r.behave(push, res, req.socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const r: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx/push`,
    received,
    behave,
    async waitFor(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} pushes, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return r;
}

/** Polls `check` until it is true (or throws after `ms`). */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
