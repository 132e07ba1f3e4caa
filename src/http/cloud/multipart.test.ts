import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import busboy from 'busboy';
import { MultipartError, parseMultipart, type FormPart } from './multipart.ts';
import { seedVector } from './testdata/seed-vector.ts';

const form = (boundary: string, raw: string): [Buffer, string] => [Buffer.from(raw), `multipart/form-data; boundary=${boundary}`];

test('the captured SDK body parses into its eight fields, requestData as bytes', () => {
  const parts = parseMultipart(seedVector.body, seedVector.headers()['content-type']!);
  assert.deepEqual(
    parts.map((p) => [p.name, p.kind, p.kind === 'text' ? p.value : p.value.length]),
    [
      ['action', 'text', 'wx.openApi'],
      ['apiName', 'text', 'logistics.getOrder'],
      ['requestData', 'file', 112],
      ['envName', 'text', 'local-env'],
      ['wxCloudApiToken', 'text', ''],
      ['wxCloudbaseAccesstoken', 'text', ''],
      ['tcb_sessionToken', 'text', ''],
      ['crossAuthorizationToken', 'text', ''],
    ],
  );
});

test('text fields keep UTF-8 and a truncated body is rejected', () => {
  const [body, type] = form('b0undary', `--b0undary\r\nContent-Disposition: form-data; name="envName"\r\n\r\n广州\r\n--b0undary--\r\n`);
  assert.deepEqual(parseMultipart(body, type), [{ name: 'envName', kind: 'text', value: '广州' }]);
  for (let cut = 0; cut < body.length - 4; cut += 3) assert.throws(() => parseMultipart(body.subarray(0, cut), type), MultipartError);
  assert.throws(() => parseMultipart(body, 'multipart/form-data'), MultipartError);
  assert.throws(() => parseMultipart(body, 'application/json; boundary=b0undary'), MultipartError);
});

test('a text field with bytes that are not UTF-8 reads as busboy reads it, not as latin1', async () => {
  // 0xE9 alone is "é" in latin1 but no UTF-8; 0xC3 0xA9 is "é" in UTF-8.
  const body = Buffer.concat([
    Buffer.from('--q\r\nContent-Disposition: form-data; name="a"\r\n\r\ncaf'),
    Buffer.from([0xe9]),
    Buffer.from('\r\n--q\r\nContent-Disposition: form-data; name="b"\r\n\r\ncaf'),
    Buffer.from([0xc3, 0xa9]),
    Buffer.from('\r\n--q--\r\n'),
  ]);
  const type = 'multipart/form-data; boundary=q';
  const parts = parseMultipart(body, type);
  assert.deepEqual(parts, [
    { name: 'a', kind: 'text', value: 'caf\ufffd' },
    { name: 'b', kind: 'text', value: 'café' },
  ]);
  assert.deepEqual(parts, await busboyParts(body, type));
});

test('a field or file over its size limit, or one part too many, is rejected rather than truncated', () => {
  const [body, type] = form('xyz', `--xyz\r\nContent-Disposition: form-data; name="apiName"\r\n\r\n${'a'.repeat(50)}\r\n--xyz--\r\n`);
  assert.throws(() => parseMultipart(body, type, { fieldSize: 10 }), /form field apiName too large/);
  assert.equal(parseMultipart(body, type, { fieldSize: 50 }).length, 1);
  const [file, fileType] = form(
    'xyz',
    `--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n${'b'.repeat(20)}\r\n--xyz--`,
  );
  assert.throws(() => parseMultipart(file, fileType, { fileSize: 19 }), /form file f too large/);
  const many = Array.from({ length: 4 }, (_, i) => `--xyz\r\nContent-Disposition: form-data; name="p${i}"\r\n\r\n${i}\r\n`).join('');
  assert.throws(() => parseMultipart(...form('xyz', `${many}--xyz--`), { parts: 3 }), /too many form parts/);
  assert.equal(parseMultipart(...form('xyz', `${many}--xyz--`), { parts: 4 }).length, 4);
});

test('a quoted boundary, a preamble, transport padding and an epilogue are read as RFC 2046 has them', () => {
  const body = Buffer.from(
    'ignored preamble\r\n--a;b"c  \r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--a;b"c\r\ncontent-disposition: FORM-DATA; NAME=y\r\n\r\n2\r\n--a;b"c--\r\nepilogue --a;b"c',
  );
  const parts = parseMultipart(body, 'multipart/form-data; charset=utf-8; boundary="a;b\\"c"');
  assert.deepEqual(parts, [
    { name: 'x', kind: 'text', value: '1' },
    { name: 'y', kind: 'text', value: '2' },
  ]);
});

test('binary content that holds CR, LF and most of the boundary stays byte for byte', () => {
  const payload = Buffer.concat([Buffer.from('-bound\r\n-\r\n--boun'), randomBytes(64), Buffer.from('\r\n--bounD x--bound\r')]);
  const body = Buffer.concat([
    Buffer.from('--bound\r\nContent-Disposition: form-data; name="requestData"\r\nContent-Type: application/octet-stream\r\n\r\n'),
    payload,
    Buffer.from('\r\n--bound--'),
  ]);
  const [part] = parseMultipart(body, 'multipart/form-data; boundary=bound');
  assert.equal(part?.kind, 'file');
  assert.deepEqual(part.kind === 'file' && part.value, payload);
});

test('a part with no body at all, a part that is not form-data, and a nameless part', () => {
  const [empty, type] = form(
    'q',
    '--q\r\nContent-Disposition: form-data; name="e"\r\n\r\n--q\r\nContent-Disposition: attachment; name="skip"\r\n\r\nx\r\n--q--',
  );
  assert.deepEqual(parseMultipart(empty, type), [{ name: 'e', kind: 'text', value: '' }]);
  const [nameless] = form('q', '--q\r\nContent-Disposition: form-data\r\n\r\nx\r\n--q--');
  assert.throws(() => parseMultipart(nameless, type), /no name/);
  const [badHeader] = form('q', '--q\r\nno colon here\r\n\r\nx\r\n--q--');
  assert.throws(() => parseMultipart(badHeader, type), /malformed part header/);
});

test('filenames lose their directories; an RFC 8187 filename* wins over filename', () => {
  const [body, type] = form(
    'q',
    `--q\r\nContent-Disposition: form-data; name="a"; filename="C:\\\\dir\\\\x.txt"\r\n\r\n1\r\n--q\r\nContent-Disposition: form-data; name="b"; filename="plain.txt"; filename*=UTF-8''%E5%B9%BF.txt\r\n\r\n2\r\n--q--`,
  );
  const parts = parseMultipart(body, type);
  assert.deepEqual(
    parts.map((p) => p.kind === 'file' && [p.name, p.filename, p.mimeType]),
    [
      ['a', 'x.txt', 'text/plain'],
      ['b', '广.txt', 'text/plain'],
    ],
  );
});

/** busboy's reading of the same body: the streaming parser the SDK's bodies were first checked with. */
function busboyParts(body: Buffer, contentType: string): Promise<FormPart[]> {
  return new Promise((resolve, reject) => {
    const bb = busboy({ headers: { 'content-type': contentType }, defCharset: 'utf8' });
    const parts: FormPart[] = [];
    const files: Promise<void>[] = [];
    bb.on('field', (name, value) => parts.push({ name, kind: 'text', value }));
    bb.on('file', (name, stream, info) => {
      const part: FormPart = { name, kind: 'file', value: Buffer.alloc(0), filename: info.filename, mimeType: info.mimeType };
      parts.push(part);
      const chunks: Buffer[] = [];
      files.push(
        new Promise((done) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('close', () => done(void (part.value = Buffer.concat(chunks))));
        }),
      );
    });
    bb.on('error', reject);
    bb.on('close', () => void Promise.all(files).then(() => resolve(parts)));
    bb.end(body);
  });
}

test('on random well-formed bodies the parts are exactly the ones busboy reads', async () => {
  const names = ['action', 'apiName', 'envName', 'a b', 'semi;colon', 'quo"te', '广州', 'x'];
  for (let round = 0; round < 200; round++) {
    const boundary = `--------------------------${randomBytes(12).toString('hex')}`;
    const chunks: Buffer[] = [];
    const count = 1 + (round % 9);
    for (let i = 0; i < count; i++) {
      const name = names[(round + i) % names.length]!.replace(/"/g, '\\"');
      const asFile = (round + i) % 3 === 0;
      const head = asFile
        ? `Content-Disposition: form-data; name="${name}"\r\nContent-Type: application/octet-stream\r\n`
        : `Content-Disposition: form-data; name="${name}"\r\n`;
      const value = asFile
        ? randomBytes((round * 7 + i) % 300)
        : Buffer.from(['', 'wx.openApi', '广州 local-env', ' padded '][(round + i) % 4]!);
      chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), value, Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    const body = Buffer.concat(chunks);
    const type = `multipart/form-data; boundary=${boundary}`;
    assert.deepEqual(parseMultipart(body, type), await busboyParts(body, type), `round ${round}`);
  }
});

test('any mutation of the SDK body either parses or fails with MultipartError, never another exception', () => {
  const type = seedVector.headers()['content-type']!;
  const pieces = [Buffer.from('\r\n'), Buffer.from('--'), Buffer.from('"'), Buffer.from(';'), Buffer.from(':'), Buffer.from('\\')];
  let parsed = 0;
  for (let round = 0; round < 3000; round++) {
    let body = Buffer.from(seedVector.body);
    const at = (round * 7919) % body.length;
    if (round % 3 === 0) body = body.subarray(0, at);
    else if (round % 3 === 1) body[at] = (round * 31) & 0xff;
    else body = Buffer.concat([body.subarray(0, at), pieces[round % pieces.length]!, body.subarray(at)]);
    try {
      assert.ok(Array.isArray(parseMultipart(body, type)));
      parsed++;
    } catch (error) {
      assert.ok(error instanceof MultipartError, `round ${round}: ${String(error)}`);
    }
  }
  // Most single-byte changes inside a value still leave a well-formed body.
  assert.ok(parsed > 500, `${parsed} bodies parsed`);
});

test('a boundary reads the same in the form-data library’s Content-Type and through the general parameter reader', () => {
  for (const boundary of ['--------------------------e6269d801b5a6b4abbb26a46', "a'()+_,-./:=?b", 'x', 'b'.repeat(70)]) {
    const raw = `--${boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--${boundary}--\r\n`;
    const plain = parseMultipart(Buffer.from(raw), `multipart/form-data; boundary=${boundary}`);
    const general = parseMultipart(Buffer.from(raw), `Multipart/Form-Data;charset=utf-8;  boundary="${boundary}"`);
    assert.deepEqual(plain, general, boundary);
    assert.deepEqual(plain, [{ name: 'f', kind: 'text', value: 'v' }], boundary);
  }
  // Past 70 characters a boundary is refused on either way.
  assert.throws(() => parseMultipart(Buffer.from('--'), `multipart/form-data; boundary=${'b'.repeat(71)}`), MultipartError);
});
