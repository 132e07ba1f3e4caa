// The certification run: drive a carrier's push endpoint through every classic carrier event
// (events.md §3) as WeChat would, and judge each reply (judge-reply.ts, written from the spec).
import type { PushFormat, PushMode } from '../push/push-request.ts';
import { buildUrlCheck } from '../push/push-request.ts';
import { addWaybillEvent, cancelWaybillEvent, checkBizEvent, getQuotaEvent, PICKED_UP_REMARK } from './certify-events.ts';
import { CertifySession, digits, ORDERING_USER_OPENID, placedWaybill, type CertifyOptions } from './certify-session.ts';
import { exchange } from './http-exchange.ts';
import type { CheckResult, CheckStatus, Exchange } from './judge-reply.ts';
import { parseReplyBody } from './reply-body.ts';

export type { CertifyOptions } from './certify-session.ts';

export type CertifyReport = {
  ok: boolean;
  url: string;
  mode: PushMode;
  format: PushFormat;
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
};

/**
 * Run the whole certification against one carrier endpoint.
 * @example const report = await certifyCarrier({ url: 'http://127.0.0.1:8090/', token: 'T', mode: 'plain', format: 'xml', … });
 */
export async function certifyCarrier(o: CertifyOptions): Promise<CertifyReport> {
  const s = new CertifySession(o);
  await checkUrlVerification(s);
  const first = await checkAddWaybill(s);
  await checkRefusedOrders(s);
  await checkCancel(s, first);
  await checkCancelAfterPickup(s);
  await checkAccounts(s);
  await checkForgedPush(s);
  if (o.mode === 'plain')
    s.note(
      'SKIP',
      'secure round trip',
      'plain mode; run with --mode secure --aes-key KEY (or compatible) to check encrypted pushes and replies',
    );

  const summary: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const c of s.checks) summary[c.status] += 1;
  const ok = summary.FAIL === 0 && (!o.strict || summary.WARN === 0);
  return { ok, url: o.url, mode: o.mode, format: o.format, summary, checks: s.checks };
}

/**
 * §1.2: a signed GET must be answered with exactly `echostr`; a badly signed one should not.
 * The URL check is the generic 消息推送 one, and a carrier's endpoint is configured on that same
 * Mini Program page (provider-api.md §7, "Push endpoint"), so WeChat checks it there too.
 */
async function checkUrlVerification(s: CertifySession): Promise<void> {
  const { o } = s;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const echostr = digits(19);
  const get = (token: string) =>
    exchange({ method: 'GET', url: buildUrlCheck({ url: o.url, token, timestamp, nonce: digits(10), echostr }), timeoutMs: o.timeoutMs });
  const good = await get(o.token);
  if (good.kind !== 'answered')
    s.note('FAIL', 'URL verification', good.kind === 'timeout' ? `no answer within ${o.timeoutMs} ms` : `no answer: ${good.message}`);
  else if (good.status !== 200 || good.body !== echostr) {
    s.note(
      'FAIL',
      'URL verification',
      `HTTP ${good.status} ${JSON.stringify(good.body.slice(0, 60))}; the body must be exactly echostr ${echostr} (events.md §1.2)`,
    );
  } else s.note('PASS', 'URL verification', `echostr echoed in ${good.elapsedMs} ms`);

  const bad = await get(`${o.token}-forged`);
  const name = 'URL verification (forged signature)';
  if (bad.kind !== 'answered')
    s.note('SKIP', name, `no answer at all (${bad.kind === 'timeout' ? 'timeout' : bad.message}), so no refusal to judge`);
  else if (bad.body === echostr) s.note('WARN', name, 'echostr echoed for a wrong signature: the endpoint does not check signatures');
  else s.note('PASS', name, `refused (HTTP ${bad.status})`);
}

type FirstOrder = { orderId: string; waybillId?: string };

/** add_waybill with WayBillID "0", the same push again, and a WeChat-allocated WayBillID (§3.1). */
async function checkAddWaybill(s: CertifySession): Promise<FirstOrder> {
  const orderId = s.orderId('a');
  const push = addWaybillEvent(s.header(), s.account, { token: s.orderToken(), orderId, waybillId: '0' });
  const first = await s.step({ name: 'add_waybill', event: 'add_waybill', push, expectCode: 0 });
  const waybillId = placedWaybill(first);

  // The identical push again, as WeChat re-sends it on network trouble (§1.5, §3.1): same BizID + OrderID → same waybill.
  const repeat = await s.step({ name: 'add_waybill (repeat)', event: 'add_waybill', push, expectCode: 0 });
  const again = placedWaybill(repeat);
  const name = 'add_waybill (repeat) · same waybill';
  if (waybillId === undefined) s.note('FAIL', name, 'the first add_waybill placed no order to compare with');
  else if (again !== waybillId) {
    s.note(
      'FAIL',
      name,
      `got ${JSON.stringify(again ?? repeat.value('WayBillID') ?? null)}, first answer was ${waybillId}; the same BizID + OrderID must get the same waybill (§3.1)`,
    );
  } else if (repeat.value('WaybillData') !== first.value('WaybillData'))
    s.note('WARN', name, `${waybillId} again, but WaybillData changed`);
  else s.note('PASS', name, `${waybillId} again`);

  // A WayBillID allocated from WeChat's number segment must come back as pushed (§3.1).
  const allocated = s.o.waybillId ?? `9${digits(11)}`;
  await s.step({
    name: 'add_waybill (WeChat-allocated WayBillID)',
    event: 'add_waybill',
    push: addWaybillEvent(s.header(), s.account, { token: s.orderToken(), orderId: s.orderId('b'), waybillId: allocated }),
    expectCode: 0,
    tolerate: {
      20001:
        s.o.waybillId === undefined ? `refused the made-up number ${allocated}; pass --waybill-id with one from your segment` : 'refused',
    },
  });
  return waybillId === undefined ? { orderId } : { orderId, waybillId };
}

const otherCode = (c: number) => `another documented code; the table has ${c} for this case`;

/** §3.1: "Every field comes from the merchant unchecked, so the carrier must validate them." */
async function checkRefusedOrders(s: CertifySession): Promise<void> {
  const push = (tag: string, extra: Partial<Parameters<typeof addWaybillEvent>[2]>, account = s.account) =>
    addWaybillEvent(s.header(), account, { token: s.orderToken(), orderId: s.orderId(tag), waybillId: '0', ...extra });
  const wrongPwd = { ...s.account, bizPwd: `${s.account.bizPwd}-wrong` };
  await s.step({
    name: 'add_waybill (wrong password)',
    event: 'add_waybill',
    push: push('d', {}, wrongPwd),
    expectCode: 10002,
    tolerate: { 10001: otherCode(10002) },
  });
  await s.step({
    name: 'add_waybill (sender without phone)',
    event: 'add_waybill',
    push: push('e', { sender: { Tel: '', Mobile: '' } }),
    expectCode: 20002,
    tolerate: { 20003: otherCode(20002), [-1]: otherCode(20002) },
  });
  await s.step({
    name: 'add_waybill (receiver without address)',
    event: 'add_waybill',
    push: push('f', { receiver: { Address: '' } }),
    expectCode: 20004,
    tolerate: { 20005: otherCode(20004), [-1]: otherCode(20004) },
  });
}

/** cancel_waybill of the first order, then of one the carrier never saw (§3.2). */
async function checkCancel(s: CertifySession, first: FirstOrder): Promise<void> {
  const cancel = (orderId: string, waybillId: string) =>
    cancelWaybillEvent(s.header(ORDERING_USER_OPENID), s.account, { orderId, waybillId });
  if (first.waybillId === undefined) s.note('SKIP', 'cancel_waybill', 'needs the waybill of the first add_waybill');
  else await s.step({ name: 'cancel_waybill', event: 'cancel_waybill', push: cancel(first.orderId, first.waybillId), expectCode: 0 });
  await s.step({
    name: 'cancel_waybill (unknown order)',
    event: 'cancel_waybill',
    push: cancel(s.orderId('x'), `9${digits(11)}`),
    expectCode: 30001,
    tolerate: { 30003: otherCode(30001) },
  });
}

/**
 * Cancel after pickup must be refused with ResultCode 30002 (§3.2). WeChat has no event that picks a
 * parcel up, so the waybill comes from the PICKED_UP_REMARK convention or from --picked-up.
 */
async function checkCancelAfterPickup(s: CertifySession): Promise<void> {
  let target = s.o.pickedUp;
  if (target === undefined) {
    const orderId = s.orderId('c');
    const add = await s.step({
      name: 'add_waybill (picked-up convention)',
      event: 'add_waybill',
      push: addWaybillEvent(s.header(), s.account, { token: s.orderToken(), orderId, waybillId: '0', remark: PICKED_UP_REMARK }),
      expectCode: 0,
    });
    const waybillId = placedWaybill(add);
    if (waybillId === undefined) return s.note('SKIP', 'cancel_waybill (after pickup)', 'needs the waybill of the picked-up add_waybill');
    target = { orderId, waybillId };
  }
  const judged = await s.step({
    name: 'cancel_waybill (after pickup)',
    event: 'cancel_waybill',
    push: cancelWaybillEvent(s.header(ORDERING_USER_OPENID), s.account, target),
    expectCode: 30002,
  });
  const verdict = judged.checks.find((k) => k.name.endsWith('· ResultCode') && k.status === 'FAIL');
  if (verdict !== undefined && s.o.pickedUp === undefined) {
    verdict.detail += `; the waybill was asked for with Remark ${JSON.stringify(PICKED_UP_REMARK)}, which a test environment treats as picked up (or pass --picked-up ORDER_ID:WAYBILL_ID)`;
  }
}

/** check_biz approved and rejected (§3.3), get_quota (§3.4). */
async function checkAccounts(s: CertifySession): Promise<void> {
  // A carrier may deliberately not tell an unknown account from a wrong password; §3.3 does, so that is a warning.
  const vague = (other: number) => ({ [other]: `the spec's table has ${other === 10001 ? 10002 : 10001} for this case (events.md §3.3)` });
  const unknown = { ...s.account, bizId: `wxlcert_unknown_${s.runId}` };
  const wrongPwd = { ...s.account, bizPwd: `${s.account.bizPwd}-wrong` };
  await s.step({ name: 'check_biz (approved)', event: 'check_biz', push: checkBizEvent(s.header(), s.account), expectCode: 0 });
  await s.step({
    name: 'check_biz (unknown account)',
    event: 'check_biz',
    push: checkBizEvent(s.header(), unknown),
    expectCode: 10001,
    tolerate: vague(10002),
  });
  await s.step({
    name: 'check_biz (wrong password)',
    event: 'check_biz',
    push: checkBizEvent(s.header(), wrongPwd),
    expectCode: 10002,
    tolerate: vague(10001),
  });
  await s.step({ name: 'get_quota', event: 'get_quota', push: getQuotaEvent(s.header(), s.account), expectCode: 0 });
  await s.step({
    name: 'get_quota (wrong password)',
    event: 'get_quota',
    push: getQuotaEvent(s.header(), wrongPwd),
    expectCode: 10002,
    tolerate: vague(10001),
  });
}

/** A push signed with another token must not be served (§1.3: the signature is the only proof the push is WeChat's). */
async function checkForgedPush(s: CertifySession): Promise<void> {
  const x: Exchange = await s.send(getQuotaEvent(s.header(), s.account), `${s.o.token}-forged`);
  const name = 'forged signature · refused';
  // No answer at all cannot be told from a dead endpoint (the other steps report that).
  if (x.kind !== 'answered')
    return s.note('SKIP', name, `no answer at all (${x.kind === 'timeout' ? 'timeout' : x.message}), so no refusal to judge`);
  let served: boolean;
  try {
    served = parseReplyBody(x.body).fields.some((f) => /^(resultcode|encrypt)$/i.test(f.key));
  } catch {
    served = false;
  }
  if (served && x.status >= 200 && x.status < 300) {
    s.note(
      'WARN',
      name,
      'a push signed with a wrong token was answered: check signature (and msg_signature) before serving (events.md §1.3)',
    );
  } else s.note('PASS', name, `refused (HTTP ${x.status})`);
}
