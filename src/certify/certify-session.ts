// One certification run's state: the options, the checks so far, and how a push is sent as WeChat
// would send it (signed and encrypted by src/push, the code behind wxlogistics' own pushes) and judged.
import { randomBytes, randomInt } from 'node:crypto';
import type { WireObject } from '../core/push-events.ts';
import { buildPushRequest, type PushFormat, type PushMode } from '../push/push-request.ts';
import type { Account, Header } from './certify-events.ts';
import { exchange } from './http-exchange.ts';
import { judgeExchange, type CheckResult, type CheckStatus, type Exchange, type Judged } from './judge-reply.ts';
import type { CarrierEventName } from './reply-rules.ts';

export type CertifyOptions = {
  url: string;
  token: string;
  encodingAesKey?: string;
  mode: PushMode;
  format: PushFormat;
  /** The carrier Mini Program's appid (trailer of the encrypted plaintext, §1.4). */
  appid: string;
  /** The carrier Mini Program's original ID (gh_…): every push's ToUserName. */
  username: string;
  /** An account the carrier accepts (check_biz approves it, add_waybill bills it). */
  bizId: string;
  bizPwd: string;
  shopAppId: string;
  /** WeChat's 5 s (§1.5) unless told otherwise; tests shorten it. */
  timeoutMs: number;
  /** A WeChat-allocated WayBillID from the carrier's segment (default: a made-up 12-digit one). */
  waybillId?: string;
  /** An existing picked-up waybill, instead of the PICKED_UP_REMARK convention. */
  pickedUp?: { orderId: string; waybillId: string };
  /** WARN counts as failure. */
  strict?: boolean;
};

// events.md §3.1–§3.4: the classic pushes come from "the WeChat team" (a fixed OpenID the docs do
// not print), except cancel_waybill, which comes from the ordering user's OpenID (§3.2).
export const WECHAT_TEAM_OPENID = 'oWeChatLogisticsTeam0000000';
export const ORDERING_USER_OPENID = 'oCertifyOrderingUser0000000';

export const digits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join('');
const nowSeconds = () => Math.floor(Date.now() / 1000);

export type PushStep = {
  /** Check-name prefix of the step, e.g. `add_waybill (repeat)`. */
  name: string;
  event: CarrierEventName;
  push: WireObject;
  expectCode: number;
  tolerate?: Record<number, string>;
};

export class CertifySession {
  readonly checks: CheckResult[] = [];
  readonly account: Account;
  /** Order ids are new for every run, so a carrier that keeps its orders can be certified again. */
  readonly runId = randomBytes(4).toString('hex');

  constructor(readonly o: CertifyOptions) {
    this.account = { bizId: o.bizId, bizPwd: o.bizPwd, shopAppId: o.shopAppId };
  }

  note(status: CheckStatus, name: string, detail: string): void {
    this.checks.push({ status, name, detail });
  }

  header(fromUserName = WECHAT_TEAM_OPENID): Header {
    return { toUserName: this.o.username, fromUserName, createTime: nowSeconds() };
  }

  orderId(tag: string): string {
    return `wxlcert-${this.runId}-${tag}`;
  }

  /** A per-order Token as WeChat issues it (§3.1 example: `1234ABC234523451`). */
  orderToken(): string {
    return randomBytes(8).toString('hex').toUpperCase();
  }

  /** Send one push, signed with `token` (the configured one unless a forgery is wanted). */
  async send(push: WireObject, token = this.o.token): Promise<Exchange> {
    const o = this.o;
    const req = buildPushRequest({
      url: o.url,
      token,
      ...(o.encodingAesKey === undefined ? {} : { encodingAesKey: o.encodingAesKey }),
      mode: o.mode,
      format: o.format,
      appid: o.appid,
      toUserName: o.username,
      event: push,
      timestamp: String(nowSeconds()),
      nonce: digits(10),
    });
    return exchange({ method: 'POST', url: req.url, body: req.body, contentType: req.contentType, timeoutMs: o.timeoutMs });
  }

  /** Send one push, judge the reply, record the checks. */
  async step(s: PushStep): Promise<Judged> {
    const o = this.o;
    const judged = judgeExchange(await this.send(s.push), {
      step: s.name,
      event: s.event,
      push: s.push,
      format: o.format,
      mode: o.mode,
      token: o.token,
      ...(o.encodingAesKey === undefined ? {} : { encodingAesKey: o.encodingAesKey }),
      appid: o.appid,
      timeoutMs: o.timeoutMs,
      nowSeconds: nowSeconds(),
      expectCode: s.expectCode,
      ...(s.tolerate === undefined ? {} : { tolerate: s.tolerate }),
    });
    this.checks.push(...judged.checks);
    return judged;
  }
}

/** The waybill of a reply that placed the order (ResultCode 0), else undefined. */
export const placedWaybill = (j: Judged): string | undefined => (j.value('ResultCode')?.trim() === '0' ? j.value('WayBillID') : undefined);
