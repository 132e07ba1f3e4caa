/**
 * The web console end to end in a real headless Chromium (Debian's
 * `chromium`, driven by playwright-core): orders made through the WeChat API,
 * found, opened, their label seen, a carrier action pressed, its node and push
 * attempt appearing; the request log explaining a failure. Each page is
 * screenshotted into docs/console-*.png (README's picture comes from this run).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApplication } from '../src/app.ts';
import { eventually, startReceiver, type Receiver } from './support/receiver.ts';
import { PATHS, startTestServer, testOrder, type TestServer } from './support/test-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
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

describe('web console in headless Chromium', () => {
  let server: TestServer;
  let receiver: Receiver;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const waybills: string[] = [];

  before(async () => {
    // CI installs Debian's chromium (.ci/run); a missing browser is a failure, never a skip.
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    receiver = await startReceiver();
    server = await startTestServer({ push: { backoffBaseMs: 100 } });
    const put = await fetch(`${server.url}/_wxl/api/apps/${server.appid}/push`, {
      method: 'PUT',
      headers: { 'x-wxl-admin-key': server.app.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, token: 'consoleToken1', mode: 'plain', format: 'json' }),
    });
    assert.equal(put.status, 200);
    for (let i = 1; i <= 4; i++) {
      const answer = await server.post(PATHS.addOrder, testOrder(`console-order-${i}`, { custom_remark: `第${i}单 易碎物品` }));
      assert.equal(answer.json.errcode, 0, answer.text);
      waybills.push(answer.json.waybill_id as string);
    }
    assert.equal(
      (await server.post(PATHS.bindAccount, { type: 'bind', biz_id: 'yto-console', delivery_id: 'YTO', password: 'pw' })).json.errcode,
      0,
    );
    await server.post(PATHS.addOrder, testOrder('console-yto-1', { delivery_id: 'YTO', biz_id: 'yto-console' }));
    const missing = await server.post(PATHS.getOrder, { order_id: 'no-such-order', delivery_id: 'TEST' });
    assert.equal(missing.json.errcode, 930563);

    profile = mkdtempSync(join(tmpdir(), 'wxl-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    mkdirSync(DOCS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await server?.close();
    await receiver?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(DOCS, `console-${name}.png`), fullPage });

  test('loopback opens the console without a key and shows the apps', async () => {
    await page.goto(`${server.url}/console`);
    const card = page.locator('[data-testid=app-card]');
    await card.first().waitFor();
    assert.equal(await card.getAttribute('data-appid'), server.appid);
    assert.match(await card.innerText(), /message push[\s\S]*plain/);
    assert.match(await card.locator('[data-testid=api-quota]').innerText(), /cgi-bin/, "today's use per API");
    assert.match((await page.locator('#sidebar').innerText()).toLowerCase(), /no key/);
    await shot('apps');
  });

  test('orders are listed and found by waybill_id', async () => {
    await page.click('[data-testid=nav-orders]');
    await page.locator('[data-testid=order-row]').first().waitFor();
    assert.equal(await page.locator('[data-testid=order-row]').count(), 5);
    await shot('orders');
    await page.fill('[data-testid=filter-waybill_id]', waybills[1]!);
    await page.click('[data-testid=search]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=order-row]').length === 1);
    assert.equal(await page.locator('[data-testid=order-row]').getAttribute('data-order-id'), 'console-order-2');
  });

  test('an order shows its label, and "signed" adds a node and a delivered push', async () => {
    await page.click('[data-testid=order-row]');
    const label = page.frameLocator('[data-testid=label-frame]');
    await label.locator('svg').first().waitFor({ state: 'visible' });
    assert.ok((await label.locator('svg').count()) >= 2, 'barcode and QR code are inline SVG');
    assert.match(await label.locator('body').innerText(), new RegExp(waybills[1]!.replace(/\s/g, '')));

    for (const action of [100001, 200001, 300002]) {
      await page.click(`[data-testid=action-${action}]`);
      await page.locator(`[data-testid=timeline-node][data-action-type="${action}"]`).waitFor();
    }
    await page.click('[data-testid=action-300003]');
    await page.locator('[data-testid=timeline-node][data-action-type="300003"]').waitFor();
    assert.equal(await page.locator('[data-testid=timeline-node]').count(), 5, '4 nodes and the creation');
    await receiver.waitFor(4, 15_000);
    assert.match(receiver.received[3]!.body, /add_express_path[\s\S]*300003/);
    // The fourth push (signed) shows up as delivered, with its attempt, without reloading.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=push-event][data-status=delivered] [data-testid=push-attempt]').length === 4,
      undefined,
      { timeout: 15_000 },
    );
    assert.match(await page.locator('[data-testid=order-status]').innerText(), /已签收/);
    await page.mouse.move(0, 0);
    await shot('order');

    await page.click('[data-testid=print-type-1]');
    await page.frameLocator('[data-testid=label-frame]').locator('svg').first().waitFor({ state: 'visible' });
    // The frame is laid out again for the new label: wait for its width instead of reading it once
    // (a read in between saw no box at all on a loaded machine).
    const width = await page
      .waitForFunction(
        () => {
          const w = document.querySelector('[data-testid=label-frame]')?.getBoundingClientRect().width ?? 0;
          return w > 0 && w < 300 ? w : false;
        },
        undefined,
        { timeout: 10_000 },
      )
      .then((h) => h.jsonValue())
      .catch(async () => (await page.locator('[data-testid=label-frame]').boundingBox())?.width);
    assert.ok(typeof width === 'number' && width > 0 && width < 300, `print_type 1 is 76 mm wide, got ${width}px`);
  });

  test('the request log shows the failing call with its explanation', async () => {
    await page.click('[data-testid=nav-log]');
    const failed = page.locator('[data-testid=log-row][data-errcode="930563"]');
    await failed.first().waitFor();
    assert.match(await failed.first().locator('[data-testid=explanation]').innerText(), /no order no-such-order with delivery_id TEST/);
    assert.doesNotMatch(await page.locator('[data-testid=log-table]').innerText(), /access_token=(?!\*\*\*)/, 'token values are hidden');
    // Live: a call made now appears without reloading.
    await server.get('/cgi-bin/express/business/delivery/getall', 'not-a-token');
    await page.locator('[data-testid=log-row][data-errcode="40001"]').first().waitFor();
    await shot('log', false);
  });

  test('accounts show the franchise quota, the clock moves by an hour', async () => {
    await page.click('[data-testid=nav-accounts]');
    await page.locator('[data-testid=accounts-table]').waitFor();
    assert.match(await page.locator('[data-testid=accounts-table]').innerText(), /yto-console[\s\S]*999/);
    await shot('accounts');

    await page.click('[data-testid=nav-clock]');
    const before = server.clock.offsetMs;
    await page.click('[data-testid=advance-3600]');
    await eventually(() => server.clock.offsetMs >= before + 3_600_000);
    await page.waitForFunction(() => /1 h/.test(document.querySelector('[data-testid=clock-offset]')?.textContent ?? ''));
    await shot('clock');
  });

  test('the faults page adds a rule, shows how often it fired, and clears it', async () => {
    await page.click('[data-testid=nav-faults]');
    await page.locator('[data-testid=fault-add]').waitFor();
    await page.fill('[data-testid=fault-json]', JSON.stringify({ api: 'getAllDelivery', errcode: 45009, times: 3 }));
    await page.click('[data-testid=fault-add]');
    await page.locator('[data-testid=fault-row]').waitFor();
    assert.deepEqual(
      server.app.faults.list().map((f) => [f.api, f.errcode, f.times]),
      [['getAllDelivery', 45009, 3]],
    );
    assert.equal((await server.get(PATHS.getAllDelivery)).json.errcode, 45009);
    assert.equal((await server.get(PATHS.getAllDelivery)).json.errcode, 45009);
    await page.waitForFunction(() => document.querySelector('[data-testid=fault-hits] b')?.textContent === '2', undefined, {
      timeout: 5000,
    });
    await page.fill('[data-testid=fault-json]', JSON.stringify({ api: 'getOrder', errcode: 'x' }));
    await page.click('[data-testid=fault-add]');
    await page.waitForFunction(() =>
      /errcode must be an integer/.test(document.querySelector('[data-testid=fault-note]')?.textContent ?? ''),
    );
    await shot('faults');
    await page.click('[data-testid=faults-clear]');
    await page.locator('[data-testid=fault-row]').waitFor({ state: 'detached' });
    assert.equal(server.app.faults.size, 0);
  });

  test('bound to 0.0.0.0, the console asks for the admin key and opens with it', async () => {
    const wide = await createApplication({ memory: true, adminKey: 'console-test-key' });
    await wide.core.apps.create({ appid: 'wx00000000000000b2', secret: 's' });
    const base = (await wide.listen({ host: '0.0.0.0', port: 0 })).replace('0.0.0.0', '127.0.0.1');
    const tab = await context.newPage();
    try {
      await tab.goto(`${base}/console`);
      await tab.locator('[data-testid=key-input]').waitFor();
      await tab.screenshot({ path: join(DOCS, 'console-key.png') });
      await tab.fill('[data-testid=key-input]', 'wrong-key');
      await tab.keyboard.press('Enter');
      await tab.locator('[data-testid=key-input]').waitFor();
      await tab.fill('[data-testid=key-input]', 'console-test-key');
      await tab.keyboard.press('Enter');
      await tab.locator('[data-testid=app-card][data-appid=wx00000000000000b2]').waitFor();
    } finally {
      await tab.close();
      await wide.close();
    }
  });
});
