/** Labels through the wire (house rule 10) and durability across a restart. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeCode128Svg, findCode128Svgs } from './support/code128-decode.ts';
import { PATHS, startTestServer, testOrder } from './support/test-server.ts';

test('the Code128 in print_html decodes back to the waybill id, for both print types', async () => {
  const s = await startTestServer();
  try {
    const carriers = [
      testOrder('lbl-test'),
      testOrder('lbl-sf', { delivery_id: 'SF', biz_id: 'SF_CASH' }),
      testOrder('lbl-db', { delivery_id: 'DB', biz_id: 'DB_CASH', service: { service_type: 2, service_name: '特准快件' } }),
    ];
    for (const body of carriers) {
      const added = (await s.post(PATHS.addOrder, body)).json;
      assert.equal(added.errcode, 0);
      for (const [printType, size] of [
        [0, '100mm 180mm'],
        [1, '76mm 130mm'],
      ] as const) {
        const res = await s.post(PATHS.getOrder, { order_id: body.order_id, delivery_id: body.delivery_id, print_type: printType });
        const html = Buffer.from(res.json.print_html, 'base64').toString('utf8');
        assert.ok(html.includes(`size: ${size}`), `@page ${size}`);
        const svgs = findCode128Svgs(html);
        assert.ok(svgs.length >= 2, 'main barcode and the stub');
        for (const svg of svgs) assert.equal(decodeCode128Svg(svg), added.waybill_id);
        const mark = added.waybill_data.find((d: { key: string }) => d.key.endsWith('_mark'));
        assert.ok(html.includes(mark.value), '三段码 on the label');
        assert.ok(html.includes('王小蒙'), 'receiver');
        assert.ok(html.includes('易碎物品'), 'remark');
        assert.ok(!/(?:src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:/i.test(html), 'nothing fetched from the network');
      }
    }
    // Without print_type the two-part label is answered.
    const plain = await s.post(PATHS.getOrder, { order_id: 'lbl-sf', delivery_id: 'SF' });
    assert.ok(Buffer.from(plain.json.print_html, 'base64').toString('utf8').includes('size: 100mm 180mm'));
  } finally {
    await s.close();
  }
});

test('orders written before a restart are read back after it, byte-identical', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-restart-'));
  try {
    const first = await startTestServer({ dataDir: dir });
    const token = await first.token();
    const refs = [];
    for (let i = 0; i < 5; i++) {
      const body = i % 2 ? testOrder(`r-${i}`) : testOrder(`r-${i}`, { delivery_id: 'SF', biz_id: 'SF_CASH' });
      const added = await first.post(PATHS.addOrder, body, token);
      refs.push({ body, added: added.text, ref: { order_id: body.order_id, delivery_id: body.delivery_id } });
    }
    await first.post(PATHS.cancelOrder, { ...refs[1]!.ref, waybill_id: JSON.parse(refs[1]!.added).waybill_id }, token);
    const before = [];
    for (const r of refs) {
      before.push(
        (await first.post(PATHS.getOrder, r.ref, token)).text,
        (await first.post(PATHS.getOrder, { ...r.ref, print_type: 1 }, token)).text,
      );
    }
    await first.close();

    const second = await startTestServer({ dataDir: dir });
    try {
      const token2 = await second.token(first.appid, first.secret);
      const after = [];
      for (const r of refs) {
        after.push(
          (await second.post(PATHS.getOrder, r.ref, token2)).text,
          (await second.post(PATHS.getOrder, { ...r.ref, print_type: 1 }, token2)).text,
        );
      }
      assert.deepEqual(after, before);
      assert.equal(JSON.parse(after[2]!).order_status, 1, 'the cancel survived');
      for (const r of refs) assert.equal((await second.post(PATHS.addOrder, r.body, token2)).text, r.added, 'replay after restart');
      const fresh = await second.post(PATHS.addOrder, testOrder('r-new'), token2);
      const ids = new Set([...refs.map((r) => JSON.parse(r.added).waybill_id), fresh.json.waybill_id]);
      assert.equal(ids.size, 6, 'waybill numbers are never reused after a restart');
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
