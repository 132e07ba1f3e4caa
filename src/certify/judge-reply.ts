// Judging one push/reply exchange against events.md §1.4, §1.5 and §3. Pure (crypto aside):
// the driver hands in what it sent and what came back.
import type { WireObject } from '../core/push-events.ts';
import { findField, parseReplyBody, ReplyParseError, type ReplyBody, type ReplyField } from './reply-body.ts';
import { openReplyEnvelope } from './reply-envelope.ts';
import { parseWaybillData, REPLY_RULES, type CarrierEventName, type FieldType } from './reply-rules.ts';

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';
export type CheckResult = { status: CheckStatus; name: string; detail: string };

export type Exchange =
  | { kind: 'answered'; status: number; body: string; elapsedMs: number }
  | { kind: 'timeout'; elapsedMs: number }
  | { kind: 'error'; message: string; elapsedMs: number };

export type JudgeOptions = {
  /** Check-name prefix, e.g. `add_waybill (repeat)`. */
  step: string;
  event: CarrierEventName;
  /** The event as sent, before any encryption. */
  push: WireObject;
  format: 'xml' | 'json';
  mode: 'plain' | 'compatible' | 'secure';
  token: string;
  encodingAesKey?: string;
  appid: string;
  timeoutMs: number;
  nowSeconds: number;
  /** The ResultCode this step must get. */
  expectCode: number;
  /** ResultCodes that are acceptable with a warning, with the reason. */
  tolerate?: Readonly<Record<number, string>>;
};

export type Judged = { checks: CheckResult[]; reply?: ReplyBody; value: (name: string) => string | undefined };

// §3.0 CreateTime is "Unix s" of the reply, not an echo (the spec's examples reuse the push's value,
// which is the same second in practice); one far from now points to a clock or unit mistake.
const CREATE_TIME_SLACK_S = 300;

const pushValue = (push: WireObject, key: string): string | undefined => {
  const v = push[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
};

/** Judge one exchange; the checks come back in report order. */
export function judgeExchange(x: Exchange, o: JudgeOptions): Judged {
  const checks: CheckResult[] = [];
  const add = (status: CheckStatus, aspect: string, detail: string) => checks.push({ status, name: `${o.step} · ${aspect}`, detail });
  const none: Judged = { checks, value: () => undefined };

  const limit = `limit ${o.timeoutMs} ms (events.md §1.5)`;
  if (x.kind === 'timeout')
    return (add('FAIL', 'answered in time', `no answer within ${o.timeoutMs} ms; WeChat drops the connection after 5 s`), none);
  if (x.kind === 'error') return (add('FAIL', 'answered in time', `no answer: ${x.message}`), none);
  add('PASS', 'answered in time', `HTTP ${x.status} in ${x.elapsedMs} ms, ${limit}`);
  if (x.status < 200 || x.status > 299) {
    return (add('FAIL', 'HTTP status', `HTTP ${x.status} ${JSON.stringify(x.body.slice(0, 60))}; WeChat needs a 200 with the reply`), none);
  }

  let reply: ReplyBody;
  try {
    reply = parseReplyBody(x.body);
  } catch (err: unknown) {
    if (!(err instanceof ReplyParseError)) throw err;
    // §1.5's `success` / empty opt-out is for merchant events; carrier events need a structured reply (§3).
    const optOut =
      x.body === '' || x.body === 'success'
        ? "; `success` or an empty body is the merchant events' opt-out, a carrier event needs the structured reply of §3"
        : '';
    return (add('FAIL', 'reply parses', `${err.message}; body ${JSON.stringify(x.body.slice(0, 80))}${optOut}`), none);
  }

  const opened =
    o.mode === 'plain' || o.encodingAesKey === undefined
      ? undefined
      : openReplyEnvelope(reply, { token: o.token, encodingAesKey: o.encodingAesKey, appid: o.appid });
  if (opened === undefined) {
    if (findField(reply, 'Encrypt') !== undefined)
      return (add('FAIL', 'encrypted reply', 'an encrypted reply to a plain push (the push had no encrypt_type=aes)'), none);
  } else if (!opened.encrypted) {
    // §3.0: whether WeChat wants the structured reply encrypted is undocumented; a plain one is read.
    add(
      'WARN',
      'encrypted reply',
      'the reply is plain; WeChat documents no rule for encrypting carrier replies (events.md §3.0), wxlogistics accepts both',
    );
  } else if (!opened.ok) {
    return (add('FAIL', 'encrypted reply', opened.problem), none);
  } else {
    add('PASS', 'encrypted reply', 'MsgSignature verifies, Encrypt decrypts to the carrier appid (events.md §1.4)');
    try {
      reply = parseReplyBody(opened.plaintext);
    } catch (err: unknown) {
      if (!(err instanceof ReplyParseError)) throw err;
      return (add('FAIL', 'reply parses', `decrypted reply: ${err.message}`), none);
    }
  }

  const value = (name: string) => findField(reply, name)?.value;
  judgeShape(reply, o, add);
  judgeResultCode(reply, o, add);
  if (o.event === 'add_waybill') judgeWaybill(reply, o, add);
  return { checks, reply, value };
}

type Add = (status: CheckStatus, aspect: string, detail: string) => void;

function judgeShape(reply: ReplyBody, o: JudgeOptions, add: Add): void {
  const rule = REPLY_RULES[o.event];
  if (reply.format !== o.format)
    add('FAIL', 'format', `a ${reply.format.toUpperCase()} reply to a ${o.format.toUpperCase()} push; §3.0 wants the push's data format`);
  else if (reply.format === 'xml' && reply.root !== 'xml')
    add(
      'FAIL',
      'format',
      `XML root <${reply.root}>; §3.0 shows <xml>…</xml> (wxlogistics accepts any root, WeChat's tolerance is unknown)`,
    );
  else add('PASS', 'format', reply.format === 'xml' ? 'XML <xml>…</xml>' : 'JSON object');

  const names = Object.keys(rule.fields);
  const missing = names.filter((n) => findField(reply, n) === undefined);
  if (missing.length > 0) add('FAIL', 'required fields', `missing ${missing.join(', ')}`);
  else add('PASS', 'required fields', names.join(', '));

  const miscased = names.flatMap((n) => {
    const f = findField(reply, n);
    return f !== undefined && f.key !== n ? [`${f.key} (should be ${n})`] : [];
  });
  // §3.0 "Field casing: PascalCase, exactly as in the tables" is verified; WeChat's tolerance is not.
  if (miscased.length > 0)
    add(
      'FAIL',
      'field casing',
      `${miscased.join(', ')}; §3.0/§3.5 casing is exact (wxlogistics reads keys case-insensitively, WeChat may not)`,
    );
  else add('PASS', 'field casing', 'exactly as events.md §3.5');

  const errors: string[] = [];
  const warnings: string[] = [];
  for (const [n, type] of Object.entries(rule.fields)) {
    const f = findField(reply, n);
    if (f !== undefined) typeProblem(f, type, errors, warnings);
  }
  const quota = findField(reply, 'Quota');
  if (quota !== undefined && 'Quota' in rule.fields && Number(quota.value) < 0) errors.push(`Quota ${quota.value} is negative`);
  if (errors.length > 0) add('FAIL', 'types', errors.join('; '));
  else if (warnings.length > 0) add('WARN', 'types', warnings.join('; '));
  else add('PASS', 'types', 'numbers bare, ids strings (events.md §3.0)');

  const problems: string[] = [];
  let drift: string | undefined;
  const expectHeader: [string, string | undefined][] = [
    ['ToUserName', pushValue(o.push, 'FromUserName')],
    ['FromUserName', pushValue(o.push, 'ToUserName')],
    ['MsgType', 'event'],
  ];
  for (const [n, want] of expectHeader) {
    const got = findField(reply, n)?.value;
    if (got !== undefined && got !== want) problems.push(`${n} ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  const event = findField(reply, 'Event')?.value;
  if (event !== undefined && event.toLowerCase() !== o.event) problems.push(`Event ${JSON.stringify(event)}, expected ${o.event}`);
  const created = findField(reply, 'CreateTime')?.value;
  if (created !== undefined && /^-?\d+$/.test(created.trim()) && Math.abs(Number(created) - o.nowSeconds) > CREATE_TIME_SLACK_S) {
    drift = `CreateTime ${created} is ${Number(created) - o.nowSeconds} s from now (Unix seconds expected)`;
  }
  if (problems.length > 0) add('FAIL', 'header', problems.join('; '));
  else if (drift !== undefined) add('WARN', 'header', drift);
  else add('PASS', 'header', 'ToUserName/FromUserName swapped from the push, MsgType event, Event echoed');

  const wrong = rule.echoes.flatMap((n) => {
    const got = findField(reply, n)?.value;
    const want = pushValue(o.push, n);
    return got !== undefined && got !== want ? [`${n} ${JSON.stringify(got)}, pushed ${JSON.stringify(want)}`] : [];
  });
  if (wrong.length > 0) add('FAIL', 'echoes', wrong.join('; '));
  else add('PASS', 'echoes', rule.echoes.join(', '));
}

function typeProblem(f: ReplyField, type: FieldType, errors: string[], warnings: string[]): void {
  if (type === 'string') {
    const fine = f.kind === 'string' || f.kind === 'xml-cdata' || f.kind === 'xml-text';
    if (!fine) errors.push(`${f.key} is a ${f.kind}, not a string`);
    return;
  }
  const numeric = type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
  const noun = type === 'integer' ? 'an integer' : 'a number';
  if (f.kind === 'number' || f.kind === 'xml-text') {
    if (!numeric.test(f.value.trim())) errors.push(`${f.key} ${JSON.stringify(f.value)} is not ${noun}`);
  } else if (f.kind === 'xml-cdata' && numeric.test(f.value.trim())) {
    warnings.push(`${f.key} in CDATA; §3.0 prints numbers as bare text`);
  } else {
    errors.push(`${f.key} is a ${f.kind === 'xml-cdata' ? 'CDATA string' : f.kind} ${JSON.stringify(f.value)}, not ${noun}`);
  }
}

function judgeResultCode(reply: ReplyBody, o: JudgeOptions, add: Add): void {
  const { codes } = REPLY_RULES[o.event];
  const raw = findField(reply, 'ResultCode')?.value;
  if (raw === undefined) return add('FAIL', 'ResultCode', 'no ResultCode');
  const code = Number(raw.trim());
  const msg = findField(reply, 'ResultMsg')?.value ?? '';
  const meaning = (c: number) => (codes[c] === undefined ? 'undocumented' : codes[c]);
  const got = `${code} (${meaning(code)})${msg === '' ? '' : `, ResultMsg ${JSON.stringify(msg)}`}`;
  if (!Number.isInteger(code) || codes[code] === undefined) {
    return add('FAIL', 'ResultCode', `${raw} is not in the ${o.event} table (${Object.keys(codes).join(', ')})`);
  }
  if (code === o.expectCode) return add('PASS', 'ResultCode', got);
  const tolerated = o.tolerate?.[code];
  if (tolerated !== undefined) return add('WARN', 'ResultCode', `${got}: ${tolerated}`);
  add('FAIL', 'ResultCode', `expected ${o.expectCode} (${meaning(o.expectCode)}), got ${got}`);
}

function judgeWaybill(reply: ReplyBody, o: JudgeOptions, add: Add): void {
  const code = Number(findField(reply, 'ResultCode')?.value);
  const data = findField(reply, 'WaybillData')?.value;
  if (data === undefined) add('FAIL', 'WaybillData grammar', 'no WaybillData (required, §3.1)');
  else {
    const parsed = parseWaybillData(data);
    if (!parsed.ok) add('FAIL', 'WaybillData grammar', `${JSON.stringify(data)} ${parsed.problem}; expected ##key##value##…`);
    else
      add(
        'PASS',
        'WaybillData grammar',
        parsed.pairs.length === 0 ? '## (no pairs)' : parsed.pairs.map((p) => `${p.key}=${p.value}`).join(', '),
      );
  }
  if (code !== 0) return;
  const got = findField(reply, 'WayBillID')?.value;
  const pushed = pushValue(o.push, 'WayBillID');
  if (got === undefined) return;
  if (pushed !== undefined && pushed !== '0') {
    if (got === pushed) add('PASS', 'WayBillID', `the WeChat-allocated ${pushed} echoed`);
    else add('FAIL', 'WayBillID', `${JSON.stringify(got)}; the push allocated ${pushed}, which must come back (§3.1)`);
  } else if (got.trim() === '' || got === '0') {
    add('FAIL', 'WayBillID', `${JSON.stringify(got)}; WayBillID "0" asks the carrier to allocate one (§3.1)`);
  } else {
    add('PASS', 'WayBillID', `carrier allocated ${got}`);
  }
}
