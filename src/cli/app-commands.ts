import type { Command } from 'commander';
import { openStore } from '../app.ts';
import { AdjustableClock } from '../core/clock.ts';
import { LogisticsCore } from '../core/logistics-core.ts';
import { dataOption } from './options.ts';

async function withCore<T>(dataDir: string, fn: (core: LogisticsCore) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir });
  try {
    return await fn(new LogisticsCore(store, new AdjustableClock()));
  } finally {
    await store.close();
  }
}

export function registerAppCommands(program: Command): void {
  const app = program.command('app').description('manage mini programs (apps)');
  app
    .command('create')
    .description('create an app; prints its appid and secret (the secret is stored only as a hash)')
    .addOption(dataOption())
    .option('--appid <id>', 'appid (default: a random wx… id)')
    .option('--secret <secret>', 'secret (default: random)')
    .option('--json', 'print {"appid":…,"secret":…}')
    .action(async (opts: { data: string; appid?: string; secret?: string; json?: boolean }) => {
      const created = await withCore(opts.data, (core) => core.apps.create({ appid: opts.appid, secret: opts.secret }));
      console.log(opts.json ? JSON.stringify(created) : `appid: ${created.appid}\nsecret: ${created.secret}`);
    });
  app
    .command('list')
    .description('list apps')
    .addOption(dataOption())
    .option('--json', 'print JSON lines')
    .action(async (opts: { data: string; json?: boolean }) => {
      const apps = await withCore(opts.data, (core) => core.apps.list());
      for (const a of apps) {
        console.log(opts.json ? JSON.stringify({ appid: a.appid, created_at: a.created_at }) : `${a.appid}\tcreated ${new Date(a.created_at * 1000).toISOString()}`);
      }
    });
}

export { withCore };
