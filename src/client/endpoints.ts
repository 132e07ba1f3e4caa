import type { EndpointName } from './types.ts';

export interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  /** Safe to send twice: reads. Writes are never retried after they may have reached the server. */
  idempotent: boolean;
  /** Reachable as `cloud.openapi.logistics.<name>` (testUpdateOrder is not, business-api.md §0). */
  cloud: boolean;
}

const BASE = '/cgi-bin/express/business';
const read = (method: 'GET' | 'POST', path: string): Endpoint => ({ method, path: BASE + path, idempotent: true, cloud: true });
const write = (path: string, cloud = true): Endpoint => ({ method: 'POST', path: BASE + path, idempotent: false, cloud });

/** Method and path of the 12 business APIs (business-api.md §0). */
export const endpoints: Record<EndpointName, Endpoint> = {
  addOrder: write('/order/add'),
  batchGetOrder: read('POST', '/order/batchget'),
  cancelOrder: write('/order/cancel'),
  getAllAccount: read('GET', '/account/getall'),
  getAllDelivery: read('GET', '/delivery/getall'),
  getOrder: read('POST', '/order/get'),
  getPath: read('POST', '/path/get'),
  getPrinter: read('GET', '/printer/getall'),
  getQuota: read('POST', '/quota/get'),
  testUpdateOrder: write('/test_update_order', false),
  updatePrinter: write('/printer/update'),
  bindAccount: write('/account/bind'),
};
