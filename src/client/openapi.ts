import { toCamelCase, toSnakeCase, type CamelCased } from './camel-case.ts';
import { CloudSdkError } from './cloud-sdk-error.ts';
import { endpoints } from './endpoints.ts';
import { WxApiError, WxTransportError } from './errors.ts';
import type { RequestSender } from './request-sender.ts';
import type { EndpointName, RequestOf, ResponseOf, TestUpdateOrderRequest } from './types.ts';

/** The APIs reachable as `cloud.openapi.logistics.<name>` (all but testUpdateOrder). */
export type CloudApiName = Exclude<EndpointName, 'testUpdateOrder'>;

export type CloudArgs<N extends EndpointName> =
  RequestOf<N> extends undefined ? [args?: Record<string, never>] : [args: CamelCased<RequestOf<N>>];

/** What wx-server-sdk resolves with: the answer camelCased, without errcode/errmsg, plus errMsg and errCode. */
export type CloudResult<N extends EndpointName> = CamelCased<Omit<ResponseOf<N>, 'errcode' | 'errmsg'>> & {
  errMsg: `openapi.logistics.${N}:ok`;
  errCode: 0;
};

export type LogisticsOpenApi = { [N in CloudApiName]: (...args: CloudArgs<N>) => Promise<CloudResult<N>> } & {
  /** Not callable through cloud calls: rejects as wx-server-sdk does (errCode -604100, API not found). */
  testUpdateOrder(args?: CamelCased<TestUpdateOrderRequest>): Promise<never>;
};

/** `cloud.openapi.logistics` of wx-server-sdk, answered over HTTPS by `sender`. */
export function createLogisticsOpenApi(sender: RequestSender): LogisticsOpenApi {
  const api: Record<string, (args?: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(endpoints) as EndpointName[]) {
    api[name] = endpoints[name].cloud
      ? (args) => callLikeCloud(sender, name, args)
      : async () => {
          throw new CloudSdkError(-604100, 'system error: error code: -604100');
        };
  }
  return api as unknown as LogisticsOpenApi;
}

async function callLikeCloud(sender: RequestSender, name: EndpointName, args: unknown): Promise<Record<string, unknown>> {
  const displayName = `openapi.logistics.${name}`;
  let answer: Record<string, unknown>;
  try {
    answer = { ...(await sender.send(name, toSnakeCase(args) as never)) };
  } catch (error) {
    throw toCloudError(error, displayName);
  }
  delete answer.errcode;
  delete answer.errmsg;
  return { ...(toCamelCase(answer) as Record<string, unknown>), errMsg: `${displayName}:ok`, errCode: 0 };
}

/** The error wx-server-sdk throws for the same failure (cloud-call.md §6). */
function toCloudError(error: unknown, displayName: string): CloudSdkError {
  // WeChat's errmsg is passed through whole, rid suffix included.
  if (error instanceof WxApiError) return new CloudSdkError(error.errcode, `${displayName}:fail ${String(error.body.errmsg)}`);
  if (error instanceof WxTransportError) {
    const errMsg = `${displayName}:fail -501001 resource system error. ${error.message}`;
    return new CloudSdkError(-501001, errMsg, errMsg);
  }
  const errMsg = `${displayName}:fail ${error instanceof Error ? error.message : String(error)}`;
  return new CloudSdkError(-1, errMsg, errMsg);
}
