/** ` rid: 650d4ec8-2d09ae0d-37be0820` (or `, rid: …`, or the legacy ` hint: [KJZfAa0644e575]`) at the end of an errmsg. */
const RID_SUFFIX = /,? (?:rid: ([0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8})|hint: \[([^\]]*)\])$/;

/** Splits WeChat's errmsg into its text and the request id WeChat appended (auth-and-errors.md §4). */
export function splitRid(errmsg: string): { text: string; rid: string | undefined } {
  const match = RID_SUFFIX.exec(errmsg);
  if (!match) return { text: errmsg, rid: undefined };
  return { text: errmsg.slice(0, match.index), rid: match[1] ?? match[2] };
}

/**
 * Thrown by every `LogisticsClient` method (and the token fetch) when WeChat
 * answers with a non-zero `errcode`. `errmsg` is the text without the rid
 * suffix; `rid` is what WeChat support asks for; `body` is the whole answer
 * (e.g. `delivery_resultcode`/`delivery_resultmsg` beside 9300501).
 */
export class WxApiError extends Error {
  override name = 'WxApiError';
  readonly errcode: number;
  readonly errmsg: string;
  readonly rid: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;

  constructor(body: Record<string, unknown>) {
    const { text, rid } = splitRid(typeof body.errmsg === 'string' ? body.errmsg : '');
    super(`${String(body.errcode)} ${text}${rid ? ` (rid: ${rid})` : ''}`);
    this.errcode = Number(body.errcode);
    this.errmsg = text;
    this.rid = rid;
    this.body = body;
  }
}

/**
 * Thrown when no WeChat answer arrived: the connection failed or timed out, or
 * the reply was not HTTP 2xx with a JSON object body. `requestSent` is false
 * only when the connection was refused, i.e. the server surely did nothing.
 */
export class WxTransportError extends Error {
  override name = 'WxTransportError';

  constructor(
    message: string,
    readonly requestSent: boolean,
    readonly status?: number,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}
