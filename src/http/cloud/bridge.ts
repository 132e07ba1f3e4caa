// The cloud-call (云调用) endpoint: plays the TCB gateway for wx-server-sdk's `wx.openApi` action
// (cloud-call.md §8 checklist; house rule 13). Everything app-specific is injected.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { thenOrNow, type MaybePromise } from '../maybe-promise.ts';
import { parseMultipart, type FormPart } from './multipart.ts';
import { openApiBodyFromPairs } from './open-api-body.ts';
import { parseTc3Authorization, verifyTc3, type Tc3Authorization } from './tc3.ts';

export interface CloudApp {
  appid: string;
  secretKey: string;
  /** Cloud env ids of the app; the request's `envName` must be one of them (rule 13). */
  envs: string[];
}

export interface CloudBridgeOptions {
  /** Route path; default '/admin', the real gateway's (§2). */
  path?: string;
  /** Signature freshness window in seconds (§4 step 6); 0/undefined disables it. */
  freshnessSeconds?: number;
  /** Max request body in bytes; default 10 MiB. */
  bodyLimit?: number;
  findAppBySecretId(secretId: string): Promise<CloudApp | undefined>;
  /** The app of a secretId when known without a read (a recent lookup); undefined: ask findAppBySecretId. */
  knownAppBySecretId?(secretId: string): CloudApp | undefined;
  /**
   * Runs the HTTPS twin of `apiName`; returns its JSON answer including errcode/errmsg if any (an object, or
   * already serialised bytes), or undefined when it took the connection over (a fault rule reset or hung it);
   * at once where it needs no wait, else as a promise.
   */
  invoke(appid: string, apiName: string, snakeCaseBody: Record<string, unknown>, call: CloudCall): MaybePromise<ApiAnswer | undefined>;
  /** `apiName`s as the SDK sends them (`logistics.getOrder`); others get -604100. */
  knownApiNames: string[];
}

/** An API's answer: its JSON object, or bytes already serialised (getOrder's cached answers). */
export type ApiAnswer = Record<string, unknown> | Uint8Array;

/** What the rid log records of a cloud call once its answer is sent (api-management.ts). */
export interface CloudCallRecord {
  appid: string;
  path: string;
  /** The API's snake_case arguments (serialised only if the rid log keeps the record). */
  requestBody: Record<string, unknown>;
  answer: ApiAnswer;
}

/** One cloud call on its way through the bridge. */
export interface CloudCall {
  /** fastify's request and reply, which a fault rule may take over; absent on the direct lane (no rule is listed there). */
  connection?: { request: FastifyRequest; reply: FastifyReply };
  /** Left by the API-management wrapper for the rid log. */
  record?: CloudCallRecord;
}

/** The request as the bridge reads it, from fastify or straight from node:http. */
export interface CloudRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The multipart body as bytes (anything else is not a `wx.openApi` call). */
  body: unknown;
}

/** The bridge's answer: a gateway error (JSON) or a CommOpenApiResp (protobuf); undefined when a fault rule took the connection. */
export type CloudAnswer = { contentType: string; bytes: Buffer | string } | undefined;

/**
 * Gateway failure codes. The SDK turns only the names in its TCB_ERR_CODE table into distinct
 * errCodes (§6; `INVALIID_ENV` is the SDK's spelling), anything else becomes -501001.
 */
export const GatewayCode = {
  authFailed: 'INVALID_REQUEST_SOURCE', // -501008
  invalidEnv: 'INVALIID_ENV', // -501005
  invalidCommonParam: 'INVALID_COMMON_PARAM', // -501006
  invalidParam: 'INVALID_PARAM', // -501007
} as const;

/** CommOpenApiResp.error_code values the SDK names (§6). */
export const OpenApiErrorCode = { apiNotFound: -604100, noPermission: -604101, systemError: -604103 } as const;

const GATEWAY_CONTENT_TYPE = 'application/json; charset=utf-8';
const PROTOBUF_CONTENT_TYPE = 'application/octet-stream';

/** §5: gateway failures are HTTP 200 + this exact content type + `{code, message, requestId}`. */
function gatewayError(code: string, message: string): CloudAnswer {
  return { contentType: GATEWAY_CONTENT_TYPE, bytes: JSON.stringify({ code, message, requestId: randomUUID() }) };
}

// protobufjs and the schema load on the first cloud call: a server nobody calls
// that way does not carry them in memory.
let protoModule: Promise<typeof import('../../proto/comm-api.ts')> | undefined;
let protoLoaded: typeof import('../../proto/comm-api.ts') | undefined;
const proto = async () => (protoLoaded ??= await (protoModule ??= import('../../proto/comm-api.ts')));

/** §5: the API's answer as protobuf, never typed exactly `application/json; charset=utf-8`. */
const protobuf = (bytes: Buffer): CloudAnswer => ({ contentType: PROTOBUF_CONTENT_TYPE, bytes });

// An answer the core hands out as cached bytes (getOrder) is the same object on every call
// until its order changes, so its protobuf envelope is built once too and lives as long as it.
const envelopes = new WeakMap<Uint8Array, Buffer>();

function apiAnswer(answer: ApiAnswer, encodeCommOpenApiResp: typeof import('../../proto/comm-api.ts').encodeCommOpenApiResp): CloudAnswer {
  const ok = { contentType: 'application/json', errorCode: 0, httpCode: 200 };
  if (!(answer instanceof Uint8Array)) return protobuf(encodeCommOpenApiResp({ respData: JSON.stringify(answer), ...ok }));
  let bytes = envelopes.get(answer);
  if (bytes === undefined) {
    bytes = encodeCommOpenApiResp({ respData: answer, ...ok });
    envelopes.set(answer, bytes);
  }
  return protobuf(bytes);
}

function textField(parts: FormPart[], name: string): string | undefined {
  const part = parts.find((p) => p.name === name);
  return part?.kind === 'text' ? part.value : undefined;
}

/** Logs what the gateway refused or what failed (fastify's request logger; none on the direct lane). */
export interface CloudLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: CloudLog = { warn: () => undefined, error: () => undefined };

type ProtoModule = typeof import('../../proto/comm-api.ts');

/**
 * The gateway's work for one request, whatever carries it: the form, the TC3 signature, the
 * env, the CommApiData, the API itself, the CommOpenApiResp. The fastify route below and the
 * direct lane (cloud-lane.ts) both send what it answers. A call that needs no store read (the
 * secretId looked up recently, a kept getOrder answer) is answered in the same turn, not as a
 * promise; an unexpected failure is thrown then, or rejects the promise.
 */
export function cloudCallAnswerer(opts: CloudBridgeOptions) {
  const known = new Set(opts.knownApiNames);

  /** §4 / rule 13: the app of the Credential's secretId, whose secretKey verifies the signature. */
  const signed = (
    request: CloudRequest,
    parts: FormPart[],
    auth: Tc3Authorization,
    cloudApp: CloudApp | undefined,
    call: CloudCall,
    log: CloudLog,
  ): MaybePromise<CloudAnswer> => {
    if (!cloudApp) return gatewayError(GatewayCode.authFailed, 'authorization: unknown secretId');
    const verified = verifyTc3(
      {
        method: request.method,
        url: request.url,
        headers: request.headers,
        params: parts,
      },
      cloudApp.secretKey,
      { freshnessSeconds: opts.freshnessSeconds, authorization: auth },
    );
    if (!verified.ok) {
      log.warn({ reason: verified.reason, detail: verified.detail }, 'cloud call signature rejected');
      return gatewayError(GatewayCode.authFailed, `authorization: ${verified.reason}`);
    }

    const action = textField(parts, 'action');
    if (action !== 'wx.openApi') return gatewayError(GatewayCode.invalidCommonParam, `unsupported action: ${action ?? ''}`);
    const envName = textField(parts, 'envName') ?? '';
    if (!cloudApp.envs.includes(envName)) return gatewayError(GatewayCode.invalidEnv, `env ${envName} does not belong to the app`);
    const apiName = textField(parts, 'apiName') ?? '';
    const requestData = parts.find((p) => p.name === 'requestData');
    if (apiName === '' || requestData === undefined) {
      return gatewayError(GatewayCode.invalidParam, 'apiName and requestData are required');
    }
    const bytes = typeof requestData.value === 'string' ? Buffer.from(requestData.value, 'utf8') : requestData.value;
    if (protoLoaded === undefined) return proto().then((m) => openApi(m, cloudApp.appid, apiName, bytes, call, log));
    return openApi(protoLoaded, cloudApp.appid, apiName, bytes, call, log);
  };

  /** The CommApiData, the API itself, and its answer as a CommOpenApiResp. */
  const openApi = (
    m: ProtoModule,
    appid: string,
    apiName: string,
    requestData: Buffer,
    call: CloudCall,
    log: CloudLog,
  ): MaybePromise<CloudAnswer> => {
    let data;
    try {
      data = m.decodeCommApiData(requestData);
    } catch (err) {
      return gatewayError(GatewayCode.invalidParam, `requestData is not a CommApiData: ${(err as Error).message}`);
    }
    const openApiResp = (resp: Parameters<ProtoModule['encodeCommOpenApiResp']>[0]) => protobuf(m.encodeCommOpenApiResp(resp));
    // getOpenData & co. (SVRKIT_API) are not logistics APIs (§7): same answer as an unknown name.
    if (data.apiType !== m.ApiType.OPEN_API || !known.has(apiName)) return openApiResp({ errorCode: OpenApiErrorCode.apiNotFound });
    // Cross-account calls name another appid (§3); this server cannot authorise those.
    if (data.appid !== '' && data.appid !== appid) return openApiResp({ errorCode: OpenApiErrorCode.noPermission });
    const body = openApiBodyFromPairs(data.pairs);
    if (!body.ok) return gatewayError(GatewayCode.invalidParam, `parameter ${body.key} is not JSON: ${body.message}`);

    const failed = (err: unknown): CloudAnswer => {
      log.error({ err, apiName }, 'cloud call handler failed');
      return openApiResp({ errorCode: OpenApiErrorCode.systemError });
    };
    // undefined: the connection was reset or is left hanging.
    const answered = (answer: ApiAnswer | undefined): CloudAnswer =>
      answer === undefined ? undefined : apiAnswer(answer, m.encodeCommOpenApiResp);
    let answer: MaybePromise<ApiAnswer | undefined>;
    try {
      answer = opts.invoke(appid, apiName, body.body, call);
    } catch (err) {
      return failed(err);
    }
    return thenOrNow(answer, answered, failed);
  };

  return (request: CloudRequest, call: CloudCall, log: CloudLog = silent): MaybePromise<CloudAnswer> => {
    const contentType = request.headers['content-type'] ?? '';
    // Only `wx.openApi` (multipart) is served; `wx.api` (JSON, §7) is deprecated and unused by cloud.openapi.*.
    if (!Buffer.isBuffer(request.body)) {
      return gatewayError(GatewayCode.invalidCommonParam, 'only action wx.openApi (multipart/form-data) is supported');
    }
    let parts: FormPart[];
    try {
      parts = parseMultipart(request.body, contentType);
    } catch (err) {
      return gatewayError(GatewayCode.invalidCommonParam, `malformed form: ${(err as Error).message}`);
    }
    const auth = parseTc3Authorization(request.headers.authorization);
    if (!auth.ok) return gatewayError(GatewayCode.authFailed, `authorization: ${auth.reason}`);
    const { secretId } = auth.auth;
    const recent = opts.knownAppBySecretId?.(secretId);
    if (recent) return signed(request, parts, auth.auth, recent, call, log);
    return Promise.resolve(opts.findAppBySecretId(secretId)).then((found) => signed(request, parts, auth.auth, found, call, log));
  };
}

/**
 * Fastify plugin serving POST `path`. Register it without fastify-plugin so its raw-body
 * multipart parser stays encapsulated:
 * @example app.register(cloudBridgePlugin({ findAppBySecretId, invoke, knownApiNames }))
 */
export function cloudBridgePlugin(opts: CloudBridgeOptions): FastifyPluginAsync {
  const answerer = cloudCallAnswerer(opts);
  return async (app) => {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: opts.bodyLimit ?? 10 << 20 }, (_req, body, done) => {
      done(null, body);
    });

    app.post(opts.path ?? '/admin', async (request, reply) => {
      const call: CloudCall = { connection: { request, reply } };
      const answer = await answerer(request, call, request.log);
      if (answer === undefined) return reply; // the connection was reset or is left hanging
      if (call.record) request.wxlCloudCall = call.record;
      return reply.code(200).header('content-type', answer.contentType).send(answer.bytes);
    });
  };
}
