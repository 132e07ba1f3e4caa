/**
 * Labels as a scanner sees them: each label is rendered by headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core) to a PNG, and zbar's `zbarimg` must read every
 * Code128 back as the waybill number and the QR as its text. Both print types of the built-in
 * label, and a carrier template whose ##CODE128 / ##QRCODE images are PNG data behind the
 * template's `data:image/jpeg;base64,` prefix.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { compileCarrierTemplate } from '../src/core/label/carrier-template.ts';
import type { LabelInput, PrintType } from '../src/core/label/label-input.ts';
import { renderLabelHtml } from '../src/core/label/render-label.ts';
import { SAMPLE_CARRIER_TEMPLATE, sampleCarrierValues } from './support/sample-carrier-template.ts';
import { SAMPLE_LABEL_INPUT } from './support/sample-label-input.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const base: LabelInput = SAMPLE_LABEL_INPUT;

describe('labels rendered by Chromium scan with zbar', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let shots = 0;

  before(async () => {
    // CI installs both (.ci/run); a missing tool is a failure, never a skip.
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    assert.doesNotThrow(() => execFileSync('zbarimg', ['--version']), 'zbarimg is missing: apt-get install zbar-tools');
    dir = mkdtempSync(join(tmpdir(), 'wxl-scan-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    // 3 device pixels per CSS pixel: about 290 dpi, a little above a 203 dpi thermal head.
    page = await browser.newPage({ viewport: { width: 400, height: 700 }, deviceScaleFactor: 3 });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What zbar reads in a PNG, as sorted `TYPE:text` lines (symbols of the same text count once). */
  function zbar(png: Buffer): string[] {
    const file = join(dir, `shot-${++shots}.png`);
    writeFileSync(file, png);
    let out: string;
    try {
      out = execFileSync('zbarimg', ['-q', '--nodbus', file], { encoding: 'utf8' });
    } catch (e) {
      // zbarimg exits 4 when it finds no symbol at all
      out = String((e as { stdout?: unknown }).stdout ?? '');
    }
    return out
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  }

  /** The symbols zbar finds in the whole rendered page. */
  async function scan(html: string): Promise<string[]> {
    await page.setContent(html, { waitUntil: 'load' });
    return zbar(await page.screenshot({ fullPage: true }));
  }

  /** The symbols zbar finds in each element matching `selector` of the page last set, one list per element. */
  async function scanEach(selector: string): Promise<string[][]> {
    const found: string[][] = [];
    for (const element of await page.locator(selector).all()) found.push(zbar(await element.screenshot()));
    return found;
  }

  for (const t of [0, 1] as PrintType[]) {
    test(`print type ${t}: the main Code128 and the tear-off stub read as the waybill number, the QR too`, async () => {
      for (const waybill_id of ['SF1234567890123', '773012345678901', 'TESTwb-1']) {
        const found = await scan(renderLabelHtml({ ...base, waybill_id }, t));
        assert.deepEqual(found, [`CODE-128:${waybill_id}`, `QR-Code:${waybill_id}`], `${waybill_id} type ${t}`);
        // zbar reports one symbol per text, so each barcode band is scanned on its own too
        assert.deepEqual(await scanEach('.bc, .bcs'), [[`CODE-128:${waybill_id}`], [`CODE-128:${waybill_id}`]], `${waybill_id} type ${t}`);
      }
    });
  }

  test("a carrier template's ##CODE128 and ##QRCODE images scan", async () => {
    const render = compileCarrierTemplate(SAMPLE_CARRIER_TEMPLATE);
    for (const [waybill, order] of [
      ['73100012345678', 'order-ZTO-0001'],
      ['ZT5000123456789', 'o_9f3a7c21-b2e4-4c8d'],
    ] as const) {
      const found = await scan(render(sampleCarrierValues(waybill, order)));
      assert.deepEqual(found, [`CODE-128:${waybill}`, `QR-Code:${order}`].sort());
    }
  });

  test('a Code128 missing one bar does not scan', async () => {
    const html = renderLabelHtml(base, 1);
    let symbols = 0;
    const tampered = html.replace(/<svg data-barcode="code128"[\s\S]*?<\/svg>/g, (svg) => {
      symbols++;
      let bar = 0;
      return svg.replace(/M\d+ 0h\d+v1h-\d+z/g, (m) => (++bar === 10 ? '' : m)); // the tenth bar goes
    });
    assert.equal(symbols, 2);
    assert.deepEqual(await scan(tampered), [`QR-Code:${base.waybill_id}`]);
    assert.deepEqual(await scanEach('.bc, .bcs'), [[], []]);
  });
});
