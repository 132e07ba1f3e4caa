import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCode128Svg, findCode128Svgs } from '../../../test/support/code128-decode.ts';
import { escapeHtml } from './escape-html.ts';
import { formatShanghaiTime } from './format-time.ts';
import { fenToYuan, fullAddress } from './label-blocks.ts';
import type { LabelInput, PrintType } from './label-input.ts';
import { maskPhone } from './mask-phone.ts';
import { renderLabelHtml } from './render-label.ts';
import { SAMPLE_LABEL_INPUT } from '../../../test/support/sample-label-input.ts';

const base: LabelInput = SAMPLE_LABEL_INPUT;
const TYPES: PrintType[] = [0, 1];
const label = (over: Partial<LabelInput>, t: PrintType): string => renderLabelHtml({ ...base, ...over }, t);

test('both print types are complete documents with their page size', () => {
  const sizes = { 0: '100mm 180mm', 1: '76mm 130mm' };
  for (const t of TYPES) {
    const html = label({}, t);
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="zh-CN">'));
    assert.match(html, /<meta charset="utf-8">/);
    assert.ok(html.trimEnd().endsWith('</html>'));
    assert.ok(html.includes(`@page { size: ${sizes[t]}; margin: 0 }`), `type ${t}`);
    assert.ok(html.includes('"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'));
  }
});

test('every Code128 on the label scans back as the waybill number', () => {
  for (const waybill_id of ['SF1234567890123', '773012345678901', '12345678901', '77301234567890', 'YT7000000000001', 'TESTwb-1']) {
    for (const t of TYPES) {
      const svgs = findCode128Svgs(label({ waybill_id }, t));
      assert.equal(svgs.length, 2, `main barcode and tear-off stub, type ${t}`);
      for (const svg of svgs) assert.equal(decodeCode128Svg(svg), waybill_id, `${waybill_id} type ${t}`);
    }
  }
});

test('a tampered barcode does not scan as the waybill number', () => {
  const svg = findCode128Svgs(label({}, 1))[0] ?? '';
  const bars = [...svg.matchAll(/M\d+ 0h(\d+)v1h-\d+z/g)].map((m) => ({ bar: m[0], width: Number(m[1]) }));
  assert.ok(bars.length > 30);
  const misread = (s: string): boolean => {
    try {
      return decodeCode128Svg(s) !== base.waybill_id;
    } catch {
      return true;
    }
  };
  for (const { bar } of bars) assert.ok(misread(svg.replace(bar, '')), `bar ${bar} removed`);
  // a narrow bar one module wider, eating into the space after it
  const narrow = bars.find((b) => b.width === 1)?.bar ?? '';
  const widened = svg.replace(narrow, narrow.replace('h1v1h-1z', 'h2v1h-2z'));
  assert.notEqual(widened, svg);
  assert.ok(misread(widened));
});

test('each symbol is one path of bars or module runs, nothing per module', () => {
  for (const t of TYPES) {
    const html = label({}, t);
    for (const svg of html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? []) {
      assert.equal(svg.match(/<path\b/g)?.length, 1);
      assert.doesNotMatch(svg, /<rect|stroke=/);
    }
    const qr = /<svg data-barcode="qrcode"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    assert.ok(
      [...qr.matchAll(/h(\d+)v1/g)].some((m) => Number(m[1]) > 1),
      'adjacent dark modules share one rectangle',
    );
  }
});

test('sort code and hub come from waybill_data; the hub band is blank without bagAddr', () => {
  for (const t of TYPES) {
    const html = label({}, t);
    assert.match(html, /<div class="sort">755WF-020-12<\/div>/);
    assert.match(html, /<span class="tag">集<\/span><span>广州转运中心<\/span>/);
    const ems = label({ delivery_id: 'EMS', waybill_data: [{ key: 'EMS_mark', value: '110-A' }] }, t);
    assert.match(ems, /<div class="sort">110-A<\/div>/);
    assert.doesNotMatch(ems, /class="hub"/);
    const other = label(
      {
        delivery_id: 'TEST',
        waybill_data: [
          { key: 'SF_mark', value: 'nope' },
          { key: 'TEST_mark', value: 'T-1' },
        ],
      },
      t,
    );
    assert.match(other, /<div class="sort">T-1<\/div>/);
    assert.doesNotMatch(other, /nope/);
  }
});

test('receiver, sender, QR, details and signature box are on the label', () => {
  for (const t of TYPES) {
    const html = label({}, t);
    for (const s of [
      '张三',
      '李四',
      '北京市朝阳区建国路88号',
      '广东省广州市海珠区新港中路1号',
      '某某公司',
      '易碎物品',
      '手机壳，数据线',
      '重量：1.5kg',
      '件数：2',
      '保价：123.45元',
      '已验视',
      '签收人：',
      '时间：',
      '顺丰速运',
      '标准快递',
      '2023-11-15 06:13',
      'order-0001',
    ]) {
      assert.ok(html.includes(s), `${s} in type ${t}`);
    }
    assert.equal(html.match(/data-barcode="qrcode"/g)?.length, 1);
    // the two-part label repeats receiver and sender in its tear-off part
    assert.equal(html.match(/张三/g)?.length, t === 0 ? 2 : 1);
  }
  assert.ok(label({ weight_kg: 1.23456, cargo_count: 3 }, 1).includes('重量：1.235kg</span><span>件数：3<'));
  assert.ok(label({ weight_kg: 12, cargo_count: 1.5 }, 1).includes('重量：12kg</span><span>件数：1.5<'));
  const { insured_value_fen: _drop, custom_remark: _r, ...uninsured } = base;
  assert.doesNotMatch(renderLabelHtml({ ...uninsured, goods: [] }, 1), /保价|备注|物品/);
});

test('phone numbers are masked in the middle', () => {
  assert.equal(maskPhone('18600000000'), '186****0000');
  assert.equal(maskPhone('020-87654321'), '020*****4321');
  assert.equal(maskPhone('87654321'), '****4321');
  assert.equal(maskPhone('110'), '***');
  for (const t of TYPES) {
    const html = label({ receiver: { ...base.receiver, mobile: '', tel: '18612345678' } }, t);
    assert.ok(html.includes('186****5678') && html.includes('138****1111'));
    assert.ok(!html.includes('18612345678') && !html.includes('13800001111'));
  }
});

test('user text is HTML-escaped', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const evil = '<script>alert(1)</script>';
  for (const t of TYPES) {
    const html = label(
      {
        receiver: { ...base.receiver, name: evil, address: `"><img src=x>` },
        sender: { ...base.sender, company: evil },
        custom_remark: evil,
        goods: [evil],
        delivery_name: evil,
        service_name: evil,
        order_id: evil,
        waybill_data: [
          { key: 'SF_mark', value: evil },
          { key: 'SF_bagAddr', value: evil },
        ],
      },
      t,
    );
    assert.ok(!html.includes('<script') && !html.includes('<img'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  }
});

test('the label references nothing on the network', () => {
  for (const t of TYPES) {
    const html = label({}, t);
    assert.doesNotMatch(html, /https?:|\/\//i);
    assert.doesNotMatch(html, /url\(|@import|<link|<script|<img/i);
    assert.doesNotMatch(html, /(?:src|href)\s*=/i);
    // user data that looks like a URL stays inert text
    const withUrl = label({ receiver: { ...base.receiver, address: 'https://evil.example/x' } }, t);
    assert.doesNotMatch(withUrl, /(?:src|href)\s*=|url\(/i);
  }
});

test('the output is deterministic and independent of the machine time zone', () => {
  const saved = process.env['TZ'];
  try {
    for (const t of TYPES) {
      const first = label({}, t);
      assert.equal(label({}, t), first);
      process.env['TZ'] = 'America/New_York';
      assert.equal(label({}, t), first);
      process.env['TZ'] = 'Asia/Tokyo';
      assert.equal(label({}, t), first);
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
  assert.equal(formatShanghaiTime(1700000000), '2023-11-15 06:13');
  assert.equal(formatShanghaiTime(0), '1970-01-01 08:00');
  assert.equal(formatShanghaiTime(1704038399), '2023-12-31 23:59'); // 15:59:59Z
});

test('helpers: yuan from fen, full address', () => {
  assert.equal(fenToYuan(12345), '123.45');
  assert.equal(fenToYuan(5), '0.05');
  assert.equal(fenToYuan(100000), '1000.00');
  assert.equal(fullAddress({ province: '上海市', city: '上海市', area: '浦东新区', address: '世纪大道1号' }), '上海市浦东新区世纪大道1号');
});

test('an id Code128 cannot carry still yields a label', () => {
  for (const t of TYPES) {
    const html = label({ waybill_id: '' }, t);
    assert.equal(findCode128Svgs(html).length, 0);
    assert.ok(html.includes('</html>'));
  }
});

test('a waybill number too long for a small QR still gets its QR and Code128', () => {
  const waybill_id = 'W'.repeat(70);
  for (const t of TYPES) {
    const html = label({ waybill_id }, t);
    const svgs = findCode128Svgs(html);
    assert.equal(svgs.length, 2);
    for (const svg of svgs) assert.equal(decodeCode128Svg(svg), waybill_id);
    const qr = /<svg data-barcode="qrcode" viewBox="0 0 (\d+) \1"/.exec(html);
    assert.ok(qr && Number(qr[1]) > 29, 'a version 4+ symbol from qrcode');
  }
});
