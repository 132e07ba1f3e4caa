/**
 * The store conformance suite (src/storage/conformance.ts) on SQLite: in memory,
 * and on a file that can be closed and opened again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { runStoreConformance } from '../src/storage/conformance.ts';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../src/storage/types.ts';

const SINGLE_PROCESS = 'SQLite is the single-process store: one SqliteStore per database file (several instances need PostgreSQL)';
const SINGLE_PROCESS_LEASES = 'SQLite is single-process: after a restart every lease is its own dead one, so releaseLeases drops them all';

const open = async (filename: string): Promise<SqliteStore> => {
  const store = new SqliteStore({ filename });
  await store.init();
  return store;
};

const common: Record<string, string> = {
  'two instances: an order written through one is read through the other': SINGLE_PROCESS,
  'two instances: concurrent addNumber through both loses no add': SINGLE_PROCESS,
  'two instances: concurrent insertIfAbsent of one order through both inserts it once': SINGLE_PROCESS,
  'two instances: apps.lock serialises read-modify-write transactions across both': SINGLE_PROCESS,
  'two instances: quota, sequences and scheduled steps are handed out once across both': SINGLE_PROCESS,
  'two instances: concurrent claimDue through both hands each event to one owner, one per stream': SINGLE_PROCESS,
  'events: releaseLeases keeps the live leases of other instances': SINGLE_PROCESS_LEASES,
  'two instances: concurrent addUsage through both loses no increment': SINGLE_PROCESS,
};

runStoreConformance({
  name: 'sqlite :memory:',
  newStore: () => open(':memory:'),
  skip: {
    ...common,
    'reopen: a store opened again on the same data sees every row (init twice changes nothing)':
      'an in-memory database ends with its connection',
  },
});

const dir = mkdtempSync(join(tmpdir(), 'wxl-store-conformance-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const files = new Map<Store, string>();

runStoreConformance({
  name: 'sqlite file',
  async newStore() {
    const filename = join(dir, `store-${++n}.sqlite`);
    const store = await open(filename);
    files.set(store, filename);
    return store;
  },
  async reopen(store) {
    const filename = files.get(store);
    if (filename === undefined) throw new Error('reopen: unknown store');
    await store.close();
    const again = await open(filename);
    files.set(again, filename);
    return again;
  },
  async cleanup(store) {
    await store.close();
    const filename = files.get(store);
    if (filename !== undefined) for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
  },
  skip: common,
});
