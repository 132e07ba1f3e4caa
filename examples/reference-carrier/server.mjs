#!/usr/bin/env node
// A reference carrier (运力方) push endpoint for WeChat's Logistics Assistant: the four classic
// e-waybill events add_waybill, cancel_waybill, check_biz and get_quota, in XML or JSON, in plain,
// compatible or secure mode. Plain Node (node:http, node:crypto), no dependencies: copy it and
// replace the in-memory maps with your own order system.
//
//   node examples/reference-carrier/server.mjs --port 8090 --token T [--aes-key K] [--mode plain|compatible|secure] [--format xml|json]
//
// See README.md next to this file for every option and the certification command.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** A waybill whose add_waybill Remark carries this marker is treated as picked up at once (the certification's convention). */
export const PICKED_UP_REMARK = 'wxlogistics-certify:picked-up';

// ---------------------------------------------------------------- signatures and encryption
// Message push spec: signature = sha1(sort(Token, timestamp, nonce)); msg_signature adds Encrypt.
const sha1Sorted = (parts) =>
  createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');

function aesKeyOf(encodingAesKey) {
  if (!/^[a-zA-Z0-9]{43}$/.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 characters of [a-zA-Z0-9]');
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

// AES-256-CBC, IV = key[0..16), plaintext random16 ‖ len (4 bytes BE) ‖ msg ‖ appid, PKCS#7 with block 32.
function encrypt(key, text, appid) {
  const msg = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appid, 'utf8')]);
  const pad = 32 - (body.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

function decrypt(key, b64, appid) {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(b64, 'base64')), decipher.final()]);
  const pad = plain[plain.length - 1];
  if (!(pad >= 1 && pad <= 32)) throw new Error('bad padding');
  const content = plain.subarray(16, plain.length - pad);
  const len = content.readUInt32BE(0);
  if (content.subarray(4 + len).toString('utf8') !== appid) throw new Error('appid mismatch');
  return content.subarray(4, 4 + len).toString('utf8');
}

// ---------------------------------------------------------------- XML and JSON bodies
// Enough XML for WeChat's pushes: nested elements, repeated ones (DetailList) become arrays, CDATA or text.
function parseXml(xml) {
  const body = xml.replace(/^\s*<\?xml[\s\S]*?\?>/, '').trim();
  const root = /^<([A-Za-z_][\w.-]*)>([\s\S]*)<\/\1>$/.exec(body);
  if (!root) throw new Error('not an XML document');
  return parseChildren(root[2]);
}

function parseChildren(inner) {
  const out = {};
  const re = /<([A-Za-z_][\w.-]*)>((?:<!\[CDATA\[[\s\S]*?\]\]>|[\s\S])*?)<\/\1>|<([A-Za-z_][\w.-]*)\s*\/>/g;
  let found = false;
  for (const m of inner.matchAll(re)) {
    found = true;
    const name = m[1] ?? m[3];
    const content = m[2] ?? '';
    const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(content);
    const value = cdata ? cdata[1] : /<[A-Za-z_]/.test(content) ? parseChildren(content) : unescapeXml(content);
    if (name in out) out[name] = [].concat(out[name], [value]);
    else out[name] = value;
  }
  return found ? out : unescapeXml(inner);
}

const unescapeXml = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cdata = (s) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

// Replies: strings in CDATA, numbers bare; Token bare as in WeChat's own example.
function toXml(obj) {
  const el = ([k, v]) => `<${k}>${typeof v === 'number' ? v : k === 'Token' ? escapeXml(v) : cdata(v)}</${k}>`;
  return `<xml>${Object.entries(obj).map(el).join('')}</xml>`;
}

const serialise = (format, obj) => (format === 'xml' ? toXml(obj) : JSON.stringify(obj));
const parseBody = (format, text) => (format === 'xml' ? parseXml(text) : JSON.parse(text));
const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

// ---------------------------------------------------------------- the carrier's business
// One in-memory "order system". A real carrier keeps this in its database, keyed the same way:
// the spec requires that the same BizID + OrderID always gets the same waybill back.
function createCarrierState(accounts) {
  const orders = new Map(); // `${BizID}\n${OrderID}` → { waybillId, waybillData, status }
  let sequence = 0;

  const account = (ev) => {
    const a = accounts.get(str(ev.BizID));
    if (!a) return { code: 10001, msg: 'customer code does not exist' };
    if (a.pwd !== str(ev.BizPwd)) return { code: 10002, msg: 'wrong customer password' };
    return { code: 0, a };
  };

  const incomplete = (p) =>
    !p || typeof p !== 'object' || !str(p.Name) || !(str(p.Mobile) || str(p.Tel)) || !str(p.Province) || !str(p.City) || !str(p.Address);

  // 集包地 (hub) and 三段码 (sort code) derived from the receiver's city, stable per address.
  function waybillDataFor(receiver) {
    const h = createHash('sha1')
      .update(`${str(receiver.Province)}${str(receiver.City)}${str(receiver.Area)}`)
      .digest();
    const mark = `${100 + (h[0] % 900)}-${String.fromCharCode(65 + (h[1] % 26))}${10 + (h[2] % 90)}-${10 + (h[3] % 90)}`;
    return `##REF_bagAddr##${str(receiver.City).replace(/市$/, '')}集散中心##REF_mark##${mark}##`;
  }

  return {
    addWaybill(ev) {
      // The account first, also for a repeated push: a wrong password must never reveal a waybill.
      const acc = account(ev);
      if (acc.code !== 0) return { code: acc.code, msg: acc.msg };
      const key = `${str(ev.BizID)}\n${str(ev.OrderID)}`;
      const known = orders.get(key);
      if (known) return { code: 0, msg: 'success', waybillId: known.waybillId, waybillData: known.waybillData };
      if (incomplete(ev.Sender)) return { code: 20002, msg: 'sender info incomplete' };
      if (incomplete(ev.Receiver)) return { code: 20004, msg: 'receiver info incomplete' };
      const cargo = ev.Cargo ?? {};
      if (!(Number(cargo.Weight) > 0) || !(Number(cargo.Count) >= 1)) return { code: 20006, msg: 'cargo weight or count wrong' };
      const pushed = str(ev.WayBillID);
      if (pushed !== '0' && !/^[0-9A-Za-z]{6,32}$/.test(pushed)) return { code: 20001, msg: 'waybill id wrong' };
      sequence += 1;
      const waybillId = pushed === '0' ? `RC${String(Date.now() % 1e8).padStart(8, '0')}${String(sequence).padStart(4, '0')}` : pushed;
      const order = {
        waybillId,
        waybillData: waybillDataFor(ev.Receiver),
        status: str(ev.Remark) === PICKED_UP_REMARK ? 'picked_up' : 'placed',
      };
      orders.set(key, order);
      return { code: 0, msg: 'success', waybillId, waybillData: order.waybillData };
    },
    cancelWaybill(ev) {
      const order = orders.get(`${str(ev.BizID)}\n${str(ev.OrderID)}`);
      if (!order || order.waybillId !== str(ev.WayBillID) || account(ev).code !== 0) return { code: 30001, msg: 'order not found' };
      if (order.status === 'picked_up') return { code: 30002, msg: 'already picked up, cannot cancel' };
      if (order.status === 'cancelled') return { code: 30003, msg: 'already cancelled' };
      order.status = 'cancelled';
      return { code: 0, msg: 'success' };
    },
    checkAccount(ev) {
      const acc = account(ev);
      return acc.code === 0 ? { code: 0, msg: 'success', quota: acc.a.quota } : { code: acc.code, msg: acc.msg, quota: 0 };
    },
  };
}

/** The reply for one event: the common header (ToUserName/FromUserName swapped) plus the event's fields. */
function replyFor(state, ev) {
  const event = str(ev.Event).toLowerCase();
  const header = {
    ToUserName: str(ev.FromUserName),
    FromUserName: str(ev.ToUserName),
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: event,
  };
  if (event === 'add_waybill') {
    const r = state.addWaybill(ev);
    return {
      ...header,
      Token: str(ev.Token),
      OrderID: str(ev.OrderID),
      BizID: str(ev.BizID),
      WayBillID: r.waybillId ?? str(ev.WayBillID),
      ResultCode: r.code,
      ResultMsg: r.msg,
      WaybillData: r.waybillData ?? '##',
    };
  }
  if (event === 'cancel_waybill') {
    const r = state.cancelWaybill(ev);
    return {
      ...header,
      BizID: str(ev.BizID),
      OrderID: str(ev.OrderID),
      WayBillID: str(ev.WayBillID),
      ResultCode: r.code,
      ResultMsg: r.msg,
    };
  }
  if (event === 'check_biz' || event === 'get_quota') {
    const r = state.checkAccount(ev);
    return { ...header, BizID: str(ev.BizID), ResultCode: r.code, ResultMsg: r.msg, Quota: r.quota };
  }
  return undefined;
}

// ---------------------------------------------------------------- HTTP
/**
 * Create the carrier's push endpoint (not yet listening).
 * @param {{token: string, aesKey?: string, mode?: 'plain'|'compatible'|'secure', format?: 'xml'|'json',
 *   appid?: string, accounts?: Array<{bizId: string, pwd: string, quota?: number}>}} options
 */
export function createReferenceCarrier(options) {
  const mode = options.mode ?? 'plain';
  const format = options.format ?? 'xml';
  const appid = options.appid ?? 'wxcarriercert00001';
  if (!['plain', 'compatible', 'secure'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  if (!['xml', 'json'].includes(format)) throw new Error(`unknown format ${format}`);
  const key = options.aesKey === undefined ? undefined : aesKeyOf(options.aesKey);
  if (mode !== 'plain' && !key) throw new Error(`${mode} mode needs --aes-key`);
  const accounts = new Map(
    (options.accounts ?? [{ bizId: 'wxlcert_biz', pwd: 'wxlcert_pwd', quota: 100 }]).map((a) => [
      a.bizId,
      { pwd: a.pwd, quota: a.quota ?? 100 },
    ]),
  );
  const state = createCarrierState(accounts);

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://carrier');
    const q = (name) => url.searchParams.get(name) ?? '';
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const signed = q('signature') !== '' && q('signature') === sha1Sorted([options.token, q('timestamp'), q('nonce')]);

    // URL verification: echo echostr only for a correct signature.
    if (req.method === 'GET') return signed && url.searchParams.has('echostr') ? send(200, q('echostr')) : send(401, 'invalid signature');
    if (req.method !== 'POST') return send(405, 'method not allowed');

    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (!signed) return send(401, 'invalid signature');
      const text = Buffer.concat(chunks).toString('utf8');
      const pushFormat = text.trimStart().startsWith('<') ? 'xml' : 'json';
      if (pushFormat !== format) return send(415, `this endpoint is configured for ${format}`);
      let ev;
      const encrypted = q('encrypt_type') === 'aes';
      try {
        ev = parseBody(format, text);
        if (encrypted) {
          if (!key) return send(400, 'encrypted push, but no EncodingAESKey configured');
          const enc = str(ev.Encrypt);
          if (q('msg_signature') !== sha1Sorted([options.token, q('timestamp'), q('nonce'), enc]))
            return send(401, 'invalid msg_signature');
          ev = parseBody(format, decrypt(key, enc, appid));
        } else if (mode === 'secure') {
          return send(400, 'secure mode: the push must be encrypted');
        }
      } catch (err) {
        return send(400, `bad push: ${err.message}`);
      }
      const reply = replyFor(state, ev);
      if (reply === undefined) return send(200, 'success'); // an event we do not handle: the generic opt-out reply
      const plain = serialise(format, reply);
      const type = format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json';
      if (!encrypted) return send(200, plain, type);
      // An encrypted push gets an encrypted reply: Encrypt, MsgSignature, TimeStamp, Nonce.
      const Encrypt = encrypt(key, plain, appid);
      const TimeStamp = String(Math.floor(Date.now() / 1000));
      const Nonce = String(randomBytes(4).readUInt32BE(0));
      const MsgSignature = sha1Sorted([options.token, TimeStamp, Nonce, Encrypt]);
      return send(
        200,
        format === 'xml'
          ? `<xml><Encrypt>${cdata(Encrypt)}</Encrypt><MsgSignature>${cdata(MsgSignature)}</MsgSignature><TimeStamp>${TimeStamp}</TimeStamp><Nonce>${cdata(Nonce)}</Nonce></xml>`
          : JSON.stringify({ Encrypt, MsgSignature, TimeStamp, Nonce }),
        type,
      );
    });
  });
}

// ---------------------------------------------------------------- command line
function parseArgs(argv) {
  const o = { port: 8090, host: '127.0.0.1', accounts: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--port') o.port = Number(value);
    else if (flag === '--host') o.host = value;
    else if (flag === '--token') o.token = value;
    else if (flag === '--aes-key') o.aesKey = value;
    else if (flag === '--mode') o.mode = value;
    else if (flag === '--format') o.format = value;
    else if (flag === '--appid') o.appid = value;
    else if (flag === '--account') {
      const [bizId, pwd, quota] = value.split(':');
      if (!bizId || !pwd) throw new Error('--account is BIZ_ID:PASSWORD[:QUOTA]');
      o.accounts.push({ bizId, pwd, quota: quota === undefined ? 100 : Number(quota) });
    } else throw new Error(`unknown option ${flag}`);
  }
  if (!o.token) throw new Error('--token is required');
  if (o.accounts.length === 0) delete o.accounts;
  return o;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  const server = createReferenceCarrier(o);
  server.listen(o.port, o.host, () => {
    const { port } = server.address();
    console.log(`reference carrier listening at http://${o.host}:${port}/ (${o.mode ?? 'plain'}, ${o.format ?? 'xml'})`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}
