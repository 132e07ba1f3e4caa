/**
 * The one clock's offset lives in the store: moves made at once through several
 * instances on one PostgreSQL schema all count (no read-then-write race).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { AdjustableClock } from '../src/core/clock.ts';
import { ClockService } from '../src/core/clock-service.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';

const URL = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `wxl_test_${process.pid}_${randomBytes(4).toString('hex')}_clock`;

after(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
});

test('three instances moving the clock at once on PostgreSQL: every move counts, all agree', async () => {
  const stores = [0, 1, 2].map(() => new PostgresStore({ connectionString: URL, schema: SCHEMA, max: 4 }));
  for (const store of stores) await store.init();
  try {
    const services = stores.map((store) => new ClockService(store, new AdjustableClock()));
    await Promise.all(services.flatMap((svc) => Array.from({ length: 8 }, () => svc.advance(60))));
    const expected = 3 * 8 * 60_000;
    assert.equal(Number(await stores[0]!.settings.get('clock_offset_ms')), expected);
    for (const svc of services) {
      await svc.sync();
      assert.equal(svc.clock.offsetMs, expected);
    }
  } finally {
    for (const store of stores) await store.close();
  }
});

test('advance answers the moved time and keeps it across a reopen (SQLite)', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.init();
  try {
    const svc = new ClockService(store, new AdjustableClock());
    const before = Date.now() / 1000;
    const now = await svc.advance(3600);
    assert.ok(now >= Math.floor(before + 3600) && now <= before + 3602, `${now}`);
    const other = new ClockService(store, new AdjustableClock());
    await other.sync();
    assert.equal(other.clock.offsetMs, 3_600_000);
    await assert.rejects(svc.advance(0), RangeError);
  } finally {
    await store.close();
  }
});
