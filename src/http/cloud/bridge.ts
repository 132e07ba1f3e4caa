// The cloud-call (云调用) endpoint: plays the TCB gateway for wx-server-sdk's `wx.openApi` action
// (cloud-call.md §8 checklist; house rule 13). Everything app-specific is injected.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { encodeCommOpenApiResp } from '../../proto/comm-api.ts';
import { parseMultipart, type FormPart } from './multipart.ts';
import { openApiBodyFromPairs } from './open-api-body.ts';
import { parseTc3Authorization, verifyTc3 } from './tc3.ts';

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
  /**
   * Runs the HTTPS twin of `apiName`; returns its JSON answer including errcode/errmsg if any (an object, or
   * already serialised bytes), or undefined when it took the connection over (a fault rule reset or hung it).
   */
  invoke(
    appid: string,
    apiName: string,
    snakeCaseBody: Record<string, unknown>,
    connection: { request: FastifyRequest; reply: FastifyReply },
  ): Promise<Record<string, unknown> | Uint8Array | undefined>;
  /** `apiName`s as the SDK sends them (`logistics.getOrder`); others get -604100. */
  knownApiNames: string[];
}

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

/** §5: gateway failures are HTTP 200 + this exact content type + `{code, message, requestId}`. */
function sendGatewayError(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ code, message, requestId: randomUUID() }));
}

// protobufjs and the schema load on the first cloud call: a server nobody calls
// that way does not carry them in memory.
let protoModule: Promise<typeof import('../../proto/comm-api.ts')> | undefined;
const proto = () => (protoModule ??= import('../../proto/comm-api.ts'));

/** §5: the API's answer as protobuf, never typed exactly `application/json; charset=utf-8`. */
async function sendOpenApiResp(reply: FastifyReply, resp: Parameters<typeof encodeCommOpenApiResp>[0]): Promise<FastifyReply> {
  const { encodeCommOpenApiResp } = await proto();
  return sendProtobuf(reply, encodeCommOpenApiResp(resp));
}

const sendProtobuf = (reply: FastifyReply, bytes: Buffer) => reply.code(200).header('content-type', 'application/octet-stream').send(bytes);

// An answer the core hands out as cached bytes (getOrder) is the same object on every call
// until its order changes, so its protobuf envelope is built once too and lives as long as it.
const envelopes = new WeakMap<Uint8Array, Buffer>();

async function sendApiAnswer(reply: FastifyReply, answer: Record<string, unknown> | Uint8Array): Promise<FastifyReply> {
  const { encodeCommOpenApiResp } = await proto();
  const ok = { contentType: 'application/json', errorCode: 0, httpCode: 200 };
  if (!(answer instanceof Uint8Array)) return sendProtobuf(reply, encodeCommOpenApiResp({ respData: JSON.stringify(answer), ...ok }));
  let bytes = envelopes.get(answer);
  if (bytes === undefined) {
    bytes = encodeCommOpenApiResp({ respData: answer, ...ok });
    envelopes.set(answer, bytes);
  }
  return sendProtobuf(reply, bytes);
}

function textField(parts: FormPart[], name: string): string | undefined {
  const part = parts.find((p) => p.name === name);
  return part?.kind === 'text' ? part.value : undefined;
}

/**
 * Fastify plugin serving POST `path`. Register it without fastify-plugin so its raw-body
 * multipart parser stays encapsulated:
 * @example app.register(cloudBridgePlugin({ findAppBySecretId, invoke, knownApiNames }))
 */
export function cloudBridgePlugin(opts: CloudBridgeOptions): FastifyPluginAsync {
  const known = new Set(opts.knownApiNames);
  return async (app) => {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: opts.bodyLimit ?? 10 << 20 }, (_req, body, done) => {
      done(null, body);
    });

    app.post(opts.path ?? '/admin', async (request, reply) => {
      const contentType = request.headers['content-type'] ?? '';
      // Only `wx.openApi` (multipart) is served; `wx.api` (JSON, §7) is deprecated and unused by cloud.openapi.*.
      if (!Buffer.isBuffer(request.body)) {
        return sendGatewayError(reply, GatewayCode.invalidCommonParam, 'only action wx.openApi (multipart/form-data) is supported');
      }
      let parts: FormPart[];
      try {
        parts = parseMultipart(request.body, contentType);
      } catch (err) {
        return sendGatewayError(reply, GatewayCode.invalidCommonParam, `malformed form: ${(err as Error).message}`);
      }

      // §4 / rule 13: secretId → app, its secretKey verifies the signature.
      const auth = parseTc3Authorization(request.headers.authorization);
      if (!auth.ok) return sendGatewayError(reply, GatewayCode.authFailed, `authorization: ${auth.reason}`);
      const cloudApp = await opts.findAppBySecretId(auth.auth.secretId);
      if (!cloudApp) return sendGatewayError(reply, GatewayCode.authFailed, 'authorization: unknown secretId');
      const verified = verifyTc3(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          params: parts,
        },
        cloudApp.secretKey,
        { freshnessSeconds: opts.freshnessSeconds, authorization: auth.auth },
      );
      if (!verified.ok) {
        request.log.warn({ reason: verified.reason, detail: verified.detail }, 'cloud call signature rejected');
        return sendGatewayError(reply, GatewayCode.authFailed, `authorization: ${verified.reason}`);
      }

      const action = textField(parts, 'action');
      if (action !== 'wx.openApi') return sendGatewayError(reply, GatewayCode.invalidCommonParam, `unsupported action: ${action ?? ''}`);
      const envName = textField(parts, 'envName') ?? '';
      if (!cloudApp.envs.includes(envName))
        return sendGatewayError(reply, GatewayCode.invalidEnv, `env ${envName} does not belong to the app`);
      const apiName = textField(parts, 'apiName') ?? '';
      const requestData = parts.find((p) => p.name === 'requestData');
      if (apiName === '' || requestData === undefined) {
        return sendGatewayError(reply, GatewayCode.invalidParam, 'apiName and requestData are required');
      }

      const { ApiType, decodeCommApiData } = await proto();
      let data;
      try {
        data = decodeCommApiData(typeof requestData.value === 'string' ? Buffer.from(requestData.value, 'utf8') : requestData.value);
      } catch (err) {
        return sendGatewayError(reply, GatewayCode.invalidParam, `requestData is not a CommApiData: ${(err as Error).message}`);
      }
      // getOpenData & co. (SVRKIT_API) are not logistics APIs (§7): same answer as an unknown name.
      if (data.apiType !== ApiType.OPEN_API || !known.has(apiName))
        return sendOpenApiResp(reply, { errorCode: OpenApiErrorCode.apiNotFound });
      // Cross-account calls name another appid (§3); this server cannot authorise those.
      if (data.appid !== '' && data.appid !== cloudApp.appid) return sendOpenApiResp(reply, { errorCode: OpenApiErrorCode.noPermission });
      const body = openApiBodyFromPairs(data.pairs);
      if (!body.ok) return sendGatewayError(reply, GatewayCode.invalidParam, `parameter ${body.key} is not JSON: ${body.message}`);

      let answer: Record<string, unknown> | Uint8Array | undefined;
      try {
        answer = await opts.invoke(cloudApp.appid, apiName, body.body, { request, reply });
      } catch (err) {
        request.log.error({ err, apiName }, 'cloud call handler failed');
        return sendOpenApiResp(reply, { errorCode: OpenApiErrorCode.systemError });
      }
      if (answer === undefined) return reply; // the connection was reset or is left hanging
      return sendApiAnswer(reply, answer);
    });
  };
}
