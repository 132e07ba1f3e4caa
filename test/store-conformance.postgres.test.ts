/**
 * The store conformance suite (src/storage/conformance.ts) on PostgreSQL. Every
 * case gets a schema of its own, `wxl_test_<pid>_<random>_<n>`, dropped when the
 * case ends (and any left over at the end of the run). PostgreSQL must be
 * reachable: this suite fails, it never skips.
 *
 * WXL_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { runStoreConformance } from '../src/storage/conformance.ts';
import { PostgresStore, redactUrl } from '../src/storage/postgres/postgres-store.ts';
import { migrations } from '../src/storage/migrations.ts';
import type { Store } from '../src/storage/types.ts';

const URL = process.env.WXL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `wxl_test_${process.pid}_${randomBytes(4).toString('hex')}`;
let n = 0;

const open = async (schema: string): Promise<PostgresStore> => {
  const store = new PostgresStore({ connectionString: URL, schema, max: 6 });
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
};
const asPg = (store: Store): PostgresStore => {
  if (!(store instanceof PostgresStore)) throw new Error('not a PostgresStore');
  return store;
};

test(`postgres: the database at ${redactUrl(URL)} is reachable (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)`, async () => {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    assert.equal((await client.query('SELECT 1 AS one')).rows[0]?.one, 1);
  } finally {
    await client.end();
  }
});

runStoreConformance({
  name: 'postgres',
  newStore: () => open(`${RUN}_${++n}`),
  async reopen(store) {
    const schema = asPg(store).schema!;
    await store.close();
    return open(schema);
  },
  peer: (store) => open(asPg(store).schema!),
  async cleanup(store) {
    try {
      await asPg(store).dropSchema();
    } finally {
      await store.close();
    }
  },
  skip: {
    'events: releaseLeases drops live leases too (a single-process store restarting owns them all)':
      'on PostgreSQL other live instances hold leases in the same table; releaseLeases only clears lapsed ones (postgres-events.ts)',
  },
});

test('postgres: several instances initialising one fresh schema at once apply each migration once', async () => {
  const schema = `${RUN}_init`;
  const stores = Array.from({ length: 5 }, () => new PostgresStore({ connectionString: URL, schema, max: 2 }));
  try {
    const applied = await Promise.all(stores.map((s) => s.migrate()));
    assert.deepEqual(
      applied.flat().sort((a, b) => a - b),
      migrations.map((m) => m.version),
    );
    assert.deepEqual(
      await stores[0]!.appliedVersions(),
      migrations.map((m) => m.version),
    );
    assert.deepEqual(await stores[1]!.migrate(), []);
  } finally {
    await stores[0]!.dropSchema();
    await Promise.all(stores.map((s) => s.close()));
  }
});

test("postgres: BIGINT columns come back as numbers without changing pg's global parsers", async () => {
  const store = await open(`${RUN}_types`);
  try {
    await store.apps.insert({ appid: 'wx1', secret_hash: 'h', created_at: 2 ** 40 });
    assert.equal((await store.apps.get('wx1'))?.created_at, 2 ** 40);
    assert.equal(typeof pg.types.getTypeParser(pg.types.builtins.INT8)('12'), 'string');
  } finally {
    await store.dropSchema();
    await store.close();
  }
});

test('postgres: an unreachable server fails init with a message naming it', async () => {
  const store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
  try {
    await assert.rejects(store.init(), /PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test cannot be used/);
  } finally {
    await store.close();
  }
});

after(async () => {
  // Schemas of cases that crashed before their cleanup.
  const client = new pg.Client({ connectionString: URL });
  try {
    await client.connect();
    const left = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${RUN}%`]);
    for (const { nspname } of left.rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  } catch {
    // unreachable: the reachability test has failed already
  } finally {
    await client.end().catch(() => undefined);
  }
});
