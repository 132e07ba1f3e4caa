/**
 * The console's JSON API, under `/_wxl/console-api`. Reads go to the
 * store and core directly; the three writes (carrier action, replay, clock) are
 * forwarded to the admin API's own routes, so the console changes state exactly
 * as `/_wxl/api` does. Access: console-access.ts (loopback, else the admin key).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ACTION_TYPES } from '../core/action-types.ts';
import { carriers, findCarrier } from '../core/carriers.ts';
import { nowSeconds } from '../core/clock.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { INITIAL_QUOTA } from '../core/simulated-carrier.ts';
import { waybillStream } from '../core/tracking-service.ts';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import type { OrderRecord, OrderSearch, TokenRecord } from '../storage/types.ts';
import { ADMIN_PREFIX } from './admin-routes.ts';
import { ADMIN_KEY_HEADER, requestAccess, type ConsoleAccessContext } from './console-access.ts';
import type { RequestLog } from './request-log.ts';
import { ApiError, useJsonApi } from './json-api.ts';
import { carrierConsoleRoutes } from './console-carrier-api.ts';

export const CONSOLE_API_PREFIX = '/_wxl/console-api';

export interface ConsoleApiOptions {
  core: LogisticsCore;
  requestLog: RequestLog;
  access: ConsoleAccessContext;
  /** The root server: writes are injected into its admin routes. */
  root: () => FastifyInstance;
  /** The process's fault rules (the 故障注入 Faults page); their writes go through the admin API too. */
  faults?: FaultRegistry | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PAGE_MAX = 100;

/** Keyset cursor of the order list: the last row's (created_at, appid, order_id). */
export const encodeCursor = (o: Pick<OrderRecord, 'created_at' | 'appid' | 'order_id'>): string =>
  Buffer.from(JSON.stringify([o.created_at, o.appid, o.order_id])).toString('base64url');

export function decodeCursor(cursor: string): NonNullable<OrderSearch['before']> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string' && typeof v[2] === 'string') {
      return { created_at: v[0], appid: v[1], order_id: v[2] };
    }
  } catch {
    // fall through to the 400
  }
  throw new ApiError(400, 'before is not a cursor from a previous page');
}

const intParam = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ApiError(400, `${name} must be an integer`);
  return n;
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function tokenSummary(live: TokenRecord[], issued: number) {
  return {
    issued_since_start: issued,
    valid: live.length,
    newest_expires_at: live[0]?.expires_at ?? null,
  };
}

/** Today's use per API of one app: the paths called today or with a limit of their own. */
async function apiQuotaToday(core: LogisticsCore, appid: string) {
  const m = core.apiManagement;
  const [today, limits] = await Promise.all([m.usageToday(appid), m.listLimits(appid)]);
  const set = new Set(limits.map((l) => l.cgi_path));
  return {
    resets_this_month: today.resets_this_month,
    paths: today.paths.filter((u) => u.used > 0 || set.has(u.cgi_path)).map((u) => ({ ...u, overridden: set.has(u.cgi_path) })),
    all_paths_override: set.has('*'),
  };
}

/** The addOrder body's receiver, for one line of the order list. */
function receiverLine(order: OrderRecord): { name: string; city: string } {
  const receiver = (parseJson(order.body) as { receiver?: { name?: unknown; city?: unknown } }).receiver ?? {};
  return { name: typeof receiver.name === 'string' ? receiver.name : '', city: typeof receiver.city === 'string' ? receiver.city : '' };
}

function orderSummary(order: OrderRecord) {
  const { body: _body, ...fields } = order;
  return { ...fields, delivery_name: findCarrier(order.delivery_id)?.delivery_name ?? order.delivery_id, receiver: receiverLine(order) };
}

export function consoleApi(o: ConsoleApiOptions): FastifyPluginAsync {
  const { core, requestLog } = o;
  const store = core.store;

  const findOrder = async (req: FastifyRequest): Promise<OrderRecord> => {
    const { appid, orderId } = req.params as { appid: string; orderId: string };
    const order = await store.orders.get(appid, orderId);
    if (!order) throw new ApiError(404, `no order ${orderId} in app ${appid}`);
    return order;
  };

  /** Runs the admin API's own route in-process, with the admin key the console holds for its clients. */
  const forward = async (req: FastifyRequest, reply: FastifyReply, path: string, method: 'POST' | 'DELETE' = 'POST') => {
    const res = await o.root().inject({
      method,
      url: `${ADMIN_PREFIX}${path}`,
      headers: { [ADMIN_KEY_HEADER]: o.access.adminKey, 'content-type': 'application/json' },
      payload: JSON.stringify(req.body ?? {}),
    });
    return reply.code(res.statusCode).header('content-type', JSON_TYPE).send(res.body);
  };

  return async (app) => {
    useJsonApi(app, JSON_TYPE);
    app.addHook('onRequest', async (req, reply) => {
      const access = requestAccess(req, o.access);
      if (!access.allowed) throw new ApiError(401, access.reason);
      reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store');
    });

    app.get('/session', async (req) => {
      const access = requestAccess(req, o.access);
      return {
        access: access.allowed ? access.via : null,
        bound_host: o.access.boundHost ?? null,
        now_ms: core.clock.nowMs(),
        offset_seconds: Math.floor(core.clock.offsetMs / 1000),
        request_log_capacity: requestLog.capacity,
        carriers: carriers.map((c) => ({ delivery_id: c.delivery_id, delivery_name: c.delivery_name, franchise: c.franchise })),
        action_types: ACTION_TYPES,
      };
    });

    app.get('/apps', async () => {
      const now = nowSeconds(core.clock);
      const apps = await core.apps.list();
      return {
        apps: await Promise.all(
          apps.map(async (a) => {
            const issued = requestLog.tokensIssued(a.appid);
            const cloud = await core.cloud.settings(a.appid);
            return {
              appid: a.appid,
              created_at: a.created_at,
              tokens: {
                token: tokenSummary(await store.tokens.listLive(a.appid, 'token', now), issued.token),
                stable: tokenSummary(await store.tokens.listLive(a.appid, 'stable', now), issued.stable),
              },
              push: (await store.pushConfigs.get(a.appid)) ?? null,
              cloud: { envs: cloud.envs, secret_ids: cloud.credentials.map((c) => c.secretId) },
              auto_progress: (await core.progress.settings(a.appid)) ?? { enabled: false },
              api_quota: await apiQuotaToday(core, a.appid),
            };
          }),
        ),
      };
    });

    app.get('/orders', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      const limit = Math.min(Math.max(intParam(q.limit, 'limit') ?? 20, 1), PAGE_MAX);
      const search: OrderSearch = { limit: limit + 1 };
      if (q.appid) search.appid = q.appid;
      if (q.order_id) search.order_id = q.order_id.trim();
      if (q.waybill_id) search.waybill_id = q.waybill_id.trim();
      if (q.delivery_id) search.delivery_id = q.delivery_id;
      const orderStatus = intParam(q.order_status, 'order_status');
      if (orderStatus !== undefined) search.order_status = orderStatus;
      const lastAction = intParam(q.last_action_type, 'last_action_type');
      if (lastAction !== undefined) search.last_action_type = lastAction;
      if (q.before) search.before = decodeCursor(q.before);
      const rows = await store.orders.search(search);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { orders: page.map(orderSummary), next: rows.length > limit && last ? encodeCursor(last) : null };
    });

    app.get('/apps/:appid/orders/:orderId', async (req) => {
      const order = await findOrder(req);
      const stream = waybillStream(order);
      const events = await store.events.list({ appid: order.appid, stream, limit: 100 });
      return {
        order: orderSummary(order),
        body: parseJson(order.body),
        nodes: await store.orders.listPathNodes(order.appid, order.order_id),
        stream,
        push_configured: (await store.pushConfigs.get(order.appid)) !== undefined,
        events: await Promise.all(
          events.map(async (e) => ({ ...e, payload: parseJson(e.payload), attempts: await store.events.listAttempts(e.id) })),
        ),
      };
    });

    // The label exactly as getOrder's print_html decodes to, as a page of its own (iframe, printing).
    app.get('/apps/:appid/orders/:orderId/label', async (req, reply) => {
      const order = await findOrder(req);
      const printType = (req.query as { print_type?: string }).print_type === '1' ? 1 : 0;
      // print_html itself, decoded: a registered carrier's template where it has one.
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .send(Buffer.from(core.orders.labels.printHtml(order, printType), 'base64'));
    });

    carrierConsoleRoutes(app, core);

    app.get('/accounts', async () => {
      const apps = await core.apps.list();
      return {
        initial_quota: INITIAL_QUOTA,
        apps: await Promise.all(
          apps.map(async (a) => ({
            appid: a.appid,
            accounts: (await store.accounts.list(a.appid)).map(({ password, ...acc }) => {
              const carrier = findCarrier(acc.delivery_id);
              return {
                ...acc,
                password_set: password !== '',
                delivery_name: carrier?.delivery_name ?? acc.delivery_id,
                franchise: carrier?.franchise ?? false,
              };
            }),
          })),
        ),
      };
    });

    app.get('/log', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      const entries = requestLog.list(intParam(q.after, 'after') ?? 0, intParam(q.limit, 'limit') ?? requestLog.capacity);
      return { entries, last_seq: requestLog.lastSeq, capacity: requestLog.capacity };
    });

    app.get('/clock', async () => ({ now_ms: core.clock.nowMs(), offset_seconds: Math.floor(core.clock.offsetMs / 1000) }));

    // Writes: the admin API's routes, unchanged (same core as testUpdateOrder, replay, the one clock).
    app.post('/clock/advance', (req, reply) => forward(req, reply, '/clock/advance'));
    app.post('/apps/:appid/orders/:orderId/actions', (req, reply) => {
      const { appid, orderId } = req.params as { appid: string; orderId: string };
      return forward(req, reply, `/apps/${encodeURIComponent(appid)}/orders/${encodeURIComponent(orderId)}/actions`);
    });
    app.post('/events/:id/replay', (req, reply) =>
      forward(req, reply, `/events/${encodeURIComponent((req.params as { id: string }).id)}/replay`),
    );

    // Fault rules: read here, changed through the admin API's /faults routes.
    app.get('/faults', async () => ({ faults: o.faults?.list() ?? [] }));
    app.post('/faults', (req, reply) => forward(req, reply, '/faults'));
    app.delete('/faults', (req, reply) => forward(req, reply, '/faults', 'DELETE'));
    app.delete('/faults/:id', (req, reply) =>
      forward(req, reply, `/faults/${encodeURIComponent((req.params as { id: string }).id)}`, 'DELETE'),
    );
  };
}
