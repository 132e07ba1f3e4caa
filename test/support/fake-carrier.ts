/**
 * A carrier's server (快递公司/运力方) as events.md §3 describes it: a real node:http
 * server on 127.0.0.1 that checks WeChat's signature (and in compatible/secure mode
 * verifies msg_signature and decrypts), reads add_waybill / cancel_waybill / check_biz /
 * get_quota in XML or JSON, and answers with the structured reply. Written from the spec
 * on node:crypto, deliberately NOT importing src/ (the sender is checked against an
 * independent reading; the receiver checks come from test/push-support).
 *
 * Like a well-behaved carrier it gives the same waybill for the same BizID + OrderID
 * (§3.1 "may be delivered more than once"). Tests steer it per event: ResultCode,
 * reply format, casing, XML root, encryption, delay, garbage.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyPlain, verifySecure } from '../push-support/wechat-receiver-crypto.ts';

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

/** A tiny XML reader for the pushes: nested elements, repeated ones as arrays, CDATA unwrapped. */
export function readXml(xml: string): XmlObject {
  const inner = xml
    .trim()
    .replace(/^<xml>/, '')
    .replace(/<\/xml>$/, '');
  return readChildren(inner) as XmlObject;
}

function readChildren(s: string): XmlValue {
  const re = /<([A-Za-z_][\w]*)>([\s\S]*?)<\/\1>/g;
  if (!/^\s*<[A-Za-z_]/.test(s)) return s.replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1');
  const out: XmlObject = {};
  for (const m of s.matchAll(re)) {
    const value = readChildren(m[2]!);
    const prior = out[m[1]!];
    out[m[1]!] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

export interface ReceivedEvent {
  query: URLSearchParams;
  body: string;
  contentType: string | undefined;
  format: 'xml' | 'json';
  encrypted: boolean;
  /** The signature checks passed (plain signature; in compatible/secure mode also msg_signature + decrypt). */
  verified: boolean;
  verifyError?: string;
  /** The event's fields (decrypted). XML values are strings; JSON keeps its types. */
  event: Record<string, any>;
  at: number;
}

/** What to do with one event. */
export interface Plan {
  resultCode?: number;
  resultMsg?: string;
  /** Override reply fields (e.g. a wrong Token echo, a bad WaybillData). */
  fields?: Record<string, unknown>;
  /** Reply format (default: the push's). */
  format?: 'xml' | 'json';
  /** Encrypt the reply in the §1.4 envelope (default: when the push was encrypted and `encryptReplies`). */
  encrypt?: boolean;
  /** Break the MsgSignature of an encrypted reply. */
  badSignature?: boolean;
  lowercaseKeys?: boolean;
  xmlRoot?: string;
  /** Hold the reply this long (ms). */
  delayMs?: number;
  /** Answer this raw body instead. */
  raw?: string;
  status?: number;
  /** Destroy the connection without an answer. */
  hangUp?: boolean;
}

export interface FakeCarrierOptions {
  token: string;
  encodingAesKey?: string;
  /** The carrier's own appid (trailer of encrypted messages). */
  appid: string;
  /** Carrier's waybill prefix when it allocates (WayBillID "0"). */
  prefix?: string;
  encryptReplies?: boolean;
}

export interface FakeCarrier {
  url: string;
  received: ReceivedEvent[];
  /** Per-event plan; the function form sees the event. */
  plans: Record<string, Plan | ((e: ReceivedEvent) => Plan)>;
  /** Waybills it allocated, by BizID + OrderID. */
  waybills: Map<string, string>;
  options: FakeCarrierOptions;
  /** Release replies held by `delayMs: Infinity`. */
  release(): void;
  of(event: string): ReceivedEvent[];
  close(): Promise<void>;
}

const pad32 = (b: Buffer): Buffer => {
  const n = 32 - (b.length % 32);
  return Buffer.concat([b, Buffer.alloc(n, n)]);
};

/** §1.4 encrypt, written here on node:crypto. */
export function encryptFor(encodingAesKey: string, plaintext: string, appid: string): string {
  const key = Buffer.from(encodingAesKey + '=', 'base64');
  const msg = Buffer.from(plaintext, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const body = pad32(Buffer.concat([randomBytes(16), len, msg, Buffer.from(appid)]));
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([c.update(body), c.final()]).toString('base64');
}

const sha1 = (parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex');

const cdata = (v: unknown) => (typeof v === 'number' ? String(v) : `<![CDATA[${String(v)}]]>`);
function toXml(fields: Record<string, unknown>, root = 'xml'): string {
  return `<${root}>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
    .join('')}</${root}>`;
}

/** The spec's reply fields for one event (§3.1–§3.4), before the plan's overrides. */
function replyFields(c: FakeCarrier, e: ReceivedEvent, plan: Plan): Record<string, unknown> {
  const ev = e.event;
  const name = String(ev.Event);
  const head = {
    ToUserName: ev.FromUserName,
    FromUserName: ev.ToUserName,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: name,
  };
  const rc = plan.resultCode ?? 0;
  const msg = plan.resultMsg ?? (rc === 0 ? 'success' : 'failed');
  if (name === 'add_waybill') {
    const key = `${ev.BizID}\u0000${ev.OrderID}`;
    let waybill = c.waybills.get(key);
    if (rc === 0 && waybill === undefined) {
      waybill =
        String(ev.WayBillID) !== '0' ? String(ev.WayBillID) : `${c.options.prefix ?? 'FC'}${String(c.waybills.size + 1).padStart(10, '0')}`;
      c.waybills.set(key, waybill);
    }
    const city = String(ev.Receiver?.City ?? '');
    return {
      ...head,
      Token: ev.Token,
      OrderID: ev.OrderID,
      BizID: ev.BizID,
      WayBillID: rc === 0 ? waybill : '',
      ResultCode: rc,
      ResultMsg: msg,
      WaybillData: rc === 0 ? `##ACME_bagAddr##${city.replace(/市$/, '')}##ACME_mark##123-456-789##` : '',
    };
  }
  if (name === 'cancel_waybill')
    return { ...head, BizID: ev.BizID, OrderID: ev.OrderID, WayBillID: ev.WayBillID, ResultCode: rc, ResultMsg: msg };
  return { ...head, BizID: ev.BizID, ResultCode: rc, ResultMsg: msg, Quota: name === 'get_quota' ? 42 : 100 };
}

export async function startFakeCarrier(options: FakeCarrierOptions): Promise<FakeCarrier> {
  const held: (() => void)[] = [];
  const c: FakeCarrier = {
    url: '',
    received: [],
    plans: {},
    waybills: new Map(),
    options,
    release: () => held.splice(0).forEach((f) => f()),
    of: (event) => c.received.filter((r) => r.event.Event === event),
    close: () =>
      new Promise((resolve) => {
        c.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const format = body.trimStart().startsWith('<') ? 'xml' : 'json';
      const encrypted = query.get('encrypt_type') === 'aes';
      const r: ReceivedEvent = {
        query,
        body,
        contentType: req.headers['content-type'],
        format,
        encrypted,
        verified: false,
        event: {},
        at: Date.now(),
      };
      try {
        const plaintext = encrypted ? verifySecure(query, body, options.token, options.encodingAesKey ?? '', options.appid) : body;
        if (!encrypted && !verifyPlain(query, options.token)) throw new Error('signature mismatch');
        r.verified = true;
        r.event = format === 'xml' ? readXml(plaintext) : JSON.parse(plaintext);
      } catch (e) {
        r.verifyError = e instanceof Error ? e.message : String(e);
      }
      c.received.push(r);
      if (!r.verified) return void res.writeHead(401).end('bad signature');
      const p = c.plans[String(r.event.Event)];
      const plan: Plan = typeof p === 'function' ? p(r) : (p ?? {});
      const send = () => {
        if (plan.hangUp) return void req.socket.destroy();
        if (plan.raw !== undefined) return void res.writeHead(plan.status ?? 200).end(plan.raw);
        let fields = { ...replyFields(c, r, plan), ...plan.fields };
        if (plan.lowercaseKeys) fields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
        const fmt = plan.format ?? format;
        const text = fmt === 'xml' ? toXml(fields, plan.xmlRoot) : JSON.stringify(fields);
        let out = text;
        if (plan.encrypt ?? (encrypted && options.encryptReplies)) {
          const encrypt = encryptFor(options.encodingAesKey ?? '', text, options.appid);
          const ts = String(Math.floor(Date.now() / 1000));
          const nonce = String(Math.floor(Math.random() * 1e9));
          const sig = plan.badSignature ? '0'.repeat(40) : sha1([options.token, ts, nonce, encrypt]);
          const env = { Encrypt: encrypt, MsgSignature: sig, TimeStamp: Number(ts), Nonce: nonce };
          out = fmt === 'xml' ? toXml(env) : JSON.stringify(env);
        }
        res.writeHead(plan.status ?? 200, { 'content-type': fmt === 'xml' ? 'text/xml' : 'application/json' }).end(out);
      };
      if (plan.delayMs === Infinity) held.push(send);
      else if (plan.delayMs) setTimeout(send, plan.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wx/carrier`;
  return c;
}
