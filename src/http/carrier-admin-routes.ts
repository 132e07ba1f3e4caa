/**
 * The admin API of the carrier registry, under `/_wxl/api` with the admin key:
 * `POST /carriers` registers one (and creates its app: appid + secret are answered
 * once), `GET /carriers`, `GET|PUT|DELETE /carriers/:delivery_id`, and
 * `GET /carriers/:delivery_id/events` (the carrier event log, newest first).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { CarrierInput } from '../core/carrier-registry.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { keyMatches, presentedKey } from './admin-routes.ts';
import { ApiError, useJsonApi } from './json-api.ts';

export interface CarrierAdminRoutesOptions {
  core: LogisticsCore;
  adminKey: string;
}

const FIELDS = [
  'delivery_id',
  'name',
  'url',
  'token',
  'encoding_aes_key',
  'mode',
  'format',
  'services',
  'template',
  'waybill_source',
  'review',
  'appid',
  'secret',
] as const;

/** The body's known fields; a wrong JSON type is a 400 here rather than a silent default. */
function carrierInput(body: unknown): CarrierInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = b[f];
    if (v === undefined) continue;
    const ok = f === 'services' ? Array.isArray(v) : f === 'review' ? typeof v === 'boolean' : typeof v === 'string';
    if (!ok) throw new ApiError(400, `${f} has the wrong type`);
    out[f] = v;
  }
  return out as CarrierInput;
}

const num = (v: string | undefined, fallback: number): number => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n)) throw new ApiError(400, 'limit and before must be numbers');
  return n;
};

export function carrierAdminRoutes(o: CarrierAdminRoutesOptions): FastifyPluginAsync {
  const { core } = o;
  return async (app) => {
    useJsonApi(app);
    app.addHook('onRequest', async (req) => {
      if (!keyMatches(presentedKey(req), o.adminKey)) throw new ApiError(401, 'admin key required (x-wxl-admin-key header)');
    });
    app.get('/carriers', async () => ({ carriers: await core.carrierRegistry.list() }));
    app.post('/carriers', async (req, reply) => {
      const created = await core.carrierRegistry.add(carrierInput(req.body));
      return reply.code(201).send(created);
    });
    app.get('/carriers/:id', async (req) => {
      const id = (req.params as { id: string }).id;
      const carrier = await core.carrierRegistry.get(id);
      if (!carrier) throw new ApiError(404, `no registered carrier ${id}`);
      return carrier;
    });
    app.put('/carriers/:id', async (req) => {
      const id = (req.params as { id: string }).id;
      const input = carrierInput(req.body);
      if (input.delivery_id !== undefined && input.delivery_id !== id) throw new ApiError(400, 'delivery_id cannot change');
      const carrier = await core.carrierRegistry.update(id, input);
      if (!carrier) throw new ApiError(404, `no registered carrier ${id}`);
      return carrier;
    });
    app.delete('/carriers/:id', async (req) => {
      const id = (req.params as { id: string }).id;
      if (!(await core.carrierRegistry.remove(id))) throw new ApiError(404, `no registered carrier ${id}`);
      return { removed: id };
    });
    app.get('/carriers/:id/events', async (req) => {
      const id = (req.params as { id: string }).id;
      const q = req.query as Record<string, string | undefined>;
      const events = await core.store.carrierEvents.list({
        delivery_id: id,
        limit: Math.min(num(q.limit, 50), 500),
        ...(q.appid ? { appid: q.appid } : {}),
        ...(q.order_id !== undefined ? { order_id: q.order_id } : {}),
        ...(q.before ? { beforeId: num(q.before, 0) } : {}),
      });
      return { events };
    });
  };
}
