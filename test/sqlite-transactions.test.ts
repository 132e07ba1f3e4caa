/**
 * SQLite's transaction queue: transactions asked for in one event-loop turn share one
 * COMMIT, and a write lock held elsewhere fails the waiting transactions without stopping
 * the store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { APP, order, withApps } from '../src/storage/conformance-fixtures.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';

async function withFileStore(fn: (store: SqliteStore, file: string) => Promise<void>, busyTimeoutMs?: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sqlite-tx-'));
  const file = join(dir, 'store.sqlite');
  const store = new SqliteStore({ filename: file, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
  await store.init();
  try {
    await withApps(store);
    await fn(store, file);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('transactions asked for in one turn are committed together: when the first is settled, all are', async () => {
  await withFileStore(async (store, file) => {
    const ids = Array.from({ length: 10 }, (_, i) => `turn-${i}`);
    const settled = ids.map((id) => store.transaction((tx) => tx.orders.insertIfAbsent(order(id))));
    await settled[0];
    const other = new Database(file, { readonly: true });
    try {
      const committed = other.prepare("SELECT count(*) FROM orders WHERE appid = ? AND order_id LIKE 'turn-%'").pluck().get(APP);
      assert.equal(committed, ids.length);
    } finally {
      other.close();
    }
    await Promise.all(settled);
  });
});

test('a write lock held by another connection fails the waiting transactions; the next ones commit', async () => {
  await withFileStore(async (store, file) => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const blocked = [
      store.transaction((tx) => tx.orders.insertIfAbsent(order('blocked-1'))),
      store.transaction((tx) => tx.orders.insertIfAbsent(order('blocked-2'))),
    ];
    for (const outcome of await Promise.allSettled(blocked)) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String((outcome as PromiseRejectedResult).reason), /locked|busy/i);
    }
    other.exec('ROLLBACK');
    other.close();
    const after = await store.transaction((tx) => tx.orders.insertIfAbsent(order('after')));
    assert.equal(after.inserted, true);
    assert.equal(await store.orders.get(APP, 'blocked-1'), undefined, 'nothing of the failed ones was written');
    assert.equal((await store.orders.get(APP, 'after'))?.order_id, 'after');
  }, 50);
});
