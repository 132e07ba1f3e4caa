// The certification run: drive a carrier's push endpoint through every classic carrier event
// (events.md §3) as WeChat would, and judge each reply. Pushes are signed and encrypted with the
// same code wxlogistics uses for real pushes (src/push); replies are judged by judge-reply.ts.
import { randomBytes, randomInt } from 'node:crypto';
import type { WireObject } from '../core/push-events.ts';
import { buildPushRequest, buildUrlCheck, type PushFormat, type PushMode } from '../push/push-request.ts';
import { addWaybillEvent, cancelWaybillEvent, checkBizEvent, getQuotaEvent, PICKED_UP_REMARK, type Account, type Header } from './certify-events.ts';
import { exchange } from './http-exchange.ts';
import { judgeExchange, type CheckResult, type CheckStatus, type Judged } from './judge-reply.ts';
import { parseReplyBody } from './reply-body.ts';
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

export type CertifyReport = {
  ok: boolean;
  url: string;
  mode: PushMode;
  format: PushFormat;
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
};

// events.md §3.1–§3.4: the classic pushes come from "the WeChat team" (a fixed OpenID the docs do
// not print), except cancel_waybill, which comes from the ordering user's OpenID (§3.2).
export const WECHAT_TEAM_OPENID = 'oWeChatLogisticsTeam0000000';
export const ORDERING_USER_OPENID = 'oCertifyOrderingUser0000000';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/**
 * Run the whole certification against one carrier endpoint.
 * @example const report = await certifyCarrier({ url: 'http://127.0.0.1:8090/', token: 'T', mode: 'plain', format: 'xml', … });
 */
export async function certifyCarrier(o: CertifyOptions): Promise<CertifyReport> {
  const checks: CheckResult[] = [];
  const note = (status: CheckStatus, name: string, detail: string) => checks.push({ status, name, detail });
  const account: Account = { bizId: o.bizId, bizPwd: o.bizPwd, shopAppId: o.shopAppId };
  const nowS = () => Math.floor(Date.now() / 1000);
  const header = (fromUserName = WECHAT_TEAM_OPENID): Header => ({ toUserName: o.username, fromUserName, createTime: nowS() });
  const run = randomBytes(4).toString('hex');
  const orderId = (tag: string) => `wxlcert-${run}-${tag}`;
  const orderToken = () => randomBytes(8).toString('hex').toUpperCase();

  const send = async (step: string, event: CarrierEventName, push: WireObject, expectCode: number, tolerate?: Record<number, string>, token = o.token) => {
    const req = buildPushRequest({
      url: o.url,
      token,
      ...(o.encodingAesKey === undefined ? {} : { encodingAesKey: o.encodingAesKey }),
      mode: o.mode,
      format: o.format,
      appid: o.appid,
      toUserName: o.username,
      event: push,
      timestamp: String(nowS()),
      nonce: digits(10),
    });
    const x = await exchange({ method: 'POST', url: req.url, body: req.body, contentType: req.contentType, timeoutMs: o.timeoutMs });
    return {
      x,
      judged: judgeExchange(x, {
        step,
        event,
        push,
        format: o.format,
        mode: o.mode,
        token: o.token,
        ...(o.encodingAesKey === undefined ? {} : { encodingAesKey: o.encodingAesKey }),
        appid: o.appid,
        timeoutMs: o.timeoutMs,
        nowSeconds: nowS(),
        expectCode,
        ...(tolerate === undefined ? {} : { tolerate }),
      }),
    };
  };
  const step: Step = async (name, event, push, expectCode, tolerate) => {
    const { judged } = await send(name, event, push, expectCode, tolerate);
    checks.push(...judged.checks);
    return judged;
  };
  const placed = (j: Judged) => (j.value('ResultCode')?.trim() === '0' ? j.value('WayBillID') : undefined);

  await checkUrlVerification(o, note);

  // add_waybill with WayBillID "0": the carrier allocates (§3.1).
  const orderA = orderId('a');
  const addA = addWaybillEvent(header(), account, { token: orderToken(), orderId: orderA, waybillId: '0' });
  const first = await step('add_waybill', 'add_waybill', addA, 0);
  const waybillA = placed(first);

  // The same push again, as WeChat re-sends it on network trouble (§1.5, §3.1): same BizID + OrderID → same waybill.
  const repeat = await step('add_waybill (repeat)', 'add_waybill', addA, 0);
  const repeatWaybill = placed(repeat);
  if (waybillA === undefined) note('FAIL', 'add_waybill (repeat) · same waybill', 'the first add_waybill placed no order to compare with');
  else if (repeatWaybill === waybillA) {
    const sameData = repeat.value('WaybillData') === first.value('WaybillData');
    note(sameData ? 'PASS' : 'WARN', 'add_waybill (repeat) · same waybill', sameData ? `${waybillA} again` : `${waybillA} again, but WaybillData changed`);
  } else note('FAIL', 'add_waybill (repeat) · same waybill', `got ${JSON.stringify(repeatWaybill ?? repeat.value('WayBillID') ?? null)}, first answer was ${waybillA}; the same BizID + OrderID must get the same waybill (§3.1)`);

  // A WayBillID allocated from WeChat's number segment must come back as pushed (§3.1).
  const allocated = o.waybillId ?? `9${digits(11)}`;
  await step('add_waybill (WeChat-allocated WayBillID)', 'add_waybill', addWaybillEvent(header(), account, { token: orderToken(), orderId: orderId('b'), waybillId: allocated }), 0, {
    20001: o.waybillId === undefined ? `refused the made-up number ${allocated}; pass --waybill-id with one from your segment` : 'refused',
  });

  // §3.1: "Every field comes from the merchant unchecked, so the carrier must validate them."
  const otherCode = (c: number) => `another documented code; §3.1 has ${c} for this case`;
  const add = (tag: string, extra: Partial<Parameters<typeof addWaybillEvent>[2]>, acc = account) =>
    addWaybillEvent(header(), acc, { token: orderToken(), orderId: orderId(tag), waybillId: '0', ...extra });
  await step('add_waybill (wrong password)', 'add_waybill', add('d', {}, { ...account, bizPwd: `${account.bizPwd}-wrong` }), 10002, { 10001: otherCode(10002) });
  await step('add_waybill (sender without phone)', 'add_waybill', add('e', { sender: { Tel: '', Mobile: '' } }), 20002, { 20003: otherCode(20002), [-1]: otherCode(20002) });
  await step('add_waybill (receiver without address)', 'add_waybill', add('f', { receiver: { Address: '' } }), 20004, { 20005: otherCode(20004), [-1]: otherCode(20004) });

  if (waybillA === undefined) note('SKIP', 'cancel_waybill', 'needs the waybill of the first add_waybill');
  else await step('cancel_waybill', 'cancel_waybill', cancelWaybillEvent(header(ORDERING_USER_OPENID), account, { orderId: orderA, waybillId: waybillA }), 0);

  await step('cancel_waybill (unknown order)', 'cancel_waybill', cancelWaybillEvent(header(ORDERING_USER_OPENID), account, { orderId: orderId('x'), waybillId: `9${digits(11)}` }), 30001, {
    30003: otherCode(30001),
  });

  await checkCancelAfterPickup(o, account, { step, note, header, orderToken, orderId: orderId('c'), placed });

  await step('check_biz (approved)', 'check_biz', checkBizEvent(header(), account), 0);
  // A carrier may deliberately not tell an unknown account from a wrong password; §3.3 does, so that is a warning.
  const vague = (other: number) => ({ [other]: `the spec's table has ${other === 10001 ? 10002 : 10001} for this case (events.md §3.3)` });
  await step('check_biz (unknown account)', 'check_biz', checkBizEvent(header(), { ...account, bizId: `wxlcert_unknown_${run}` }), 10001, vague(10002));
  await step('check_biz (wrong password)', 'check_biz', checkBizEvent(header(), { ...account, bizPwd: `${account.bizPwd}-wrong` }), 10002, vague(10001));
  await step('get_quota', 'get_quota', getQuotaEvent(header(), account), 0);
  await step('get_quota (wrong password)', 'get_quota', getQuotaEvent(header(), { ...account, bizPwd: `${account.bizPwd}-wrong` }), 10002, vague(10001));

  // A push signed with another token must not be served (§1.3: the signature is the only proof the push is WeChat's).
  const forged = await send('forged signature', 'get_quota', getQuotaEvent(header(), account), 0, undefined, `${o.token}-forged`);
  note(...forgedVerdict(forged.x));

  if (o.mode === 'plain') note('SKIP', 'secure round trip', 'plain mode; run with --mode secure --aes-key KEY (or compatible) to check encrypted pushes and replies');

  const summary: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const c of checks) summary[c.status] += 1;
  const ok = summary.FAIL === 0 && (!o.strict || summary.WARN === 0);
  return { ok, url: o.url, mode: o.mode, format: o.format, summary, checks };
}

type Step = (step: string, event: CarrierEventName, push: WireObject, expectCode: number, tolerate?: Record<number, string>) => Promise<Judged>;
type Note = (status: CheckStatus, name: string, detail: string) => void;

/**
 * §1.2: a signed GET must be answered with exactly `echostr`; a badly signed one should not.
 * The URL check is the generic 消息推送 one, and a carrier's endpoint is configured on that same
 * Mini Program page (provider-api.md §7, "Push endpoint"), so WeChat checks it there too.
 */
async function checkUrlVerification(o: CertifyOptions, note: Note): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const echostr = digits(19);
  const good = await exchange({ method: 'GET', url: buildUrlCheck({ url: o.url, token: o.token, timestamp, nonce: digits(10), echostr }), timeoutMs: o.timeoutMs });
  if (good.kind !== 'answered') note('FAIL', 'URL verification', good.kind === 'timeout' ? `no answer within ${o.timeoutMs} ms` : `no answer: ${good.message}`);
  else if (good.status !== 200 || good.body !== echostr) note('FAIL', 'URL verification', `HTTP ${good.status} ${JSON.stringify(good.body.slice(0, 60))}; the body must be exactly echostr ${echostr} (events.md §1.2)`);
  else note('PASS', 'URL verification', `echostr echoed in ${good.elapsedMs} ms`);

  const bad = await exchange({ method: 'GET', url: buildUrlCheck({ url: o.url, token: `${o.token}-forged`, timestamp, nonce: digits(10), echostr }), timeoutMs: o.timeoutMs });
  if (bad.kind === 'answered' && bad.body === echostr) note('WARN', 'URL verification (forged signature)', 'echostr echoed for a wrong signature: the endpoint does not check signatures');
  else note('PASS', 'URL verification (forged signature)', bad.kind === 'answered' ? `refused (HTTP ${bad.status})` : 'refused');
}

function forgedVerdict(x: Awaited<ReturnType<typeof exchange>>): [CheckStatus, string, string] {
  const name = 'forged signature · refused';
  if (x.kind !== 'answered') return ['PASS', name, 'no reply to a push with a wrong signature'];
  let served = false;
  try {
    const body = parseReplyBody(x.body);
    served = body.fields.some((f) => /^(resultcode|encrypt)$/i.test(f.key));
  } catch {
    served = false;
  }
  return served && x.status >= 200 && x.status < 300
    ? ['WARN', name, 'a push signed with a wrong token was answered: check signature (and msg_signature) before serving (events.md §1.3)']
    : ['PASS', name, `refused (HTTP ${x.status})`];
}

type PickupContext = {
  step: Step;
  note: Note;
  header: (from?: string) => Header;
  orderToken: () => string;
  orderId: string;
  placed: (j: Judged) => string | undefined;
};

/**
 * Cancel after pickup must be refused with ResultCode 30002 (§3.2). WeChat has no event that picks a
 * parcel up, so the waybill comes from the PICKED_UP_REMARK convention or from --picked-up.
 */
async function checkCancelAfterPickup(o: CertifyOptions, account: Account, c: PickupContext): Promise<void> {
  let target = o.pickedUp;
  if (target === undefined) {
    const add = await c.step(
      'add_waybill (picked-up convention)',
      'add_waybill',
      addWaybillEvent(c.header(), account, { token: c.orderToken(), orderId: c.orderId, waybillId: '0', remark: PICKED_UP_REMARK }),
      0,
    );
    const waybill = c.placed(add);
    if (waybill === undefined) return c.note('SKIP', 'cancel_waybill (after pickup)', 'needs the waybill of the picked-up add_waybill');
    target = { orderId: c.orderId, waybillId: waybill };
  }
  const judged = await c.step('cancel_waybill (after pickup)', 'cancel_waybill', cancelWaybillEvent(c.header(ORDERING_USER_OPENID), account, target), 30002);
  const verdict = judged.checks.find((k) => k.name.endsWith('· ResultCode') && k.status === 'FAIL');
  if (verdict !== undefined && o.pickedUp === undefined) {
    verdict.detail += `; the waybill was asked for with Remark ${JSON.stringify(PICKED_UP_REMARK)}, which a test environment treats as picked up (or pass --picked-up ORDER_ID:WAYBILL_ID)`;
  }
}
