/**
 * The console's view of registered carriers (inside the console API plugin, same
 * access rules): the registry, and the carrier event log per carrier and per order
 * with the raw request and reply bodies.
 */
import type { FastifyInstance } from 'fastify';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { ApiError } from './json-api.ts';

const limitOf = (v: string | undefined): number => {
  const n = v === undefined || v === '' ? 50 : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ApiError(400, 'limit must be a positive integer');
  return Math.min(n, 200);
};

export function carrierConsoleRoutes(app: FastifyInstance, core: LogisticsCore): void {
  app.get('/carriers', async () => {
    const carriers = await core.carrierRegistry.list();
    return {
      carriers: await Promise.all(
        carriers.map(async (c) => ({ ...c, recent_events: await core.store.carrierEvents.list({ delivery_id: c.delivery_id, limit: 1 }) })),
      ),
    };
  });
  app.get('/carriers/:id/events', async (req) => {
    const id = (req.params as { id: string }).id;
    const q = req.query as Record<string, string | undefined>;
    const before = q.before ? Number(q.before) : undefined;
    if (before !== undefined && !Number.isInteger(before)) throw new ApiError(400, 'before must be an event id');
    return {
      carrier: (await core.carrierRegistry.get(id)) ?? null,
      events: await core.store.carrierEvents.list({ delivery_id: id, limit: limitOf(q.limit), ...(before ? { beforeId: before } : {}) }),
    };
  });
  app.get('/apps/:appid/orders/:orderId/carrier-events', async (req) => {
    const { appid, orderId } = req.params as { appid: string; orderId: string };
    return { events: await core.store.carrierEvents.list({ appid, order_id: orderId, limit: 100 }) };
  });
}
