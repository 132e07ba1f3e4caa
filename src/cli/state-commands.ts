/**
 * `wxlogistics export [--appid ID] > state.jsonl`, `wxlogistics import [--replace] < state.jsonl`,
 * `wxlogistics reset --appid ID`: the whole state of one or all apps
 * as JSON lines, between any two stores (`--data DIR` for SQLite, `--store URL`
 * for PostgreSQL). Format and guarantees: src/storage/state.ts.
 */
import { createReadStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openStore } from '../app.ts';
import { StateFormatError, type ImportSummary, type StateRecord } from '../storage/state.ts';
import type { Store } from '../storage/types.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';

const usesPostgres = (where: StoreOptions): boolean => where.store !== undefined && where.store !== '';

async function withStore<T>(where: StoreOptions, fn: (store: Store) => Promise<T>, mustExist = false): Promise<T> {
  // Reading from a data directory that is not there would create an empty store in it: refuse instead.
  if (mustExist && !usesPostgres(where) && !existsSync(join(resolve(where.data), 'wxlogistics.sqlite'))) {
    throw new Error(`no wxlogistics store in ${where.data} (expected ${join(where.data, 'wxlogistics.sqlite')})`);
  }
  const store = await openStore({ dataDir: where.data, storeUrl: where.store });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Writes lines to stdout in chunks, waiting when the pipe is full. */
async function writeLines(records: AsyncIterable<StateRecord>): Promise<number> {
  let chunk = '';
  let n = 0;
  const flush = async () => {
    if (chunk === '') return;
    const ok = process.stdout.write(chunk);
    chunk = '';
    if (!ok) await once(process.stdout, 'drain');
  };
  for await (const record of records) {
    chunk += `${JSON.stringify(record)}\n`;
    n++;
    if (chunk.length >= 64 * 1024) await flush();
  }
  await flush();
  return n;
}

/** JSON lines from a file or stdin; a line that is not JSON is an error naming it. */
async function* readLines(file: string | undefined): AsyncGenerator<StateRecord> {
  const input = file === undefined || file === '-' ? process.stdin : createReadStream(file);
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as StateRecord;
    } catch {
      throw new StateFormatError(`line ${n}: not JSON`);
    }
  }
}

/** Runs a command; an error is one line on stderr and exit code 1 (no stack trace for a refused import). */
const reported =
  <A extends unknown[]>(name: string, fn: (...args: A) => Promise<void>) =>
  async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      process.stderr.write(`wxlogistics ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  };

const describe = (s: ImportSummary): string => {
  const rows = Object.entries(s.rows)
    .map(([table, count]) => `${table} ${count}`)
    .join(', ');
  const replaced = s.replaced.length ? `; replaced ${s.replaced.join(', ')}` : '';
  return `imported ${s.apps.length} app(s)${s.apps.length ? ` (${s.apps.join(', ')})` : ''}${replaced}: ${rows || 'no rows'}`;
};

export function registerStateCommands(program: Command): void {
  program
    .command('export')
    .description('write the state of all apps (or one) as JSON lines to stdout, from one consistent snapshot; tokens are not exported')
    .option('--appid <id>', 'only this app (its rows, its settings, and the waybill counters)')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(
      reported('export', async (opts: StoreOptions & { appid?: string }) => {
        await withStore(
          opts,
          async (store) => {
            if (opts.appid !== undefined && !(await store.apps.get(opts.appid))) throw new Error(`no app ${opts.appid}`);
            const n = await writeLines(store.exportState(opts.appid));
            process.stderr.write(`exported ${n - 1} row(s)${opts.appid ? ` of ${opts.appid}` : ''}\n`);
          },
          true,
        );
      }),
    );
  program
    .command('import')
    .description('read an export (stdin or FILE) into the store in one transaction: on any error nothing is written')
    .argument('[file]', 'the export (default: stdin)')
    .option('--replace', 'reset apps that exist on the target first (default: an existing app is an error)')
    .option('--json', 'print the summary as JSON')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(
      reported('import', async (file: string | undefined, opts: StoreOptions & { replace?: boolean; json?: boolean }) => {
        const summary = await withStore(opts, (store) => store.importState(readLines(file), { replace: opts.replace ?? false }));
        console.log(opts.json ? JSON.stringify(summary) : describe(summary));
      }),
    );
  program
    .command('reset')
    .description('delete an app and all of its state (orders, paths, accounts, printers, push config, events, tokens, settings)')
    .requiredOption('--appid <id>', 'the app')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(
      reported('reset', async (opts: StoreOptions & { appid: string }) => {
        const deleted = await withStore(opts, (store) => store.resetApp(opts.appid), true);
        if (!deleted) throw new Error(`no app ${opts.appid}`);
        console.log(`reset ${opts.appid}: the app and all of its state are deleted`);
      }),
    );
}
