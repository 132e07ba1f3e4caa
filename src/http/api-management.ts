/**
 * The HTTP side of API management (api-management.md): the four endpoints, and
 * two hooks on every WeChat call — a preHandler that admits the call against its
 * quota (45009 / 45011) and counts it, and an onSend that records the answer
 * under its rid for getRidInfo. Both do only in-memory work; the counters and the
 * rid log reach the store in batches (`startApiManagementFlusher`).
 *
 * Rids: an error answer carries its rid in errmsg (house rule 2); a success body
 * has none on WeChat's wire, so ours carries it in the `x-wxl-rid` header
 * (docs/deviations.md), which makes every answer findable.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { API_MANAGEMENT_PATHS, isCountedPath, ridTime } from '../core/api-quota.ts';
import { nowSeconds } from '../core/clock.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { operations } from '../core/operations.ts';
import { errorBody, JSON_CONTENT_TYPE, type EnvelopeOptions } from './envelope.ts';
import { parseWeChatBody } from './read-body.ts';
import { newRid } from './rid.ts';
import { routeConfigOf } from './route-config.ts';
import type { ApiAnswer, CloudBridgeOptions, CloudCallRecord } from './cloud/bridge.ts';
import { thenOrNow } from './maybe-promise.ts';

/** The header that carries a success answer's rid. */
export const RID_HEADER = 'x-wxl-rid';

export interface ApiManagementOptions {
  /** Count calls and refuse them over their limits (default on). */
  quotas: boolean;
  /** Record every answer for getRidInfo (default on). */
  ridLog: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The POST body as it arrived (read-body.ts), for the rid log. */
    wxlRawBody?: string;
    wxlCloudCall?: CloudCallRecord;
  }
}

type CloudInvoke = CloudBridgeOptions['invoke'];

const TOKEN_PATHS = new Set(['/cgi-bin/token', '/cgi-bin/stable_token']);
const cloudPaths = new Map(operations.map((op) => [`logistics.${op.name}`, op.path]));

const queryString = (url: string): string => {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
};

const stringField = (v: unknown, name: string): string | undefined => {
  const f = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[name] : undefined;
  return typeof f === 'string' && f !== '' ? f : undefined;
};

/** The rid at the end of an error answer's errmsg (`… rid: xxxxxxxx-xxxxxxxx-xxxxxxxx`). */
export function ridOfError(payload: unknown): string | undefined {
  const text = typeof payload === 'string' ? payload : undefined;
  const i = text?.lastIndexOf(' rid: ') ?? -1;
  return i < 0 ? undefined : text!.slice(i + 6, i + 32);
}

/** Where and how a call's answer was sent, for its rid-log record. */
export interface SentCall {
  url: string;
  ip: string;
  elapsedMs: number;
}

export interface ApiManagementHooks {
  /** The rid log's record of a cloud call answered outside fastify (the direct lane); the rid of a success, for x-wxl-rid. */
  recordCloudCall(cloud: CloudCallRecord, sent: SentCall): string | undefined;
  /** Wraps the cloud call's invoker: the same quota check and rid log as the HTTPS twin. */
  wrapCloudInvoke(invoke: CloudInvoke): CloudInvoke;
}

export function installApiManagement(
  app: FastifyInstance,
  core: LogisticsCore,
  envelope: EnvelopeOptions,
  options: ApiManagementOptions,
): ApiManagementHooks {
  const { meter, rids } = core.apiManagement;
  registerRoutes(app, core);

  if (options.quotas) {
    app.addHook('preHandler', (req, _reply, done) => {
      const config = routeConfigOf(req);
      const path = config.url;
      if (!config.wechatMethod || path === undefined || !isCountedPath(path)) return done();
      if (req.appid !== undefined) return done(meter.admit(req.appid, path));
      // The token endpoints: the appid the caller names (checked, counted once a token is answered).
      const appid = TOKEN_PATHS.has(path) ? (stringField(req.query, 'appid') ?? stringField(req.body, 'appid')) : undefined;
      done(appid === undefined ? undefined : meter.check(appid, path));
    });
  }

  app.addHook('onSend', (req, reply, payload, done) => {
    const cloud = req.wxlCloudCall;
    if (cloud) {
      if (options.ridLog) recordCloudCall(req, reply, cloud);
      return done(null, payload);
    }
    const config = routeConfigOf(req);
    if (!config.wechatMethod) return done(null, payload);
    const path = config.url ?? '';
    const tokenPath = TOKEN_PATHS.has(path);
    const appid = req.appid ?? (tokenPath ? (stringField(req.query, 'appid') ?? stringField(req.body, 'appid')) : undefined);
    if (appid === undefined) return done(null, payload);
    if (tokenPath && options.quotas && !req.wxlError) meter.count(appid, path);
    if (options.ridLog) {
      const rid = req.wxlError ? ridOfError(payload) : newRid(nowSeconds(core.clock));
      if (rid !== undefined) {
        if (!req.wxlError) reply.header(RID_HEADER, rid);
        rids.record({
          rid,
          appid,
          cgi_path: path,
          invoke_time: ridTime(rid),
          cost_in_ms: Math.round(reply.elapsedTime),
          request_url: queryString(req.url),
          request_body: req.wxlRawBody ?? '',
          response_body: typeof payload === 'string' || payload instanceof Uint8Array ? payload : '',
          client_ip: req.ip,
          failed: req.wxlError !== null,
        });
      }
    }
    done(null, payload);
  });

  function recordCloudCall(req: FastifyRequest, reply: FastifyReply, cloud: CloudCallRecord): void {
    const rid = recordCloud(cloud, { url: req.url, ip: req.ip, elapsedMs: reply.elapsedTime });
    if (rid !== undefined) reply.header(RID_HEADER, rid);
  }

  /** The rid log's record of a sent cloud-call answer; answers the rid for the x-wxl-rid header of a success. */
  function recordCloud(cloud: CloudCallRecord, sent: SentCall): string | undefined {
    const errmsg = cloud.answer instanceof Uint8Array ? undefined : cloud.answer.errmsg;
    const failed = !(cloud.answer instanceof Uint8Array) && typeof cloud.answer.errcode === 'number' && cloud.answer.errcode !== 0;
    const rid = failed ? ridOfError(errmsg) : newRid(nowSeconds(core.clock));
    if (rid === undefined) return undefined;
    if (!rids.admits(failed)) return failed ? undefined : rid;
    rids.record({
      rid,
      appid: cloud.appid,
      cgi_path: cloud.path,
      invoke_time: ridTime(rid),
      cost_in_ms: Math.round(sent.elapsedMs),
      request_url: queryString(sent.url),
      request_body: JSON.stringify(cloud.requestBody),
      response_body: cloud.answer instanceof Uint8Array ? cloud.answer : JSON.stringify(cloud.answer),
      client_ip: sent.ip,
      failed,
    });
    return failed ? undefined : rid;
  }

  return {
    recordCloudCall: (cloud, sent) => (options.ridLog ? recordCloud(cloud, sent) : undefined),
    // An answer the invoker has at once stays synchronous here too.
    wrapCloudInvoke: (invoke) => (appid, apiName, body, call) => {
      const path = cloudPaths.get(apiName);
      const recorded = (answer: ApiAnswer | undefined): ApiAnswer | undefined => {
        // undefined: a fault rule took the connection over (reset or hang); there is no answer to log.
        if (answer !== undefined && path !== undefined && options.ridLog) {
          call.record = { appid, path, requestBody: body, answer };
        }
        return answer;
      };
      const refused = options.quotas && path !== undefined ? meter.admit(appid, path) : undefined;
      if (refused) return recorded(errorBody(refused, nowSeconds(core.clock), envelope));
      return thenOrNow(invoke(appid, apiName, body, call), recorded);
    },
  };
}

/** The four endpoints. quota/get and both clear_quota accept their fields in the query string and an empty body (WxJava). */
function registerRoutes(app: FastifyInstance, core: LogisticsCore): void {
  const m = core.apiManagement;
  const send = (reply: FastifyReply, answer: Record<string, unknown>) => reply.header('content-type', JSON_CONTENT_TYPE).send(answer);
  // Body fields win over query parameters of the same name.
  const params = (req: FastifyRequest): Record<string, unknown> => ({
    ...(req.query as object),
    ...((req.body as object | undefined) ?? {}),
  });

  route(app, API_MANAGEMENT_PATHS.getRidInfo, true, { type: 'object', properties: { rid: { type: 'string' } } }, async (req, reply) =>
    send(reply, await m.getRidInfo(req.appid as string, req.body as Record<string, unknown>)),
  );

  void app.register(async (lenient) => {
    lenient.removeAllContentTypeParsers();
    lenient.addContentTypeParser('*', (req, payload, done) =>
      parseWeChatBody(req, payload, (err, body) =>
        err instanceof WxError && err.code === 'emptyPostData' ? done(null, {}) : done(err, body),
      ),
    );
    // A POST without any body never reaches a content parser: it is an empty object here.
    lenient.addHook('onRequest', async (req) => {
      req.body ??= {};
    });
    route(
      lenient,
      API_MANAGEMENT_PATHS.getApiQuota,
      true,
      { type: 'object', properties: { cgi_path: { type: 'string' } } },
      async (req, reply) => send(reply, await m.getApiQuota(req.appid as string, params(req))),
    );
    route(
      lenient,
      API_MANAGEMENT_PATHS.clearQuota,
      true,
      { type: 'object', properties: { appid: { type: 'string' } } },
      async (req, reply) => send(reply, await m.clearQuota(req.appid as string, params(req))),
    );
    route(
      lenient,
      API_MANAGEMENT_PATHS.clearQuotaByAppSecret,
      false,
      { type: 'object', properties: { appid: { type: 'string' }, appsecret: { type: 'string' } } },
      async (req, reply) => send(reply, await m.clearQuotaByAppSecret(params(req))),
    );
  });
}

const OTHER_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

/** A POST endpoint with server.ts's route config: every other method is routed too, for 43002. */
function route(
  app: FastifyInstance,
  url: string,
  authenticated: boolean,
  schema: Record<string, unknown>,
  handler: RouteHandlerMethod,
): void {
  const config = { wechatMethod: 'POST', authenticated };
  app.route({ method: 'POST', url, config, schema: { body: schema }, handler });
  app.route({ method: OTHER_METHODS, url, config, handler });
}

/**
 * Writes the counters and the rid log every `intervalMs`, prunes the rid log
 * and old counters every minute; `stop` writes what is left.
 */
export function startApiManagementFlusher(
  core: LogisticsCore,
  onError: (error: unknown) => void,
  intervalMs = 200,
): { stop(): Promise<void> } {
  const { meter, rids } = core.apiManagement;
  let running: Promise<void> = Promise.resolve();
  let ticks = 0;
  const tick = async () => {
    await meter.flush();
    await rids.flush();
    if (++ticks % Math.max(1, Math.round(60_000 / intervalMs)) === 0) {
      await rids.prune();
      await core.store.apiCalls.pruneUsage(meter.today() - 2);
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await meter.flush().catch(onError);
      while (rids.waiting > 0) {
        const before = rids.waiting;
        await rids.flush().catch(onError);
        if (rids.waiting >= before) break;
      }
    },
  };
}
