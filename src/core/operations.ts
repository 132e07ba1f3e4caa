import { requestSchemas } from './request-schemas.ts';
import type { LogisticsCore } from './logistics-core.ts';
import type { Body } from './validate.ts';

/**
 * One entry per WeChat operation: name, method, path and the core function that
 * answers it. The HTTP routes and the cloud-call bridge are both built from this
 * table, so an API exists on every transport or on none.
 */
export interface Operation {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** JSON types of the body (47001 on mismatch); absent for GET operations. */
  schema?: Record<string, unknown>;
  /** Reachable as `cloud.openapi.logistics.<name>` (testUpdateOrder is not, business-api.md §0). */
  cloud: boolean;
  run(core: LogisticsCore, appid: string, body: Body): Promise<Record<string, unknown>>;
  /**
   * The same answer already serialised, where the core caches it (getOrder); HTTP prefers it.
   * `take(n)`: bytes for an answer that is not kept, which the caller gives back once sent.
   */
  runJson?(core: LogisticsCore, appid: string, body: Body, take?: (n: number) => Buffer): Promise<Buffer>;
  /**
   * runJson's answer when the core has it without waiting (a kept answer of an order known
   * unchanged); undefined otherwise. Throws as runJson would reject for a body it refuses.
   */
  knownJson?(core: LogisticsCore, appid: string, body: Body): Buffer | undefined;
}

const BASE = '/cgi-bin/express/business';

const businessOperations: Operation[] = [
  {
    name: 'addOrder',
    method: 'POST',
    path: `${BASE}/order/add`,
    schema: requestSchemas.addOrder,
    cloud: true,
    run: (c, appid, body) => c.orders.addOrder(appid, body),
  },
  {
    name: 'batchGetOrder',
    method: 'POST',
    path: `${BASE}/order/batchget`,
    schema: requestSchemas.batchGetOrder,
    cloud: true,
    run: (c, appid, body) => c.orders.batchGetOrder(appid, body),
  },
  {
    name: 'cancelOrder',
    method: 'POST',
    path: `${BASE}/order/cancel`,
    schema: requestSchemas.cancelOrder,
    cloud: true,
    run: (c, appid, body) => c.orders.cancelOrder(appid, body),
  },
  {
    name: 'getAllAccount',
    method: 'GET',
    path: `${BASE}/account/getall`,
    cloud: true,
    run: (c, appid) => c.accounts.getAllAccount(appid),
  },
  {
    name: 'getAllDelivery',
    method: 'GET',
    path: `${BASE}/delivery/getall`,
    cloud: true,
    run: (c) => c.accounts.getAllDelivery(),
  },
  {
    name: 'getOrder',
    method: 'POST',
    path: `${BASE}/order/get`,
    schema: requestSchemas.getOrder,
    cloud: true,
    run: (c, appid, body) => c.orders.getOrder(appid, body),
    runJson: (c, appid, body, take) => c.orders.getOrderJson(appid, body, take),
    knownJson: (c, appid, body) => c.orders.knownOrderJson(appid, body),
  },
  {
    name: 'getQuota',
    method: 'POST',
    path: `${BASE}/quota/get`,
    schema: requestSchemas.getQuota,
    cloud: true,
    run: (c, appid, body) => c.accounts.getQuota(appid, body),
  },
  {
    name: 'getPath',
    method: 'POST',
    path: `${BASE}/path/get`,
    schema: requestSchemas.getPath,
    cloud: true,
    run: (c, appid, body) => c.tracking.getPath(appid, body),
  },
  {
    name: 'getPrinter',
    method: 'GET',
    path: `${BASE}/printer/getall`,
    cloud: true,
    run: (c, appid) => c.printers.getPrinter(appid),
  },
  {
    name: 'testUpdateOrder',
    method: 'POST',
    path: `${BASE}/test_update_order`,
    schema: requestSchemas.testUpdateOrder,
    cloud: false,
    run: (c, appid, body) => c.tracking.testUpdateOrder(appid, body),
  },
  {
    name: 'updatePrinter',
    method: 'POST',
    path: `${BASE}/printer/update`,
    schema: requestSchemas.updatePrinter,
    cloud: true,
    run: (c, appid, body) => c.printers.updatePrinter(appid, body),
  },
  {
    name: 'bindAccount',
    method: 'POST',
    path: `${BASE}/account/bind`,
    schema: requestSchemas.bindAccount,
    cloud: true,
    run: (c, appid, body) => c.accounts.bindAccount(appid, body),
  },
];

/** The provider API (provider-api.md §1–§4), called by a registered carrier with its own app's token. */
const PROVIDER = '/cgi-bin/express/delivery';

const providerOperations: Operation[] = [
  {
    name: 'getContact',
    method: 'POST',
    path: `${PROVIDER}/contact/get`,
    schema: requestSchemas.getContact,
    cloud: true,
    run: (c, appid, body) => c.provider.getContact(appid, body),
  },
  {
    name: 'previewTemplate',
    method: 'POST',
    path: `${PROVIDER}/template/preview`,
    schema: requestSchemas.previewTemplate,
    cloud: true,
    run: (c, appid, body) => c.provider.previewTemplate(appid, body),
  },
  {
    name: 'updateBusiness',
    method: 'POST',
    path: `${PROVIDER}/service/business/update`,
    schema: requestSchemas.updateBusiness,
    cloud: true,
    run: (c, appid, body) => c.provider.updateBusiness(appid, body),
  },
  {
    name: 'updatePath',
    method: 'POST',
    path: `${PROVIDER}/path/update`,
    schema: requestSchemas.updatePath,
    cloud: true,
    run: (c, appid, body) => c.provider.updatePath(appid, body),
  },
];

export const operations: readonly Operation[] = [...businessOperations, ...providerOperations];

export const operationByName = new Map(operations.map((op) => [op.name, op]));
