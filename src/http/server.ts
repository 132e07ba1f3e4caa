import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteHandlerMethod } from 'fastify';
import { nowSeconds } from '../core/clock.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { operations, type Operation } from '../core/operations.ts';
import { requestSchemas } from '../core/request-schemas.ts';
import type { Body } from '../core/validate.ts';
import { FaultRegistry } from '../faults/fault-registry.ts';
import { asWxError, errorBody, JSON_CONTENT_TYPE } from './envelope.ts';
import { named } from './plugin-name.ts';
import { parseWeChatBody } from './read-body.ts';
import { buildSharedValidator } from './shared-validators.ts';
import { cloudBridgePlugin, cloudCallAnswerer, type CloudBridgeOptions } from './cloud/bridge.ts';
import { cloudApiNames, cloudInvoker } from './cloud-invoke.ts';
import { FaultResponder } from './fault-responder.ts';
import { explainError, type RequestLog } from './request-log.ts';
import { installApiManagement, type ApiManagementOptions } from './api-management.ts';
import { routeConfigOf, type WeChatRouteConfig } from './route-config.ts';
import { getOrderLane, type GetOrderLane } from './get-order-lane.ts';
import { lanes, type Lane } from './lane.ts';
import { cloudLane } from './cloud/cloud-lane.ts';

/** TC3 signatures older or newer than this are refused (cloud-call.md §4: the gateway checks freshness). */
const CLOUD_FRESHNESS_SECONDS = 300;
/** The largest cloud-call form accepted (wx-server-sdk's are ~1 KB). */
const CLOUD_BODY_LIMIT = 10 << 20;

export interface ServerOptions {
  core: LogisticsCore;
  /** Append explanations to errmsg; off by default so answers stay WeChat-exact. */
  explain?: boolean;
  /** Log every request (pino JSON) on stdout, or on stderr with 'stderr'. */
  logger?: boolean | 'stderr';
  /** The cloud-call bridge: its path (default `/admin`) and signature freshness window. */
  cloud?: { path?: string; freshnessSeconds?: number };
  /** The console's request log: every WeChat call is recorded when given. */
  requestLog?: RequestLog | undefined;
  /** Call quotas and the rid log (api-management.md); both on by default. */
  apiManagement?: ApiManagementOptions | undefined;
  /** Fault rules consulted before every WeChat call (HTTPS and cloud); none by default. */
  faults?: FaultRegistry | undefined;
}

/** What every WeChat route declares (route-config.ts explains the fields). */
type RouteConfig = Required<Pick<WeChatRouteConfig, 'wechatMethod' | 'authenticated'>>;

// Strings are already serialized (the cloud bridge's gateway errors).
const serializeJson = (payload: unknown): string => (typeof payload === 'string' ? payload : JSON.stringify(payload));

const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

declare module 'fastify' {
  interface FastifyInstance {
    /** Calls answered by the direct lanes (./lane.ts) instead of the routes so far, and the getOrder arena's bytes in use. */
    readonly laneStats: () => { getOrder: number; cloud: number; arenaBytesInUse: number };
  }
  interface FastifyRequest {
    appid?: string;
    /** The failure a WeChat call was answered with (set where it becomes the envelope), for the request log. */
    wxlError: WxError | null;
  }
}

/** The WeChat-compatible HTTP adapter: routes built from core/operations.ts. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { core } = options;
  const envelope = { explain: options.explain ?? false };
  const lane: { take?: (req: IncomingMessage, res: ServerResponse) => boolean; getOrder?: GetOrderLane; cloud?: Lane } = {};
  const app = Fastify({
    // getOrder's direct lane answers before fastify routes (./get-order-lane.ts); everything else is fastify's.
    serverFactory: (handler, fastifyOptions) => {
      const opts = fastifyOptions as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      const server = createServer((req, res) => {
        if (lane.take === undefined || !lane.take(req, res)) handler(req, res);
      });
      // What fastify sets on a server it creates itself (its defaults: 72 s keep-alive, no request timeout).
      server.keepAliveTimeout = opts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = opts.requestTimeout ?? 0;
      server.setTimeout(opts.connectionTimeout ?? 0);
      return server;
    },
    logger: options.logger === 'stderr' ? { stream: process.stderr } : (options.logger ?? false),
    exposeHeadRoutes: false,
    // WeChat parses JSON without coercion: "1" is not a number (47001).
    // (options in ./shared-validators.ts; compiled once per process, not per server)
    schemaController: { compilersFactory: { buildValidator: buildSharedValidator } },
    return503OnClosing: false,
  });

  app.decorate('laneStats', () => ({
    getOrder: lane.getOrder?.served ?? 0,
    cloud: lane.cloud?.served ?? 0,
    arenaBytesInUse: lane.getOrder?.arenaBytesInUse ?? 0,
  }));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', parseWeChatBody);

  app.decorateRequest('wxlError', null);
  app.decorateRequest('wxlRoute', null);
  const faults = new FaultResponder(options.faults ?? new FaultRegistry());
  faults.install(app);
  // --explain shows the request log's explanation: the error's detail, else the errcode's line.
  const explained = (wx: WxError): WxError => (envelope.explain && !wx.detail ? new WxError(wx.code, explainError(wx), wx.extra) : wx);

  app.setNotFoundHandler((req, reply) => {
    req.wxlError = new WxError('invalidUrl');
    void reply
      .code(200)
      .header('content-type', JSON_CONTENT_TYPE)
      .send(errorBody(explained(req.wxlError), nowSeconds(core.clock), envelope));
  });

  app.setErrorHandler((error, req, reply) => {
    const { wx, unexpected } = asWxError(error);
    if (unexpected) req.log.error({ err: error }, 'unexpected failure answered as -1 system error');
    req.wxlError = wx;
    void reply
      .code(200)
      .header('content-type', JSON_CONTENT_TYPE)
      .send(errorBody(explained(wx), nowSeconds(core.clock), envelope));
  });
  if (options.requestLog) recordWeChatCalls(app, core, options.requestLog);

  // Compact JSON with WeChat's exact Content-Type (house rule 1): with a reply
  // serializer of its own, fastify leaves the header alone (no `charset=` added).
  // Then house rule 3, in order: method, then access_token (absent, unknown, expired).
  // Callback-style hooks that finish synchronously when they can (a token looked
  // up in the last second): no promise per request on the hot path.
  app.addHook('onRequest', (req, reply, done) => {
    reply.serializer(serializeJson);
    const config = routeConfigOf(req);
    if (!config.wechatMethod) return done();
    if (req.method !== config.wechatMethod) {
      return done(new WxError(config.wechatMethod === 'POST' ? 'requirePostMethod' : 'requireGetMethod'));
    }
    if (!config.authenticated) return done();
    const token = (req.query as Record<string, unknown>).access_token;
    if (typeof token !== 'string' || token === '') return done(new WxError('accessTokenMissing'));
    let appid: string | undefined;
    try {
      appid = core.tokens.authenticateKnown(token);
    } catch (error) {
      return done(error as WxError);
    }
    if (appid !== undefined) {
      req.appid = appid;
      return done();
    }
    core.tokens.authenticate(token).then((id) => {
      req.appid = id;
      done();
    }, done);
  });

  // A POST without any body never reaches the content parser.
  app.addHook('preValidation', (req, _reply, done) => {
    const config = routeConfigOf(req);
    done(config.wechatMethod === 'POST' && req.body === undefined ? new WxError('emptyPostData') : undefined);
  });
  const management = installApiManagement(app, core, envelope, options.apiManagement ?? { quotas: true, ridLog: true });

  wechatRoute(app, '/cgi-bin/token', { wechatMethod: 'GET', authenticated: false }, undefined, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const run = () => core.tokens.getAccessToken(q);
    if (faults.registry.size !== 0) return answerFaulted(faults, 'getAccessToken', stringField(q, 'appid'), q, req, reply, run);
    return reply.header('content-type', JSON_CONTENT_TYPE).send(await run());
  });

  wechatRoute(
    app,
    '/cgi-bin/stable_token',
    { wechatMethod: 'POST', authenticated: false },
    requestSchemas.stableToken,
    async (req, reply) => {
      const body = req.body as Body;
      const run = () => core.tokens.getStableAccessToken(body);
      if (faults.registry.size !== 0)
        return answerFaulted(faults, 'getStableAccessToken', stringField(body, 'appid'), body, req, reply, run);
      return reply.header('content-type', JSON_CONTENT_TYPE).send(await run());
    },
  );

  for (const op of operations) registerOperation(app, core, op, faults);
  const bridge: CloudBridgeOptions = {
    path: options.cloud?.path ?? '/admin',
    bodyLimit: CLOUD_BODY_LIMIT,
    freshnessSeconds: options.cloud?.freshnessSeconds ?? CLOUD_FRESHNESS_SECONDS,
    findAppBySecretId: (secretId) => core.cloud.findBySecretId(secretId),
    knownAppBySecretId: (secretId) => core.cloud.knownBySecretId(secretId),
    invoke: management.wrapCloudInvoke(cloudInvoker(core, envelope, faults)),
    knownApiNames: cloudApiNames,
  };
  void app.register(named('wxl-cloud-bridge', cloudBridgePlugin(bridge)));

  // The lanes write no pino log: with a logger every request goes through fastify.
  if (!options.logger) {
    const apiManagement = options.apiManagement ?? { quotas: true, ridLog: true };
    lane.getOrder = getOrderLane({
      core,
      op: operations.find((op) => op.name === 'getOrder')!,
      errorBody: (wx) => errorBody(explained(wx), nowSeconds(core.clock), envelope),
      faults: faults.registry,
      requestLog: options.requestLog,
      quotas: apiManagement.quotas,
      ridLog: apiManagement.ridLog,
    });
    lane.cloud = cloudLane({
      path: bridge.path!,
      bodyLimit: CLOUD_BODY_LIMIT,
      answer: cloudCallAnswerer(bridge),
      faults: faults.registry,
      recordCloudCall: management.recordCloudCall,
      unexpected: (error) => JSON.stringify(errorBody(explained(asWxError(error).wx), nowSeconds(core.clock), envelope)),
    });
    lane.take = lanes(lane.getOrder, lane.cloud);
  }
  return app;
}

/**
 * The console's request log: one ring-buffer record per WeChat call (and per unknown path, 40066),
 * after the answer is sent. Reads only what is already parsed; admin and console
 * routes are not WeChat calls and are left out.
 */
function recordWeChatCalls(app: FastifyInstance, core: LogisticsCore, log: RequestLog): void {
  app.addHook('onResponse', (req, reply, done) => {
    try {
      recordCall(req, reply);
    } finally {
      done();
    }
  });
  const recordCall = (req: FastifyRequest, reply: FastifyReply): void => {
    const config = routeConfigOf(req);
    if (!config.wechatMethod && !req.wxlError) return;
    const error = req.wxlError;
    const appid = req.appid ?? stringField(req.query, 'appid') ?? stringField(req.body, 'appid') ?? null;
    if (!error && appid !== null) {
      if (config.url === '/cgi-bin/token') log.countToken(appid, 'token');
      else if (config.url === '/cgi-bin/stable_token') log.countToken(appid, 'stable');
    }
    log.record({
      at: core.clock.nowMs(),
      method: req.method,
      path: req.url,
      appid,
      errcode: error ? error.errcode : 0,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      error: error ?? undefined,
    });
  };
}

const stringField = (v: unknown, key: string): string | undefined => {
  const field = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
};

function registerOperation(app: FastifyInstance, core: LogisticsCore, op: Operation, faults: FaultResponder): void {
  wechatRoute(app, op.path, { wechatMethod: op.method, authenticated: true }, op.schema, async (req, reply) => {
    const body = op.method === 'POST' ? (req.body as Body) : {};
    const appid = req.appid as string;
    // The only cost of fault injection on the hot path: one property read while no rule is listed.
    if (faults.registry.size !== 0) {
      const run = () => (op.runJson ? op.runJson(core, appid, body) : op.run(core, appid, body));
      return answerFaulted(faults, op.name, appid, body, req, reply, run);
    }
    const answer = op.runJson ? await op.runJson(core, appid, body) : await op.run(core, appid, body);
    return reply.header('content-type', JSON_CONTENT_TYPE).send(answer);
  });
}

/** A WeChat call while fault rules are listed: the firing rule's effect, else the API as usual. */
async function answerFaulted(
  faults: FaultResponder,
  api: string,
  appid: string | undefined,
  body: Record<string, unknown>,
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<unknown>,
): Promise<FastifyReply> {
  const rule = faults.registry.match({ api, appid, body });
  const answer = rule ? await faults.respond(rule, api, req, reply, run) : await run();
  if (answer === reply) return reply;
  return reply.header('content-type', JSON_CONTENT_TYPE).send(answer);
}

/**
 * One WeChat path: its own method with the body schema, and every other method
 * routed too, so that the onRequest hook can answer 43001/43002 instead of 40066.
 */
function wechatRoute(
  app: FastifyInstance,
  url: string,
  config: RouteConfig,
  schema: Record<string, unknown> | undefined,
  handler: RouteHandlerMethod,
): void {
  app.route({ method: config.wechatMethod, url, config, ...(schema ? { schema: { body: schema } } : {}), handler });
  app.route({ method: ALL_METHODS.filter((m) => m !== config.wechatMethod), url, config, handler });
}
