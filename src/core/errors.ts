/**
 * The errcode table: one name per WeChat error, with the exact code and text of
 * `shared/spec/auth-and-errors.md` §5–§6. Code throws `new WxError('orderNotExists')`;
 * only the HTTP adapter turns it into `{errcode, errmsg}` (adding the rid suffix).
 */
export const errorTable = {
  systemError: { errcode: -1, errmsg: 'system error' },
  invalidCredential: {
    errcode: 40001,
    errmsg:
      'invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r',
  },
  invalidGrantType: { errcode: 40002, errmsg: 'invalid grant_type' },
  invalidAppid: { errcode: 40013, errmsg: 'invalid appid' },
  invalidUrl: { errcode: 40066, errmsg: 'invalid url' },
  invalidArgs: { errcode: 40097, errmsg: 'invalid args' },
  invalidAppsecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  waybillIdNotFound: { errcode: 40199, errmsg: 'waybill_id not found' },
  accessTokenMissing: { errcode: 41001, errmsg: 'access_token missing' },
  appidMissing: { errcode: 41002, errmsg: 'appid missing' },
  appsecretMissing: { errcode: 41004, errmsg: 'appsecret missing' },
  accessTokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  requireGetMethod: { errcode: 43001, errmsg: 'require GET method' },
  requirePostMethod: { errcode: 43002, errmsg: 'require POST method' },
  emptyPostData: { errcode: 44002, errmsg: 'empty post data' },
  dailyQuotaReached: { errcode: 45009, errmsg: 'reach max api daily quota limit' },
  minuteQuotaReached: { errcode: 45011, errmsg: 'api minute-quota reach limit, must slower, retry next minute' },
  dataFormatError: { errcode: 47001, errmsg: 'data format error' },
  apiUnauthorized: { errcode: 48001, errmsg: 'api unauthorized' },
  clearQuotaLimitReached: { errcode: 48006, errmsg: 'forbid to clear quota because of reaching the limit' },
  ridNotFound: { errcode: 76001, errmsg: 'rid not found' },
  ridIsError: { errcode: 76002, errmsg: 'rid is error' },
  ridNoPermission: { errcode: 76003, errmsg: 'could not query this rid,no permission' },
  cgiPathNotFound: { errcode: 76021, errmsg: 'cgi_path not found, please check' },
  cgiPathNoPermission: { errcode: 76022, errmsg: 'could not use this cgi_path,no permission' },
  deliveryLogicFail: { errcode: 9300501, errmsg: 'delivery logic fail' },
  deliverySysError: { errcode: 9300502, errmsg: 'Delivery side sys error' },
  deliveryNotRegistered: { errcode: 9300503, errmsg: 'Specified delivery id is not registerred' },
  // 9300506 and 9300524 have no documented text (auth-and-errors.md §6); see docs/deviations.md.
  waybillHasPath: { errcode: 9300506, errmsg: 'waybill already has path, can not cancel' },
  invalidOrderToken: { errcode: 9300507, errmsg: "invalid token, can't decryption or decryption result is different from the plaintext" },
  invalidServiceType: { errcode: 9300510, errmsg: 'invalid service type' },
  invalidWaybillTemplateFormat: { errcode: 9300512, errmsg: 'invalid waybill template format' },
  orderIdRepeated: { errcode: 9300522, errmsg: 'this orderid is repeated' },
  cancelFailed: { errcode: 9300524, errmsg: 'cancel failed, order already cancelled' },
  bizIdNotBind: { errcode: 9300525, errmsg: 'biz id not bind' },
  argSizeExceedLimit: { errcode: 9300526, errmsg: 'arg size exceed limit' },
  invalidWaybillId: { errcode: 9300528, errmsg: 'invalid waybill_id' },
  invalidBizIdOrPassword: { errcode: 9300531, errmsg: 'invalid biz_id or password' },
  invalidShopArgs: { errcode: 9300535, errmsg: 'invalid shop args' },
  invalidWxaAppid: { errcode: 9300536, errmsg: 'invalid wxa_appid' },
  argsError: { errcode: 930561, errmsg: 'args error' },
  orderNotExists: { errcode: 930563, errmsg: 'order not exists' },
  quotaRunOut: { errcode: 930564, errmsg: 'quota run out' },
} as const satisfies Record<string, { errcode: number; errmsg: string }>;

export type ErrorName = keyof typeof errorTable;

/**
 * A WeChat-shaped failure. Thrown by the core whenever an operation must answer
 * with a non-zero errcode; `extra` carries the fields the spec shows beside the
 * envelope (`delivery_resultcode`, `waybill_data: []` on 9300501), `detail` a
 * plain-language reason for logs and explain mode (never on the wire by default).
 */
export class WxError extends Error {
  override name = 'WxError' as const;
  readonly errcode: number;
  readonly errmsg: string;

  constructor(
    readonly code: ErrorName,
    readonly detail?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(`${errorTable[code].errmsg}${detail ? ` (${detail})` : ''}`);
    this.errcode = errorTable[code].errcode;
    this.errmsg = errorTable[code].errmsg;
  }
}

export const isWxError = (e: unknown): e is WxError => e instanceof WxError;
