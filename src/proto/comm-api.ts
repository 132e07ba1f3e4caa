// Loads comm-api.proto at runtime (protobufjs reflection) and exposes the two messages the
// cloud-call bridge needs. Wire format: docs cloud-call.md §3 (request) and §5 (response).
import protobuf from 'protobufjs';
import { packageFile } from '../package-files.ts';

const root = new protobuf.Root().loadSync(packageFile('proto/comm-api.proto'));
const CommApiDataType = root.lookupType('CommApiData');
const CommOpenApiRespType = root.lookupType('CommOpenApiResp');

/** CommApiData.ApiType; cloud.openapi.* always sends OPEN_API (§3). */
export const ApiType = { OPEN_API: 0, INNER_API: 1, SVRKIT_API: 2, TOKEN_API: 3 } as const;

export interface KeyValuePair {
  key: string;
  value: Buffer;
  /** Never sent by wx-server-sdk 4.0.2 (§3 media); '' when absent. */
  contenttype: string;
  /** Non-empty only for media parameters. */
  filename: string;
}

export interface CommApiData {
  apiType: number;
  pairs: KeyValuePair[];
  /** Only set for cross-account calls, '' otherwise. */
  appid: string;
  hasSvrkitData: boolean;
  hasTokenData: boolean;
  hasInnerData: boolean;
}

interface RawPair {
  key?: string;
  value?: Uint8Array;
  contenttype?: string;
  filename?: string;
}
interface RawCommApiData {
  apiType?: number;
  openapiData?: { pairs?: RawPair[] };
  innerData?: unknown;
  svrkitData?: unknown;
  tokenData?: unknown;
  appid?: string;
}

/** Decodes the `requestData` form field. Throws on bytes that are not a valid CommApiData. */
export function decodeCommApiData(buf: Uint8Array): CommApiData {
  const raw = CommApiDataType.toObject(CommApiDataType.decode(buf), { enums: Number }) as RawCommApiData;
  return {
    apiType: raw.apiType ?? ApiType.OPEN_API,
    pairs: (raw.openapiData?.pairs ?? []).map((p) => ({
      key: p.key ?? '',
      value: Buffer.from(p.value ?? []),
      contenttype: p.contenttype ?? '',
      filename: p.filename ?? '',
    })),
    appid: raw.appid ?? '',
    hasSvrkitData: raw.svrkitData !== undefined,
    hasTokenData: raw.tokenData !== undefined,
    hasInnerData: raw.innerData !== undefined,
  };
}

export interface CommOpenApiResp {
  /** The API's answer; a string is written as UTF-8. */
  respData?: Uint8Array | string;
  contentType?: string;
  /** Gateway/system error (§6: -604100 API not found, -604101 no permission, …); 0 = none. */
  errorCode?: number;
  httpCode?: number;
}

/** Encodes the response body the SDK decodes with `CommOpenApiResp.decode` (§5). */
export function encodeCommOpenApiResp(resp: CommOpenApiResp): Buffer {
  const respData = typeof resp.respData === 'string' ? Buffer.from(resp.respData, 'utf8') : resp.respData;
  const message = CommOpenApiRespType.fromObject({
    ...(respData !== undefined ? { respData } : {}),
    ...(resp.contentType !== undefined ? { contentType: resp.contentType } : {}),
    ...(resp.errorCode !== undefined ? { errorCode: resp.errorCode } : {}),
    ...(resp.httpCode !== undefined ? { httpCode: resp.httpCode } : {}),
  });
  return Buffer.from(CommOpenApiRespType.encode(message).finish());
}

/** Test/diagnostic helper: the inverse of encodeCommOpenApiResp. */
export function decodeCommOpenApiResp(buf: Uint8Array): Required<Omit<CommOpenApiResp, 'respData'>> & { respData: Buffer } {
  const raw = CommOpenApiRespType.toObject(CommOpenApiRespType.decode(buf)) as {
    respData?: Uint8Array;
    contentType?: string;
    errorCode?: number;
    httpCode?: number;
  };
  return {
    respData: Buffer.from(raw.respData ?? []),
    contentType: raw.contentType ?? '',
    errorCode: raw.errorCode ?? 0,
    httpCode: raw.httpCode ?? 0,
  };
}

/** Test helper: encodes a CommApiData the way wx-server-sdk does (§3 step 4). */
export function encodeCommApiData(data: {
  apiType?: number;
  pairs: Array<{ key: string; value: Uint8Array; filename?: string }>;
  appid?: string;
}): Buffer {
  const message = CommApiDataType.fromObject({
    apiType: data.apiType ?? ApiType.OPEN_API,
    openapiData: { pairs: data.pairs },
    ...(data.appid !== undefined ? { appid: data.appid } : {}),
  });
  return Buffer.from(CommApiDataType.encode(message).finish());
}
