/**
 * getOrder's direct lane: the call merchants make most (one per label printed) answered on
 * node:http itself, before fastify routes the request. fastify's routing, request and reply
 * objects and its six hook stages cost about as much CPU as a cached answer itself; here the
 * same steps run in one function: the token, the body, its types, the call's quota, the core's
 * getOrderJson, the rid log and the console's request log.
 *
 * The lane takes a request only when it answers it exactly as the fastify route would, and it
 * decides before reading a byte of the body, so anything it declines reaches fastify untouched:
 * - POST to the getOrder path, with a query the lane reads without decoding (no `%`, `+`, and
 *   `access_token` once);
 * - an `access_token` in it (none or an empty one is the route's 41001); a token the lane finds
 *   unknown or expired it answers as the route (40001, 42001), whatever the body;
 * - a `Content-Length` body of 1 to LANE_MAX_BODY bytes (no chunked bodies: those, empty and
 *   oversized bodies are fastify's, with its 44002 and 47001);
 * - no fault rule listed and no request logger (those act on fastify's request and reply).
 * What it answers — bytes, headers, errcodes, the quota count, the rid log's and the request
 * log's entries — is the route's (`test/get-order-lane.test.ts` sends the same requests down
 * both ways and compares).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nowSeconds } from '../core/clock.ts';
import { ridTime } from '../core/api-quota.ts';
import { WxError } from '../core/errors.ts';
import type { LogisticsCore } from '../core/logistics-core.ts';
import type { Operation } from '../core/operations.ts';
import type { Body } from '../core/validate.ts';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import { ridOfError } from './api-management.ts';
import { asWxError, JSON_CONTENT_TYPE } from './envelope.ts';
import { AnswerArena, type Lease } from '../core/answer-arena.ts';
import { parseJsonObject, utf8Text } from './read-body.ts';
import type { RequestLog } from './request-log.ts';
import { newRid } from './rid.ts';
import { sharedValidator } from './shared-validators.ts';
import { lane, laneBodySize, readBody, sendAnswer, type Lane } from './lane.ts';

/** The ring answers printed for the first time are written into: ~100 getOrder answers in flight (more fall back to buffers of their own). */
const ARENA_BYTES = 1024 * 1024;

/** Bodies above this go the long way (a getOrder body is ~60 bytes; 1 MiB is fastify's to refuse). */
export const LANE_MAX_BODY = 16 * 1024;

export interface GetOrderLaneOptions {
  core: LogisticsCore;
  op: Operation;
  /** The error answer the fastify route sends for `wx` (house rule 2, with --explain applied). */
  errorBody(wx: WxError): Record<string, unknown>;
  faults: FaultRegistry;
  requestLog: RequestLog | undefined;
  quotas: boolean;
  ridLog: boolean;
}

/** The lane, and how much of its arena answers in flight hold. */
export type GetOrderLane = Lane & { readonly arenaBytesInUse: number };

export function getOrderLane(options: GetOrderLaneOptions): GetOrderLane {
  const { core, op, faults, requestLog } = options;
  const path = op.path;
  const { meter, rids } = core.apiManagement;
  const validate = sharedValidator(op.schema!);
  // Answers printed for the first time are written here and given back once sent (answer-arena.ts).
  const arena = new AnswerArena(ARENA_BYTES);

  /** `borrowed`: the bytes are the arena's, written over once given back, so the rid log gets a copy. */
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    ctx: Call,
    bytes: Buffer | string,
    error: WxError | null,
    borrowed = false,
  ): void => {
    const rid = error ? undefined : options.ridLog ? newRid(nowSeconds(core.clock)) : undefined;
    const elapsedMs = performance.now() - ctx.startedAt;
    if (options.ridLog && ctx.appid !== null) {
      const logged = rid ?? ridOfError(bytes as string);
      if (logged !== undefined && rids.admits(error !== null)) {
        rids.record({
          rid: logged,
          appid: ctx.appid,
          cgi_path: path,
          invoke_time: ridTime(logged),
          cost_in_ms: Math.round(elapsedMs),
          request_url: ctx.query,
          request_body: ctx.rawBody,
          response_body: borrowed ? bytes.toString('utf8') : bytes,
          client_ip: req.socket.remoteAddress ?? '',
          failed: error !== null,
        });
      }
    }
    sendAnswer(res, JSON_CONTENT_TYPE, bytes, rid);
    requestLog?.record({
      at: core.clock.nowMs(),
      method: 'POST',
      path: req.url!,
      appid: ctx.appid ?? ctx.queryAppid,
      errcode: error ? error.errcode : 0,
      duration_ms: Math.round((performance.now() - ctx.startedAt) * 10) / 10,
      error: error ?? undefined,
    });
  };

  const fail = (req: IncomingMessage, res: ServerResponse, ctx: Call, error: unknown): void => {
    const { wx } = asWxError(error);
    answer(req, res, ctx, JSON.stringify(options.errorBody(wx)), wx);
  };

  // Refused before the body is read: no rid-log record (the route has no appid for one), and the
  // request log names the appid of the query, if any (as the route's does).
  const failToken = (req: IncomingMessage, res: ServerResponse, ctx: Call, error: unknown): void => {
    ctx.appid = null;
    ctx.queryAppid = plainParam(ctx.query, 'appid') ?? null;
    fail(req, res, ctx, error);
  };

  const run = (req: IncomingMessage, res: ServerResponse, ctx: Call, bytes: Buffer): void => {
    const appid = ctx.appid!;
    let body: Body;
    try {
      ctx.rawBody = utf8Text(bytes);
      body = parseJsonObject(ctx.rawBody);
      if (!validate(body)) throw new WxError('dataFormatError', schemaErrorText(validate.errors ?? []));
      if (options.quotas) {
        const refused = meter.admit(appid, path);
        if (refused) throw refused;
      }
    } catch (error) {
      return fail(req, res, ctx, error);
    }
    // A kept answer whose order is known unchanged: answered in this turn, no promise.
    let known: Buffer | undefined;
    try {
      known = core.orders.knownOrderJson(appid, body);
    } catch (error) {
      return fail(req, res, ctx, error);
    }
    if (known !== undefined) return answer(req, res, ctx, known, null);
    let lease: Lease | undefined;
    const take = (n: number): Buffer => {
      lease = arena.take(n);
      return lease?.bytes ?? Buffer.allocUnsafe(n);
    };
    op.runJson!(core, appid, body, take).then(
      (bytes) => {
        // Once the response is done (written, or its connection gone) nothing holds the bytes: the
        // rid log gets a copy of what it keeps, the request log keeps no body.
        const gone = res.destroyed || req.socket.destroyed;
        if (lease && !gone) res.once('close', lease.release);
        answer(req, res, ctx, bytes, null, lease !== undefined);
        if (lease && gone) lease.release(); // its 'close' has been and gone: nothing was written
      },
      (error: unknown) => {
        lease?.release();
        fail(req, res, ctx, error);
      },
    );
  };

  const taking = lane((req, res) => {
    const url = req.url!;
    if (req.method !== 'POST' || !url.startsWith(path) || url.charCodeAt(path.length) !== 63 /* ? */) return false;
    if (faults.size !== 0) return false;
    const query = url.slice(path.length + 1);
    const token = plainParam(query, 'access_token');
    if (token === undefined || laneBodySize(req, LANE_MAX_BODY) === undefined) return false;

    const ctx: Call = { appid: null, queryAppid: null, query, rawBody: '', startedAt: performance.now() };
    // House rule 3: a token error is the answer whatever the body holds. A token looked up in the
    // last second is judged at once; another one is read while the body arrives.
    let known: string | undefined;
    let refused: unknown;
    try {
      known = core.tokens.authenticateKnown(token);
    } catch (error) {
      refused = error;
    }
    if (refused !== undefined) {
      readBody(req, () => failToken(req, res, ctx, refused));
    } else if (known !== undefined) {
      ctx.appid = known;
      readBody(req, (body) => run(req, res, ctx, body));
    } else {
      const authenticated = core.tokens.authenticate(token);
      authenticated.catch(() => undefined); // answered below, once the body is in
      readBody(req, (body) =>
        authenticated.then(
          (appid) => {
            ctx.appid = appid;
            run(req, res, ctx, body);
          },
          (error: unknown) => failToken(req, res, ctx, error),
        ),
      );
    }
    return true;
  });
  return Object.defineProperty(taking, 'arenaBytesInUse', { get: () => arena.inUse }) as GetOrderLane;
}

interface Call {
  /** null until the token is judged, and when it is refused. */
  appid: string | null;
  /** The query's `appid` parameter, for the request log of a refused token. */
  queryAppid: string | null;
  /** The query string as sent (the rid log's request_url). */
  query: string;
  rawBody: string;
  startedAt: number;
}

/**
 * A parameter of a query the lane reads as is: present once, non-empty, nothing to decode
 * anywhere (fastify's decoding would be needed for `%` and `+`); else undefined.
 */
export function plainParam(query: string, name: string): string | undefined {
  if (query.includes('%') || query.includes('+')) return undefined;
  let token: string | undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    if (token !== undefined) return undefined;
    token = eq < 0 ? '' : pair.slice(eq + 1);
  }
  return token === '' ? undefined : token;
}

/** fastify's default schemaErrorFormatter with `body` as the data variable: the 47001 detail of the route. */
function schemaErrorText(errors: readonly { instancePath?: string; message?: string }[]): string {
  return errors.map((e) => `body${e.instancePath ?? ''} ${e.message}`).join(', ');
}
