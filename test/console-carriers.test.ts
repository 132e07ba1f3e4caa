/**
 * The console's Carriers page in a real headless Chromium: a registered carrier (a fake
 * carrier server on 127.0.0.1), its event log with outcomes and raw bodies, and the carrier
 * events on the order page. Screenshot: docs/console-carriers.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startFakeCarrier } from './support/fake-carrier.ts';
import { PATHS, startTestServer, testOrder } from './support/test-server.ts';

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

test('Carriers page: the registry, the event log (ok and rejected, raw bodies), carrier events on the order page', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  const s = await startTestServer({ carrier: { timeoutMs: 2000, attempts: 1 } });
  const c = await startFakeCarrier({ token: 'consoleTok1', appid: 'wxconsolecarrier01' });
  const profile = mkdtempSync(join(tmpdir(), 'wxl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
  try {
    await s.app.core.carrierRegistry.add({
      delivery_id: 'ACME',
      name: '极速快递',
      url: c.url,
      token: 'consoleTok1',
      format: 'json',
      services: ['0:标准快递'],
      appid: 'wxconsolecarrier01',
    });
    assert.equal(
      (await s.post(PATHS.bindAccount, { type: 'bind', biz_id: 'acme_biz', delivery_id: 'ACME', password: 'p' })).json.errcode,
      0,
    );
    assert.equal((await s.post(PATHS.addOrder, testOrder('console-acme-1', { delivery_id: 'ACME', biz_id: 'acme_biz' }))).json.errcode, 0);
    c.plans.add_waybill = { resultCode: 20007, resultMsg: '余额不足' };
    assert.equal(
      (await s.post(PATHS.addOrder, testOrder('console-acme-2', { delivery_id: 'ACME', biz_id: 'acme_biz' }))).json.errcode,
      9300501,
    );

    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${s.url}/console/#/carriers`);
    await page.locator('[data-testid=carriers-table] tbody tr').first().waitFor();
    assert.match(await page.locator('[data-testid=carriers-table]').innerText(), /ACME[\s\S]*极速快递[\s\S]*plain \/ json/);
    const log = page.locator('[data-testid=carrier-events] tbody tr');
    await log.first().waitFor();
    assert.equal(await log.count(), 3);
    const text = await page.locator('[data-testid=carrier-events]').innerText();
    assert.match(text, /add_waybill[\s\S]*20007/);
    assert.match(text, /check_biz/);
    await log.first().locator('details').nth(1).locator('summary').click();
    assert.match(await log.first().locator('details').nth(1).innerText(), /余额不足/);
    await page.screenshot({ path: fileURLToPath(new URL('../docs/console-carriers.png', import.meta.url)), fullPage: true });

    await page.goto(`${s.url}/console/#/order/${s.appid}/console-acme-1`);
    const onOrder = page.locator('[data-testid=order-carrier-events]');
    await onOrder.waitFor();
    assert.match(await onOrder.innerText(), /add_waybill[\s\S]*ACME/);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await c.close();
    await s.close();
  }
});
