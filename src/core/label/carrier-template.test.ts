import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { decodeModules } from '../../../test/support/code128-decode.ts';
import { isWxError } from '../errors.ts';
import { compileCarrierTemplate, type CarrierTemplateValues } from './carrier-template.ts';
import { encodeQr } from './qr-matrix.ts';

const values: CarrierTemplateValues = {
  waybill_id: '1234567890123',
  waybill_data: [
    { key: 'ZTO_mark', value: '11-22-33' },
    { key: 'ZTO_bagAddr', value: '广州' },
  ],
  wxa_appid: 'wx0123456789abcdef',
  print_time: 1542880446, // 2018-11-22 17:54:06 in Asia/Shanghai
  custom: {
    order_id: '012345678901234567890123456789',
    openid: 'oABC123456',
    delivery_id: 'ZTO',
    biz_id: 'xyz',
    custom_remark: '易碎物品',
    sender: {
      name: '张三',
      tel: '18666666666',
      mobile: '020-88888888',
      company: '公司名',
      post_code: '123456',
      country: '中国',
      province: '广东省',
      city: '广州市',
      area: '海珠区',
      address: 'XX路XX号',
    },
    receiver: { name: '王小蒙', mobile: '18610000000', province: '广东省', city: '广州市', area: '天河区', address: 'YY路YY号' },
    shop: { goods_name: '钻石包&柏金包', goods_count: 2 },
    cargo: { count: 2, weight: 5.5, space_x: 30.5, space_y: 20, space_z: 20 },
    insured: { use_insured: 1, insured_value: 10000 },
    service: { service_type: 0, service_name: '标准快递' },
  },
};
const render = (source: string, v: CarrierTemplateValues = values): string => compileCarrierTemplate(source)(v);

function rejects(source: string): void {
  assert.throws(
    () => compileCarrierTemplate(source),
    (e: unknown) => isWxError(e) && e.errcode === 9300512 && e.errmsg === 'invalid waybill template format',
    source,
  );
}

/** Decodes a 1-bit greyscale PNG (what the template images are) into rows of 0/1, 1 = dark. */
function pngRows(b64: string): { width: number; height: number; rows: Uint8Array[] } {
  const png = Buffer.from(b64, 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([data[8], data[9], data[12]], [1, 0, 0], '1-bit greyscale, not interlaced');
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = Math.ceil(width / 8) + 1;
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * stride], 0, 'filter None');
    const row = new Uint8Array(width);
    for (let x = 0; x < width; x++) row[x] = (raw[y * stride + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 1;
    rows.push(row);
  }
  return { width, height, rows };
}

function runs(row: Uint8Array): number[] {
  const first = row.indexOf(1);
  const last = row.lastIndexOf(1);
  assert.ok(first > 0 && last < row.length - 1, 'quiet zones on both sides');
  const out: number[] = [];
  let run = 1;
  for (let x = first + 1; x <= last; x++) {
    if (row[x] === row[x - 1]) run++;
    else {
      out.push(run);
      run = 1;
    }
  }
  out.push(run);
  const unit = Math.min(...out);
  return out.map((r) => r / unit);
}

test('##VAR prints every kind of key, HTML-escaped', () => {
  assert.equal(render('<p>##VAR(sys.waybillid)|##VAR(sys.wxaappid)</p>'), '<p>1234567890123|wx0123456789abcdef</p>');
  assert.equal(render('##VAR(waybilldata.ZTO_mark) ##VAR(waybilldata.ZTO_bagAddr) [##VAR(waybilldata.NONE)]'), '11-22-33 广州 []');
  assert.equal(
    render('##VAR(custom.order_id) ##VAR(custom.custom_remark) ##VAR(custom.sender.name) ##VAR(custom.receiver.address)'),
    '012345678901234567890123456789 易碎物品 张三 YY路YY号',
  );
  assert.equal(
    render(
      '##VAR(custom.cargo.weight)kg ×##VAR(custom.cargo.count) ##VAR(custom.insured.insured_value) ##VAR(custom.service.service_type) ##VAR(custom.service.service_name)',
    ),
    '5.5kg ×2 10000 0 标准快递',
  );
  assert.equal(render('##VAR(custom.shop.goods_name)'), '钻石包&amp;柏金包');
  assert.equal(render('[##VAR(custom.receiver.company)]'), '[]', 'an absent field prints nothing');
  const evil = { ...values, waybill_data: [{ key: 'ZTO_mark', value: `<script>alert("x")</script>'` }] };
  assert.equal(
    render('<b title="##VAR(waybilldata.ZTO_mark)">', evil),
    '<b title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;">',
  );
  const { wxa_appid: _drop, ...noAppid } = values;
  assert.equal(render('##VAR(sys.wxaappid)', { ...noAppid, custom: { ...values.custom, wx_appid: 'wxfromorder' } }), 'wxfromorder');
});

test('##TIME prints the print time in China Standard Time in the three formats', () => {
  assert.equal(render('##TIME(DATE)|##TIME(TIME)|##TIME(FULL)'), '2018/11/22|17:54:06|2018/11/22 17:54:06');
  const saved = process.env['TZ'];
  process.env['TZ'] = 'America/New_York';
  try {
    assert.equal(render('##TIME(FULL)', { ...values, print_time: 1704038400 }), '2024/01/01 00:00:00');
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});

test('##STRBLOAT spaces out the characters of a value', () => {
  assert.equal(render('##STRBLOAT(VAR(sys.waybillid))'), '1 2 3 4 5 6 7 8 9 0 1 2 3');
  assert.equal(render('##STRBLOAT(VAR(waybilldata.ZTO_bagAddr))'), '广 州');
  assert.equal(render('##STRBLOAT(VAR(custom.shop.goods_name))'), '钻 石 包 &amp; 柏 金 包');
});

test('##CODE128 is a PNG whose bars decode to the value', () => {
  const html = render('<img src="data:image/jpeg;base64, ##CODE128(VAR(sys.waybillid))">');
  const b64 = /base64, ([A-Za-z0-9+/=]+)">$/.exec(html)?.[1] ?? '';
  const { rows, height } = pngRows(b64);
  assert.ok(height >= 40);
  assert.equal(decodeModules(runs(rows[0]!)), '1234567890123');
  assert.deepEqual(rows[height - 1], rows[0], 'every row is the same');
  // a Chinese value goes through FNC4 as UTF-8 bytes, as the doc example's 集包地 barcode needs
  const bag = /base64, (\S+)">$/.exec(render('<img src="data:image/jpeg;base64, ##CODE128(VAR(waybilldata.ZTO_bagAddr))">'))?.[1] ?? '';
  assert.equal(decodeModules(runs(pngRows(bag).rows[0]!)), Buffer.from('广州', 'utf8').toString('latin1'));
});

test("##QRCODE and ##WXASUNCODE are PNGs of the value's QR matrix with a quiet zone", () => {
  for (const [dir, key, text] of [
    ['QRCODE', 'sys.waybillid', '1234567890123'],
    ['WXASUNCODE', 'sys.wxaappid', 'wx0123456789abcdef'],
  ] as const) {
    const b64 = render(`##${dir}(VAR(${key}))`);
    const { width, height, rows } = pngRows(b64);
    const expected = encodeQr(text); // the matrix itself is checked against qrcode in qr-small.test.ts
    const n = expected.size;
    const px = width / (n + 8);
    assert.ok(Number.isInteger(px) && width === height, `${dir}: square, whole pixels per module`);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        assert.equal(rows[(y + 4) * px + 1]![(x + 4) * px + 1], expected.dark[y * n + x], `${dir} module ${x},${y}`);
      }
    }
    assert.ok(
      rows.slice(0, 4 * px).every((r) => r.every((p) => p === 0)),
      'light quiet zone',
    );
  }
});

test('an empty value gives an empty image; text around directives is kept byte for byte', () => {
  assert.equal(render('[##CODE128(VAR(waybilldata.NONE))][##QRCODE(VAR(custom.receiver.company))]'), '[][]');
  const page = '<html><a href="##">#</a> ## #VAR(x) ##\n<style>a{color:#000}</style></html>';
  assert.equal(render(page), page);
  assert.equal(render('<p>plain</p>'), '<p>plain</p>');
});

test('unknown or malformed directives and unknown keys are 9300512 at compile time', () => {
  for (const bad of [
    '##FOO(bar)',
    '##var(sys.waybillid)',
    '##VAR(sys.nothing)',
    '##VAR(custom.sender.nickname)',
    '##VAR(custom.cargo)',
    '##VAR(custom.detail_list)',
    '##VAR(waybilldata.)',
    '##VAR(custom.sender.name.x)',
    '##TIME(NOW)',
    '##TIME()',
    '##CODE128(sys.waybillid)',
    '##QRCODE(VAR(sys.waybillid)',
    '##STRBLOAT(TIME(DATE))',
    '##VAR(sys.waybillid',
    '<p>##CODE128(VAR(x))</p>',
  ])
    rejects(bad);
});

test('a compiled template renders many orders without recompiling', () => {
  const one = compileCarrierTemplate('<td>##VAR(sys.waybillid)</td><td>##VAR(custom.receiver.name)</td>');
  assert.equal(one(values), '<td>1234567890123</td><td>王小蒙</td>');
  assert.equal(one({ ...values, waybill_id: 'B2', custom: { receiver: { name: 'R2' } } }), '<td>B2</td><td>R2</td>');
});
