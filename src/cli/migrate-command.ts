/**
 * `wxlogistics migrate [--store URL] [--data DIR]`: applies the pending schema
 * migrations (src/storage/migrations.ts) and reports the versions. Safe to run
 * while instances start: PostgreSQL migrates under an advisory lock.
 */
import type { Command } from 'commander';
import { createStore } from '../app.ts';
import { migrations } from '../storage/migrations.ts';
import type { PostgresStore } from '../storage/postgres/postgres-store.ts';
import { SqliteStore } from '../storage/sqlite/sqlite-store.ts';
import { dataOption, storeOption } from './options.ts';

function sqliteVersions(store: SqliteStore): number[] {
  const table = store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return [];
  return (store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending schema migrations to the store and print the schema version')
    .addOption(storeOption())
    .addOption(dataOption())
    .option('--json', 'print {"store":…,"applied":[…],"version":N}')
    .action(async (opts: { store?: string; data: string; json?: boolean }) => {
      const store = await createStore({ storeUrl: opts.store, dataDir: opts.data });
      const where =
        store.kind === 'postgres'
          ? (await import('../storage/postgres/postgres-store.ts')).redactUrl(opts.store ?? '')
          : `${opts.data} (SQLite)`;
      try {
        let applied: number[];
        if (store.kind === 'postgres') {
          applied = await (store as unknown as PostgresStore).migrate();
        } else if (store instanceof SqliteStore) {
          const before = sqliteVersions(store);
          await store.init();
          applied = sqliteVersions(store).filter((v) => !before.includes(v));
        } else {
          await store.init();
          applied = [];
        }
        const version = Math.max(0, ...migrations.map((m) => m.version));
        if (opts.json) {
          console.log(JSON.stringify({ store: where, applied, version }));
        } else {
          console.log(
            applied.length
              ? `${where}: applied migrations ${applied.join(', ')}; schema version ${version}`
              : `${where}: up to date at schema version ${version}`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
