import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdjustableClock } from './clock.ts';
import { RidLog, type RidEntry } from './rid-log.ts';
import { SqliteStore } from '../storage/sqlite/sqlite-store.ts';

const entry = (rid: string, failed: boolean): RidEntry => ({
  rid,
  appid: 'wx0000000000000001',
  cgi_path: '/cgi-bin/express/business/order/get',
  invoke_time: 1_700_000_000,
  cost_in_ms: 1,
  request_url: 'access_token=x',
  request_body: '{}',
  response_body: Buffer.alloc(10_000, 0x61),
  client_ip: '127.0.0.1',
  failed,
});

test('rid log: successes waiting in memory are capped (they hold whole answers); failures are kept; a success past the cap is not recorded', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.init();
  try {
    const log = new RidLog(store, new AdjustableClock(), { successPendingMax: 50 });
    for (let i = 0; i < 1_000; i++) log.record(entry(`s-${i}`, false));
    for (let i = 0; i < 300; i++) log.record(entry(`f-${i}`, true));
    assert.equal(log.waiting, 350, '50 successes and every failure');
    assert.equal(log.dropped, 950);
    assert.equal((await log.find('s-0'))?.rid, 's-0', 'the first successes wait');
    assert.equal(await log.find('s-50'), undefined, 'those past the cap were not recorded');
    assert.equal(await log.find('s-999'), undefined);
    assert.equal((await log.find('f-0'))?.rid, 'f-0');
  } finally {
    await store.close();
  }
});
