/** Conformance cases: the carrier registry, the carrier event log, orders by waybill number. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance.ts';
import { APP, APP2, order, withApps } from './conformance-fixtures.ts';
import type { CarrierRecord, NewCarrierEvent } from './carrier-store.ts';

const carrier = (delivery_id: string, over: Partial<CarrierRecord> = {}): CarrierRecord => ({
  delivery_id,
  name: `${delivery_id} 快递`,
  appid: APP2,
  url: 'http://127.0.0.1:1/carrier',
  token: 'carriertoken',
  encoding_aes_key: '',
  mode: 'plain',
  format: 'xml',
  services: [{ service_type: 0, service_name: '标准快递' }],
  template: '<html>##VAR(sys.waybillid)</html>',
  waybill_source: 'segment',
  review: false,
  created_at: 1_700_000_000,
  updated_at: 1_700_000_000,
  ...over,
});

const carrierEvent = (over: Partial<NewCarrierEvent> = {}): NewCarrierEvent => ({
  delivery_id: 'ACME',
  appid: APP,
  order_id: 'o1',
  event: 'add_waybill',
  started_at: 1_700_000_000_123,
  duration_ms: 7,
  attempts: 1,
  url: 'http://127.0.0.1:1/carrier?signature=x',
  request_body: '<xml><Event><![CDATA[add_waybill]]></Event></xml>',
  status_code: 200,
  reply_body: '{"ResultCode":0,"中":"文"}',
  outcome: 'ok',
  result_code: 0,
  error: null,
  ...over,
});

export const carrierCases: ConformanceCase[] = [
  [
    'carriers: put reads back unchanged (services, review, template); put again replaces it; unknown is undefined',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      const c = carrier('ACME', {
        review: true,
        mode: 'secure',
        encoding_aes_key: 'a'.repeat(43),
        services: [
          { service_type: 0, service_name: '标准快递' },
          { service_type: 7, service_name: '次日达' },
        ],
      });
      await store.carriers.put(c);
      assert.deepEqual(await store.carriers.get('ACME'), c);
      const changed = { ...c, url: 'http://127.0.0.1:2/x', review: false, template: '', updated_at: 1_700_000_500 };
      await store.carriers.put(changed);
      assert.deepEqual(await store.carriers.get('ACME'), changed);
      assert.equal(await store.carriers.get('NOPE'), undefined);
    },
  ],
  [
    'carriers: list is in delivery_id byte order; delete answers whether there was one; deleting its app deletes it',
    async ({ store }) => {
      await withApps(store, APP, APP2, 'wxc000000000000003');
      await store.carriers.put(carrier('ZTO', { appid: APP2 }));
      await store.carriers.put(carrier('ACME', { appid: 'wxc000000000000003' }));
      await store.carriers.put(carrier('Abc', { appid: APP }));
      assert.deepEqual(
        (await store.carriers.list()).map((c) => c.delivery_id),
        ['ACME', 'Abc', 'ZTO'],
      );
      assert.equal(await store.carriers.delete('ACME'), true);
      assert.equal(await store.carriers.delete('ACME'), false);
      assert.equal(await store.resetApp(APP2), true);
      assert.deepEqual(
        (await store.carriers.list()).map((c) => c.delivery_id),
        ['Abc'],
      );
    },
  ],
  [
    'carriers: a put inside a rolled-back transaction leaves nothing',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.carriers.put(carrier('ACME'));
          throw new Error('boom');
        }),
      );
      assert.equal(await store.carriers.get('ACME'), undefined);
    },
  ],
  [
    'carrier events: insert answers increasing ids; get reads back; list is newest first by carrier, app+order, beforeId, limit',
    async ({ store }) => {
      const a = await store.carrierEvents.insert(carrierEvent());
      const b = await store.carrierEvents.insert(
        carrierEvent({
          delivery_id: 'ZTO',
          order_id: '',
          event: 'check_biz',
          status_code: null,
          outcome: 'failed',
          result_code: null,
          error: 'no answer within 5000 ms',
        }),
      );
      const c = await store.carrierEvents.insert(carrierEvent({ order_id: 'o2', outcome: 'rejected', result_code: 20007 }));
      assert.ok(a < b && b < c);
      assert.deepEqual(await store.carrierEvents.get(a), { id: a, ...carrierEvent() });
      assert.equal((await store.carrierEvents.get(b))?.status_code, null);
      assert.equal(await store.carrierEvents.get(c + 100), undefined);
      const ids = async (f: Parameters<typeof store.carrierEvents.list>[0]) => (await store.carrierEvents.list(f)).map((e) => e.id);
      assert.deepEqual(await ids({ limit: 10 }), [c, b, a]);
      assert.deepEqual(await ids({ delivery_id: 'ACME', limit: 10 }), [c, a]);
      assert.deepEqual(await ids({ appid: APP, order_id: 'o1', limit: 10 }), [a]);
      assert.deepEqual(await ids({ beforeId: c, limit: 1 }), [b]);
    },
  ],
  [
    'orders: getByWaybill finds the order holding a waybill number, in any app; unknown is undefined',
    async ({ store }) => {
      await withApps(store, APP, APP2);
      await store.orders.insertIfAbsent(order('o1'));
      await store.orders.insertIfAbsent(order('o1', { appid: APP2, waybill_id: 'WB-2' }));
      assert.deepEqual(await store.orders.getByWaybill('WB-2'), order('o1', { appid: APP2, waybill_id: 'WB-2' }));
      assert.equal((await store.orders.getByWaybill(order('o1').waybill_id))?.appid, APP);
      assert.equal(await store.orders.getByWaybill('WB-none'), undefined);
    },
  ],
];
