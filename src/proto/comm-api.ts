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

/** A decoded message's fields as protobufjs leaves them: unset scalars read their default, unset messages null. */
interface RawPair {
  key: string;
  value: Uint8Array | number[];
  contenttype: string;
  filename: string;
}
interface RawCommApiData {
  apiType: number;
  openapiData: { pairs: RawPair[] } | null;
  innerData: unknown;
  svrkitData: unknown;
  tokenData: unknown;
  appid: string;
}

/**
 * The bytes of a `bytes` field as a Buffer: a view of the decoded input (protobufjs slices it), not
 * a copy. An unset field reads protobufjs's default, an empty array.
 */
const asBuffer = (bytes: Uint8Array | number[]): Buffer =>
  Buffer.isBuffer(bytes)
    ? bytes
    : bytes instanceof Uint8Array
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : Buffer.from(bytes);

/**
 * Decodes the `requestData` form field. Throws on bytes that are not a valid CommApiData. The
 * message's fields are read as decoded (no `toObject` copy); a pair's value is a view of `buf`.
 */
export function decodeCommApiData(buf: Uint8Array): CommApiData {
  const raw = CommApiDataType.decode(buf) as unknown as RawCommApiData;
  const pairs = raw.openapiData?.pairs ?? [];
  return {
    apiType: raw.apiType,
    pairs: pairs.map((p) => ({ key: p.key, value: asBuffer(p.value), contenttype: p.contenttype, filename: p.filename })),
    appid: raw.appid,
    hasSvrkitData: raw.svrkitData != null,
    hasTokenData: raw.tokenData != null,
    hasInnerData: raw.innerData != null,
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
