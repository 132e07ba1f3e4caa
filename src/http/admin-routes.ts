/**
 * The admin API: outbox, replay, clock, push settings,
 * auto-progress, carrier simulation. Under `/_wxl/api`, never `/cgi-bin`;
 * every call needs the admin key (`x-wxl-admin-key`, or `Authorization: Bearer`).
 * Answers are plain JSON with HTTP status codes: this is our API, not WeChat's.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ResetUnavailableError } from '../baseline-reset.ts';
import { isActionType } from '../core/action-types.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import type { EventStatus } from '../storage/types.ts';
import { faultRoutes } from './fault-routes.ts';
import { ApiError, useJsonApi } from './json-api.ts';
import { registerLimitRoutes } from './admin-limits-routes.ts';
import { named } from './plugin-name.ts';

export const ADMIN_PREFIX = '/_wxl/api';

export interface AdminRoutesOptions {
  core: LogisticsCore;
  adminKey: string;
  /** Wakes the dispatcher and runs due auto-progress steps after the clock moved. */
  afterClockMove: () => Promise<void>;
  nudgeDispatcher: () => void;
  /** The process's fault rules, served under `/faults`. */
  faults?: FaultRegistry | undefined;
  /** `POST /reset`: back to the state when the server started (src/baseline-reset.ts). */
  reset?: (() => Promise<void>) | undefined;
}

export function keyMatches(given: string | undefined, key: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers['x-wxl-admin-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

const num = (v: unknown, name: string): number => {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ApiError(400, `${name} must be a number`);
  return n;
};

const STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'dead', 'skipped'];

export function adminRoutes(o: AdminRoutesOptions): FastifyPluginAsync {
  const { core } = o;
  return async (app) => {
    useJsonApi(app);
    app.addHook('onRequest', async (req) => {
      if (!keyMatches(presentedKey(req), o.adminKey)) throw new ApiError(401, 'admin key required (x-wxl-admin-key header)');
    });

    if (o.faults) await app.register(named('wxl-fault-routes', faultRoutes(o.faults)), { prefix: '/faults' });

    app.post('/reset', async () => {
      if (!o.reset) throw new ApiError(404, 'this server cannot reset');
      try {
        await o.reset();
      } catch (error) {
        if (error instanceof ResetUnavailableError) throw new ApiError(409, error.message);
        throw error;
      }
      return { reset: true };
    });

    app.get('/clock', async () => ({ now: Math.floor(core.clock.nowMs() / 1000), offset_seconds: Math.floor(core.clock.offsetMs / 1000) }));
    app.post('/clock/advance', async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const now = await core.time.advance(num(body.seconds, 'seconds'));
      await o.afterClockMove();
      return { now, offset_seconds: Math.floor(core.clock.offsetMs / 1000) };
    });

    app.get('/events', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      if (q.status !== undefined && !STATUSES.includes(q.status as EventStatus))
        throw new ApiError(400, `status is one of ${STATUSES.join(', ')}`);
      const events = await core.store.events.list({
        limit: Math.min(num(q.limit ?? '50', 'limit'), 500),
        ...(q.appid ? { appid: q.appid } : {}),
        ...(q.status ? { status: q.status as EventStatus } : {}),
        ...(q.stream ? { stream: q.stream } : {}),
        ...(q.before ? { beforeId: num(q.before, 'before') } : {}),
      });
      return { events };
    });
    app.get('/events/:id', async (req) => {
      const id = num((req.params as { id: string }).id, 'id');
      const event = await core.store.events.get(id);
      if (!event) throw new ApiError(404, `no event ${id}`);
      return { event, attempts: await core.store.events.listAttempts(id) };
    });
    app.post('/events/:id/replay', async (req) => {
      const id = num((req.params as { id: string }).id, 'id');
      if (!(await core.store.events.replay(id, Date.now()))) throw new ApiError(409, `event ${id} is not dead or skipped`);
      o.nudgeDispatcher();
      return { replayed: id };
    });

    app.get('/apps/:appid/push', async (req) => {
      const config = await core.push.get((req.params as { appid: string }).appid);
      if (!config) throw new ApiError(404, 'no push settings');
      return config;
    });
    app.put('/apps/:appid/push', async (req) => {
      const b = (req.body ?? {}) as Record<string, string | undefined>;
      return core.push.set((req.params as { appid: string }).appid, {
        url: b.url ?? '',
        token: b.token ?? '',
        encodingAesKey: b.encoding_aes_key,
        mode: b.mode as never,
        format: b.format as never,
      });
    });
    app.put('/apps/:appid/auto-progress', async (req) => {
      const appid = (req.params as { appid: string }).appid;
      await core.progress.configure(appid, req.body as never);
      return core.progress.settings(appid);
    });

    registerLimitRoutes(app, core);

    // The console's carrier buttons: the same core path as testUpdateOrder, for any simulated carrier.
    app.post('/apps/:appid/orders/:orderId/actions', async (req) => {
      const { appid, orderId } = req.params as { appid: string; orderId: string };
      const b = (req.body ?? {}) as Record<string, unknown>;
      if (!isActionType(b.action_type)) throw new ApiError(400, 'action_type must be in the enum of business-api.md §13');
      const count = await core.store.transaction(async (tx) => {
        await tx.orders.lock(appid, orderId);
        const order = await tx.orders.get(appid, orderId);
        if (!order) throw new ApiError(404, `no order ${orderId} in app ${appid}`);
        const actionTime = typeof b.action_time === 'number' ? b.action_time : Math.floor(core.clock.nowMs() / 1000);
        return core.tracking.appendNode(tx, order, {
          action_time: actionTime,
          action_type: b.action_type as number,
          action_msg: typeof b.action_msg === 'string' ? b.action_msg : '',
        });
      });
      o.nudgeDispatcher();
      return { path_item_num: count };
    });
  };
}
