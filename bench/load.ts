/**
 * Load generation with autocannon, in the benchmark's own process (the servers
 * are children). Every request body is built per request by setupRequest from a
 * counter shared by all connections, so consecutive requests name different orders.
 */
import autocannon from 'autocannon';
import { orderBody } from './order-body.ts';

export const GET_PATH = '/cgi-bin/express/business/order/get';
export const ADD_PATH = '/cgi-bin/express/business/order/add';

export interface LoadResult {
  rps: number;
  p99: number;
  /** Non-2xx answers, connection errors, timeouts, plus answers with errcode ≠ 0. */
  failures: number;
}

interface LoadOptions {
  connections: number;
  seconds: number;
}

async function run(url: string, body: () => string, opts: LoadOptions): Promise<LoadResult> {
  let wxErrors = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: body() }),
        // Every answer is checked: an error answer (a used-up quota, say) is cheap and would pass for a
        // fast one. autocannon collects each body as text whether asked for it or not, so the check
        // costs the load generator one startsWith.
        onResponse: (_status: number, text: string) => void (text.startsWith('{"errcode":0,') || wxErrors++),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts + wxErrors,
  };
}

/** getOrder over a working set of order_ids, cycled in order. */
export function loadGetOrder(baseUrl: string, token: string, orderIds: readonly string[], opts: LoadOptions) {
  const bodies = orderIds.map((order_id) => JSON.stringify({ order_id, delivery_id: 'TEST' }));
  let i = 0;
  return run(`${baseUrl}${GET_PATH}?access_token=${token}`, () => bodies[i++ % bodies.length]!, opts);
}

/** addOrder with a fresh order_id on every request (`<prefix><n>`). */
export function loadAddOrder(baseUrl: string, token: string, prefix: string, opts: LoadOptions) {
  let n = 0;
  return run(`${baseUrl}${ADD_PATH}?access_token=${token}`, () => JSON.stringify(orderBody(`${prefix}${n++}`)), opts);
}
