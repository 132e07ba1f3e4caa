// A broken carrier for the certification tests: a real HTTP server on 127.0.0.1 that forwards each
// push to the reference carrier and then breaks its reply in one named way, as carriers built on
// SDKs really do (events.md §3.0 "Tolerance") or as a slow or careless server would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Defect =
  | 'lowercase-result' // resultcode / resultmsg, as royalrick/weapp writes them
  | 'xml-root' // an XML root named after a type instead of <xml>
  | 'drop-waybill-data' // add_waybill replies without WaybillData
  | 'bad-waybill-data' // WaybillData that breaks the ##key##value## grammar
  | 'new-waybill-on-repeat' // a fresh WayBillID on every add_waybill, even for the same order
  | 'string-result-code' // JSON "ResultCode": "0"
  | 'slow-add-waybill' // add_waybill answered after `delayMs`
  | 'tamper-reply-signature' // encrypted replies whose MsgSignature is wrong
  | 'ignore-pickup-convention' // a carrier without the certification's picked-up hook (plain pushes only)
  | 'cdata-numbers'; // XML numbers wrapped in CDATA: readable, but not as the spec prints them

export type BrokenCarrier = { url: string; close(): Promise<void> };

const isAddWaybill = (body: string) => /add_waybill/.test(body);

function renameKey(body: string, from: string, to: string): string {
  if (body.trimStart().startsWith('<')) return body.replaceAll(`<${from}>`, `<${to}>`).replaceAll(`</${from}>`, `</${to}>`);
  const obj = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === from ? to : k, v])));
}

function mapField(body: string, key: string, f: (v: unknown) => unknown): string {
  if (body.trimStart().startsWith('<')) {
    return body.replace(new RegExp(`<${key}>[\\s\\S]*?</${key}>`), (whole) => {
      const v = f(whole.replace(new RegExp(`^<${key}>(<!\\[CDATA\\[)?|(\\]\\]>)?</${key}>$`, 'g'), ''));
      return v === undefined ? '' : `<${key}><![CDATA[${String(v)}]]></${key}>`;
    });
  }
  const obj = JSON.parse(body) as Record<string, unknown>;
  const v = f(obj[key]);
  if (v === undefined) delete obj[key];
  else obj[key] = v;
  return JSON.stringify(obj);
}

function breakReply(defect: Defect, body: string): string {
  switch (defect) {
    case 'lowercase-result':
      return renameKey(renameKey(body, 'ResultCode', 'resultcode'), 'ResultMsg', 'resultmsg');
    case 'xml-root':
      return body.replace(/^<xml>/, '<AddExpressOrderReturn>').replace(/<\/xml>$/, '</AddExpressOrderReturn>');
    case 'drop-waybill-data':
      return mapField(body, 'WaybillData', () => undefined);
    case 'bad-waybill-data':
      return isAddWaybill(body) ? mapField(body, 'WaybillData', () => 'REF_mark:123-A45-67') : body;
    case 'new-waybill-on-repeat':
      return isAddWaybill(body) ? mapField(body, 'WayBillID', () => `BRK${Math.floor(Math.random() * 1e9)}`) : body;
    case 'string-result-code':
      return mapField(body, 'ResultCode', (v) => String(v));
    case 'tamper-reply-signature':
      return mapField(body, 'MsgSignature', (v) => String(v).replace(/^./, (c) => (c === '0' ? '1' : '0')));
    case 'cdata-numbers':
      return body.replace(/<(ResultCode|Quota|CreateTime)>(-?\d+)<\/\1>/g, '<$1><![CDATA[$2]]></$1>');
    case 'slow-add-waybill':
    case 'ignore-pickup-convention':
      return body;
  }
}

/** Start the broken carrier in front of `upstream` (a running reference carrier). */
export async function startBrokenCarrier(upstream: string, defect: Defect, delayMs = 0): Promise<BrokenCarrier> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks).toString('utf8');
      // Signatures of plain pushes cover only Token, timestamp and nonce, so the body can change.
      if (defect === 'ignore-pickup-convention') body = body.replaceAll('wxlogistics-certify:picked-up', '易碎物品');
      const init: RequestInit = { method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' } };
      if (req.method === 'POST') init.body = body;
      const answer = await fetch(new URL(req.url ?? '/', upstream), init);
      let reply = await answer.text();
      // Secure-mode pushes hide the event name; the defects that need it are used in plain mode.
      if (defect === 'slow-add-waybill' && (isAddWaybill(body) || isAddWaybill(reply))) await new Promise((r) => setTimeout(r, delayMs));
      if (answer.status === 200 && req.method === 'POST' && reply !== 'success') reply = breakReply(defect, reply);
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
