/**
 * Carrier certification: the reference carrier (examples/reference-carrier/server.mjs, run as a
 * user runs it) passes `carrier check` in every mode and format; broken carriers (real HTTP
 * servers in front of it, each breaking the reply in one way) fail with the right lines.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { certifyCarrier, type CertifyOptions, type CertifyReport } from '../src/certify/certify-carrier.ts';
import { addWaybillEvent, cancelWaybillEvent } from '../src/certify/certify-events.ts';
import type { WireObject } from '../src/core/push-events.ts';
import { buildPushRequest } from '../src/push/push-request.ts';
import { BIN } from './support/server-process.ts';
import { startBrokenCarrier, type Defect } from './support/broken-carrier.ts';

const SERVER = fileURLToPath(new URL('../examples/reference-carrier/server.mjs', import.meta.url));
const TOKEN = 'RefCarrierToken1';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill()));

/** Start the reference carrier in a child process with the README's command line; resolves its URL. */
async function startReferenceCarrier(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--token', TOKEN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reference carrier did not start: ${out}`)), 10_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`reference carrier exited with ${code}: ${out}`)));
  });
}

const base = (url: string, mode: CertifyOptions['mode'], format: CertifyOptions['format']): CertifyOptions => ({
  url,
  token: TOKEN,
  ...(mode === 'plain' ? {} : { encodingAesKey: AES_KEY }),
  mode,
  format,
  appid: 'wxcarriercert00001',
  username: 'gh_carriercert01',
  bizId: 'wxlcert_biz',
  bizPwd: 'wxlcert_pwd',
  shopAppId: 'wxlcertshop000001',
  timeoutMs: 5000,
});

const lines = (r: CertifyReport, status: string) => r.checks.filter((c) => c.status === status).map((c) => `${c.name}: ${c.detail}`);
const line = (r: CertifyReport, name: string) => r.checks.find((c) => c.name === name);

for (const mode of ['plain', 'compatible', 'secure'] as const) {
  test(`the reference carrier passes the certification in ${mode} mode, XML and JSON`, async () => {
    for (const format of ['xml', 'json'] as const) {
      const url = await startReferenceCarrier(['--mode', mode, '--format', format, ...(mode === 'plain' ? [] : ['--aes-key', AES_KEY])]);
      const report = await certifyCarrier(base(url, mode, format));
      assert.deepEqual(lines(report, 'FAIL'), [], `${mode}/${format}`);
      assert.deepEqual(lines(report, 'WARN'), [], `${mode}/${format}`);
      assert.equal(report.ok, true);
      // Every event of events.md §3 and each variant was exercised and judged.
      for (const name of [
        'URL verification',
        'add_waybill · WaybillData grammar',
        'add_waybill (repeat) · same waybill',
        'add_waybill (WeChat-allocated WayBillID) · WayBillID',
        'add_waybill (wrong password) · ResultCode',
        'add_waybill (sender without phone) · ResultCode',
        'add_waybill (receiver without address) · ResultCode',
        'cancel_waybill · ResultCode',
        'cancel_waybill (unknown order) · ResultCode',
        'cancel_waybill (after pickup) · ResultCode',
        'check_biz (approved) · ResultCode',
        'check_biz (unknown account) · ResultCode',
        'check_biz (wrong password) · ResultCode',
        'get_quota · types',
        'forged signature · refused',
      ]) {
        assert.equal(line(report, name)?.status, 'PASS', `${mode}/${format}: ${name}`);
      }
      assert.match(line(report, 'cancel_waybill (after pickup) · ResultCode')!.detail, /^30002 /);
      const encrypted = report.checks.filter((c) => c.name.endsWith('· encrypted reply'));
      if (mode === 'plain') assert.equal(line(report, 'secure round trip')?.status, 'SKIP');
      else assert.ok(encrypted.length === 15 && encrypted.every((c) => c.status === 'PASS'), `${mode}/${format}: every reply opened`);
    }
  });
}

test('a carrier that sends the wrong key casing, another XML root or a string ResultCode fails those lines', async () => {
  const xml = await startReferenceCarrier(['--format', 'xml']);
  const json = await startReferenceCarrier(['--format', 'json']);
  const cases: [Defect, string, 'xml' | 'json', string, RegExp][] = [
    [
      'lowercase-result',
      xml,
      'xml',
      'add_waybill · field casing',
      /resultcode \(should be ResultCode\), resultmsg \(should be ResultMsg\)/,
    ],
    ['lowercase-result', json, 'json', 'get_quota · field casing', /resultcode \(should be ResultCode\)/],
    ['xml-root', xml, 'xml', 'check_biz (approved) · format', /XML root <AddExpressOrderReturn>/],
    ['string-result-code', json, 'json', 'add_waybill · types', /ResultCode is a string "0", not an integer/],
  ];
  for (const [defect, upstream, format, name, detail] of cases) {
    const broken = await startBrokenCarrier(upstream, defect);
    try {
      const report = await certifyCarrier(base(broken.url, 'plain', format));
      assert.equal(report.ok, false, defect);
      assert.equal(line(report, name)?.status, 'FAIL', `${defect}: ${name}`);
      assert.match(line(report, name)!.detail, detail);
      // The key is still read case-insensitively, so the outcome itself is judged correctly.
      assert.equal(line(report, 'add_waybill · ResultCode')?.status, 'PASS');
    } finally {
      await broken.close();
    }
  }
});

test('missing or malformed WaybillData and a new waybill on a repeated add_waybill fail with the right lines', async () => {
  const json = await startReferenceCarrier(['--format', 'json']);
  const dropped = await startBrokenCarrier(json, 'drop-waybill-data');
  const bad = await startBrokenCarrier(json, 'bad-waybill-data');
  const fresh = await startBrokenCarrier(json, 'new-waybill-on-repeat');
  try {
    let r = await certifyCarrier(base(dropped.url, 'plain', 'json'));
    assert.deepEqual(
      r.checks.filter((c) => c.status === 'FAIL' && c.name.startsWith('add_waybill ·')).map((c) => `${c.name}: ${c.detail}`),
      ['add_waybill · required fields: missing WaybillData', 'add_waybill · WaybillData grammar: no WaybillData (required, §3.1)'],
    );
    r = await certifyCarrier(base(bad.url, 'plain', 'json'));
    assert.equal(line(r, 'add_waybill · WaybillData grammar')?.status, 'FAIL');
    assert.match(line(r, 'add_waybill · WaybillData grammar')!.detail, /"REF_mark:123-A45-67" does not start with ##/);
    r = await certifyCarrier(base(fresh.url, 'plain', 'json'));
    assert.equal(line(r, 'add_waybill (repeat) · same waybill')?.status, 'FAIL');
    assert.match(
      line(r, 'add_waybill (repeat) · same waybill')!.detail,
      /^got "BRK\d+", first answer was BRK\d+; the same BizID \+ OrderID must get the same waybill/,
    );
    // A WeChat-allocated number replaced by another is caught too.
    assert.equal(line(r, 'add_waybill (WeChat-allocated WayBillID) · WayBillID')?.status, 'FAIL');
  } finally {
    await Promise.all([dropped.close(), bad.close(), fresh.close()]);
  }
});

test('a reply slower than the deadline fails "answered in time"; the deadline is configurable', async () => {
  const xml = await startReferenceCarrier([]);
  const slow = await startBrokenCarrier(xml, 'slow-add-waybill', 600);
  try {
    const r = await certifyCarrier({ ...base(slow.url, 'plain', 'xml'), timeoutMs: 300 });
    assert.deepEqual(line(r, 'add_waybill · answered in time'), {
      status: 'FAIL',
      name: 'add_waybill · answered in time',
      detail: 'no answer within 300 ms; WeChat drops the connection after 5 s',
    });
    assert.equal(line(r, 'check_biz (approved) · answered in time')?.status, 'PASS');
    assert.equal(r.ok, false);
  } finally {
    await slow.close();
  }
});

test('cancel after pickup: a carrier without the Remark convention fails with a hint; --picked-up points at another waybill', async () => {
  const xml = await startReferenceCarrier([]);
  const plainCarrier = await startBrokenCarrier(xml, 'ignore-pickup-convention');
  try {
    const r = await certifyCarrier(base(plainCarrier.url, 'plain', 'xml'));
    const verdict = line(r, 'cancel_waybill (after pickup) · ResultCode')!;
    assert.equal(verdict.status, 'FAIL');
    assert.match(
      verdict.detail,
      /^expected 30002 \(already picked up, cannot cancel\), got 0 \(cancelled\).*Remark "wxlogistics-certify:picked-up"/,
    );
    assert.deepEqual(lines(r, 'FAIL'), [`cancel_waybill (after pickup) · ResultCode: ${verdict.detail}`]);
  } finally {
    await plainCarrier.close();
  }
  const given = await certifyCarrier({ ...base(xml, 'plain', 'xml'), pickedUp: { orderId: 'never-placed', waybillId: 'RC000' } });
  assert.equal(line(given, 'add_waybill (picked-up convention) · ResultCode'), undefined);
  assert.match(
    line(given, 'cancel_waybill (after pickup) · ResultCode')!.detail,
    /^expected 30002 .*, got 30001 \(parameter error \(not found\)\), ResultMsg "order not found"$/,
  );
});

test('warnings do not fail the certification unless --strict', async () => {
  const xml = await startReferenceCarrier([]);
  const cdata = await startBrokenCarrier(xml, 'cdata-numbers');
  try {
    const lenient = await certifyCarrier(base(cdata.url, 'plain', 'xml'));
    assert.equal(line(lenient, 'get_quota · types')?.status, 'WARN');
    assert.match(line(lenient, 'get_quota · types')!.detail, /CreateTime in CDATA; .*ResultCode in CDATA; .*Quota in CDATA/);
    assert.deepEqual([lenient.ok, lenient.summary.FAIL], [true, 0]);
    const strict = await certifyCarrier({ ...base(cdata.url, 'plain', 'xml'), strict: true });
    assert.deepEqual([strict.ok, strict.summary.FAIL], [false, 0]);
  } finally {
    await cdata.close();
  }
});

test('the reference carrier refuses what its settings exclude and answers a second cancel with 30003', async () => {
  const secure = await startReferenceCarrier(['--mode', 'secure', '--aes-key', AES_KEY]);
  const ts = String(Math.floor(Date.now() / 1000));
  const event = {
    ToUserName: 'gh_carriercert01',
    FromUserName: 'oUser',
    CreateTime: Number(ts),
    MsgType: 'event',
    Event: 'get_quota',
    BizID: 'wxlcert_biz',
    BizPwd: 'wxlcert_pwd',
    ShopAppID: 'wx1',
  };
  const post = async (url: string, mode: 'plain' | 'secure', format: 'xml' | 'json', e: WireObject) => {
    const req = buildPushRequest({
      url,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      mode,
      format,
      appid: 'wxcarriercert00001',
      toUserName: 'gh_carriercert01',
      event: e,
      timestamp: ts,
      nonce: '42',
    });
    const res = await fetch(req.url, { method: 'POST', body: req.body, headers: { 'content-type': req.contentType } });
    return { status: res.status, body: await res.text() };
  };
  assert.equal((await post(secure, 'plain', 'xml', event)).status, 400);
  assert.equal((await post(secure, 'secure', 'json', event)).status, 415);
  assert.equal((await post(secure, 'secure', 'xml', event)).status, 200);

  const plain = await startReferenceCarrier([]);
  const add = await post(
    plain,
    'plain',
    'xml',
    addWaybillEvent(
      { toUserName: 'gh_carriercert01', fromUserName: 'oTeam', createTime: Number(ts) },
      { bizId: 'wxlcert_biz', bizPwd: 'wxlcert_pwd', shopAppId: 'wx1' },
      { token: 'T1', orderId: 'o-30003', waybillId: '0' },
    ),
  );
  const waybill = /<WayBillID><!\[CDATA\[(\w+)\]\]><\/WayBillID>/.exec(add.body)![1]!;
  const cancel = cancelWaybillEvent(
    { toUserName: 'gh_carriercert01', fromUserName: 'oUser', createTime: Number(ts) },
    { bizId: 'wxlcert_biz', bizPwd: 'wxlcert_pwd', shopAppId: 'wx1' },
    { orderId: 'o-30003', waybillId: waybill },
  );
  assert.match((await post(plain, 'plain', 'xml', cancel)).body, /<ResultCode>0<\/ResultCode>/);
  assert.match((await post(plain, 'plain', 'xml', cancel)).body, /<ResultCode>30003<\/ResultCode>/);
});

test('a carrier that is not listening fails every step with the connection error', async () => {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const r = await certifyCarrier(base(`http://127.0.0.1:${port}/`, 'plain', 'xml'));
  assert.equal(r.ok, false);
  assert.deepEqual(line(r, 'URL verification'), { status: 'FAIL', name: 'URL verification', detail: 'no answer: ECONNREFUSED' });
  assert.deepEqual(line(r, 'get_quota · answered in time'), {
    status: 'FAIL',
    name: 'get_quota · answered in time',
    detail: 'no answer: ECONNREFUSED',
  });
  assert.equal(r.summary.PASS, 0);
  assert.equal(line(r, 'forged signature · refused')?.status, 'SKIP');
});

test('in secure mode a reply whose MsgSignature is wrong fails "encrypted reply"', async () => {
  const secure = await startReferenceCarrier(['--mode', 'secure', '--aes-key', AES_KEY, '--format', 'json']);
  const tampered = await startBrokenCarrier(secure, 'tamper-reply-signature');
  try {
    const r = await certifyCarrier(base(tampered.url, 'secure', 'json'));
    assert.equal(line(r, 'add_waybill · encrypted reply')?.status, 'FAIL');
    assert.equal(
      line(r, 'add_waybill · encrypted reply')!.detail,
      'MsgSignature does not match sha1(sort(Token, TimeStamp, Nonce, Encrypt))',
    );
    assert.equal(r.ok, false);
  } finally {
    await tampered.close();
  }
});

test('the real CLI: exit 0 and CERTIFIED for the reference carrier, exit 1 with the FAIL lines for a broken one', async () => {
  const url = await startReferenceCarrier(['--mode', 'secure', '--aes-key', AES_KEY]);
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'carrier', 'check', '--token', TOKEN, ...args],
        { env: { ...process.env, WXL_FROM_SOURCE: '1' }, timeout: 60_000 },
        (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
  const ok = await run(['--url', url, '--mode', 'secure', '--aes-key', AES_KEY, '--json']);
  assert.equal(ok.code, 0, ok.stdout);
  const report = JSON.parse(ok.stdout) as CertifyReport;
  assert.equal(report.ok, true);
  assert.equal(report.summary.FAIL, 0);

  const plain = await startReferenceCarrier([]);
  const broken = await startBrokenCarrier(plain, 'lowercase-result');
  try {
    const failed = await run(['--url', broken.url]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stdout,
      /^FAIL +add_waybill · field casing +resultcode \(should be ResultCode\), resultmsg \(should be ResultMsg\);/m,
    );
    assert.match(failed.stdout, /^PASS +add_waybill · required fields /m);
    assert.match(failed.stdout, /^NOT CERTIFIED: \d+ pass, \d+ fail/m);
  } finally {
    await broken.close();
  }
});
