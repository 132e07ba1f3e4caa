/**
 * On a file, the SQLite store's writing connection caches less than better-sqlite3's 16 MB
 * default: its cache fills with the pages it writes and stays full under load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';

const cacheKib = (store: SqliteStore): number => -(store.db.pragma('cache_size', { simple: true }) as number);

test('on a file the writing connection caches at most 4 MB; in memory the cache is the database and is not capped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sqlite-cache-'));
  const onFile = new SqliteStore({ filename: join(dir, 'store.sqlite') });
  const inMemory = new SqliteStore({ filename: ':memory:' });
  try {
    await onFile.init();
    await inMemory.init();
    assert.equal(cacheKib(onFile), 4096);
    assert.equal(cacheKib(inMemory), 16000, "better-sqlite3's default");
  } finally {
    await onFile.close();
    await inMemory.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
