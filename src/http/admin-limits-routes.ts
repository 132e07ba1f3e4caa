/**
 * Admin API for call quotas: `GET /apps/:appid/limits` (overrides and today's use
 * per API), `PUT /apps/:appid/limits` (one override, or `{"limits": [...]}`),
 * `DELETE /apps/:appid/limits?cgi_path=…`. Registered inside adminRoutes (admin key).
 */
import type { FastifyInstance } from 'fastify';
import { overrideFromJson } from '../core/api-quota.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { ApiError } from './json-api.ts';

export function registerLimitRoutes(app: FastifyInstance, core: LogisticsCore): void {
  const m = core.apiManagement;
  const view = async (appid: string) => {
    if (!(await core.store.apps.get(appid))) throw new ApiError(404, `no app ${appid}`);
    const today = await m.usageToday(appid);
    return { appid, day: today.day, resets_this_month: today.resets_this_month, limits: await m.listLimits(appid), usage: today.paths };
  };
  app.get('/apps/:appid/limits', async (req) => view((req.params as { appid: string }).appid));
  app.put('/apps/:appid/limits', async (req) => {
    const appid = (req.params as { appid: string }).appid;
    if (!(await core.store.apps.get(appid))) throw new ApiError(404, `no app ${appid}`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const items = Array.isArray(body.limits) ? body.limits : [body];
    const overrides = items.map((i) => overrideFromJson(i)); // all checked before any is stored
    for (const o of overrides) await m.setLimit(appid, o);
    return view(appid);
  });
  app.delete('/apps/:appid/limits', async (req) => {
    const appid = (req.params as { appid: string }).appid;
    const path = (req.query as { cgi_path?: string }).cgi_path;
    if (!path) throw new ApiError(400, 'cgi_path is required');
    if (!(await m.deleteLimit(appid, path))) throw new ApiError(404, `no limit for ${path} in app ${appid}`);
    return view(appid);
  });
}
