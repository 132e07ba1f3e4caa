/** `wxlogistics/client`: typed client of the Logistics Assistant (物流助手) business APIs. */
export { LogisticsClient, DEFAULT_BASE_URL, type LogisticsClientOptions } from './logistics-client.ts';
export { WxApiError, WxTransportError, splitRid } from './errors.ts';
export { CloudSdkError } from './cloud-sdk-error.ts';
export { FetchHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from './http-client.ts';
export { toCamelCase, toSnakeCase, type CamelCased } from './camel-case.ts';
export type { LogisticsOpenApi, CloudApiName, CloudArgs, CloudResult } from './openapi.ts';
export type * from './types.ts';
