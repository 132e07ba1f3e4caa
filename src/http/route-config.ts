import type { FastifyRequest } from 'fastify';

/** What a WeChat route declares (server.ts), plus the url fastify adds to every route's config. */
export interface WeChatRouteConfig {
  /** The one method this path answers (house rule 3: anything else is 43001/43002). Not `method`: fastify writes that key. */
  wechatMethod?: 'GET' | 'POST';
  /** Needs `?access_token=` (every business API; not the token endpoints). */
  authenticated?: boolean;
  /** The route's path as registered (fastify's own key). */
  url?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The matched route's config, read once per request (see `routeConfigOf`). */
    wxlRoute: WeChatRouteConfig | null;
  }
}

/**
 * The matched route's config. fastify's `request.routeOptions` is a getter that builds a new
 * object of a dozen fields on every read; the hooks of one WeChat call read the config five or
 * six times, so the first read is kept on the request (decorated with `null` in server.ts).
 */
export function routeConfigOf(req: FastifyRequest): WeChatRouteConfig {
  return (req.wxlRoute ??= req.routeOptions.config as WeChatRouteConfig);
}
