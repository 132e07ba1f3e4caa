/**
 * The README's run command starts a server that an unmodified
 * WeChat SDK (node-easywechat, pointed at the base URL) uses to get a token, create a
 * TEST order and fetch its label.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeCode128Svg, findCode128Svgs } from './support/code128-decode.ts';
import { startServerProcess } from './support/server-process.ts';
import { testOrder } from './support/test-server.ts';

interface EasyResponse {
  toObject(): Record<string, any>;
}
interface EasyClient {
  postJson(url: string, data: object): Promise<EasyResponse>;
  get(url: string): Promise<EasyResponse>;
}
interface EasyMiniApp {
  getClient(): EasyClient;
  getAccessToken(): { getToken(): Promise<string> };
}

test('node-easywechat gets a token, creates a TEST order and fetches its label from `wxlogistics serve`', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'wxl-easywechat-'));
  // What `npx wxlogistics serve` runs after `npm install`: the compiled dist/ when it was built.
  const built = existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));
  const server = await startServerProcess(['--memory'], { WXL_FROM_SOURCE: built ? '0' : '1' });
  try {
    const m = /appid: (\S+)\s+secret: (\S+)/.exec(server.output());
    assert.ok(m, server.output());
    const { MiniApp } = createRequire(import.meta.url)('node-easywechat') as { MiniApp: new (config: object) => EasyMiniApp };
    const app = new MiniApp({ app_id: m[1], secret: m[2], http: { baseURL: `${server.url}/` }, file_cache: { path: cacheDir } });
    const token = await app.getAccessToken().getToken();
    assert.match(token, /^\d+_[A-Za-z0-9_-]{130,}$/);
    const client = app.getClient();
    const delivery = (await client.get('cgi-bin/express/business/delivery/getall')).toObject();
    assert.ok(delivery.data.some((d: { delivery_id: string }) => d.delivery_id === 'TEST'));
    const added = (await client.postJson('cgi-bin/express/business/order/add', testOrder('easy-1'))).toObject();
    assert.equal(added.errcode, 0);
    const got = (
      await client.postJson('cgi-bin/express/business/order/get', {
        order_id: 'easy-1',
        delivery_id: 'TEST',
        waybill_id: added.waybill_id,
        print_type: 1,
      })
    ).toObject();
    assert.equal(got.order_id, 'easy-1');
    const html = Buffer.from(got.print_html, 'base64').toString('utf8');
    assert.equal(decodeCode128Svg(findCode128Svgs(html)[0]!), added.waybill_id);
  } finally {
    await server.kill();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
