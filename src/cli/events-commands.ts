import type { Command } from 'commander';
import type { EventRecord } from '../storage/types.ts';
import { withCore } from './app-commands.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';

const line = (e: EventRecord) =>
  `${e.id}\t${e.status}\t${e.appid}\t${e.event}\t${e.stream}\tattempts=${e.attempts}${e.last_error ? `\t${e.last_error}` : ''}`;

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('the push outbox: deliveries and dead letters');
  events
    .command('list')
    .description('list events, newest first')
    .option('--failed', 'only dead letters (attempts used up)')
    .option('--appid <id>', 'only this app')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'JSON lines, with each attempt')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { failed?: boolean; appid?: string; limit: string; json?: boolean }) => {
      await withCore(opts, async (core) => {
        const list = await core.store.events.list({
          limit: Number(opts.limit),
          ...(opts.failed ? { status: 'dead' as const } : {}),
          ...(opts.appid ? { appid: opts.appid } : {}),
        });
        for (const e of list) {
          console.log(opts.json ? JSON.stringify({ ...e, attempts_log: await core.store.events.listAttempts(e.id) }) : line(e));
        }
      });
    });
  events
    .command('replay')
    .description('deliver a dead (or skipped) event again; a running server picks it up')
    .argument('<id>', 'event id')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (id: string, opts: StoreOptions) => {
      const ok = await withCore(opts, (core) => core.store.events.replay(Number(id), Date.now()));
      if (!ok) {
        console.error(`event ${id} is not dead or skipped`);
        process.exitCode = 1;
        return;
      }
      console.log(`event ${id} queued for delivery`);
    });
}
