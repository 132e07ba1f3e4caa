/** Names wx-server-sdk's ERR_CODE table gives the codes this client can produce. */
const SDK_CODE_NAMES: Record<number, string> = {
  [-1]: 'unknown error',
  [-501001]: 'resource system error',
  [-601001]: 'system error',
  [-604100]: 'API not found',
};

/**
 * Thrown by `client.openapi.logistics.*`, shaped like wx-server-sdk's
 * `CloudSDKError` so cloud-function code can `catch (e)` and read `e.errCode` /
 * `e.errMsg` (own enumerable properties, in that order). As in the SDK, `name`
 * stays `'Error'` and `message` is `errCode: N <SDK name of N> | errMsg: …`.
 */
export class CloudSdkError extends Error {
  readonly errCode: number;
  readonly errMsg: string;

  constructor(errCode: number, errMsg: string, message = `errCode: ${errCode} ${SDK_CODE_NAMES[errCode] ?? ''} | errMsg: ${errMsg}`) {
    super(message);
    this.errCode = errCode;
    this.errMsg = errMsg;
  }
}
