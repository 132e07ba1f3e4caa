/**
 * `wxlogistics app limits`: an app's call limits per API (daily_limit, rate_limit)
 * and today's use. A running server picks changed limits up within a flush
 * interval (it re-reads them from the store).
 */
import type { Command } from 'commander';
import { overrideFromJson } from '../core/api-quota.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';
import { withCore } from './app-commands.ts';

interface LimitsOptions extends StoreOptions {
  appid: string;
  cgiPath?: string;
  dailyLimit?: string;
  rateCount?: string;
  rateSeconds?: string;
  remove?: boolean;
  json?: boolean;
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/**
 * @example wxlogistics app limits --appid wx123 --cgi-path /cgi-bin/express/business/order/get --daily-limit 1000
 */
export function registerLimitsCommand(app: Command): void {
  app
    .command('limits')
    .description("show or set an app's call limits per API (45009 daily_limit, 45011 rate_limit) and today's use")
    .requiredOption('--appid <id>', 'the app')
    .option('--cgi-path <path>', 'the API path (e.g. /cgi-bin/express/business/order/get), or * for every path of the app')
    .option('--daily-limit <n>', 'calls a day (Beijing time)')
    .option('--rate-count <n>', 'calls per period (rate_limit.call_count)')
    .option('--rate-seconds <s>', 'the period in seconds (rate_limit.refresh_second)')
    .option('--remove', 'drop the override of --cgi-path (back to the default)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: LimitsOptions) => {
      const out = await withCore(opts, async (core) => {
        const m = core.apiManagement;
        if (!(await core.store.apps.get(opts.appid))) throw new Error(`no app ${opts.appid}`);
        const setting = opts.dailyLimit !== undefined || opts.rateCount !== undefined || opts.rateSeconds !== undefined;
        if ((setting || opts.remove) && opts.cgiPath === undefined) throw new Error('--cgi-path is required to set or remove a limit');
        if (opts.remove) {
          if (!(await m.deleteLimit(opts.appid, opts.cgiPath!))) throw new Error(`no limit for ${opts.cgiPath} in app ${opts.appid}`);
        } else if (setting) {
          await m.setLimit(
            opts.appid,
            overrideFromJson({
              cgi_path: opts.cgiPath,
              daily_limit: num(opts.dailyLimit),
              rate_limit: { call_count: num(opts.rateCount), refresh_second: num(opts.rateSeconds) },
            }),
          );
        }
        const today = await m.usageToday(opts.appid);
        return {
          appid: opts.appid,
          resets_this_month: today.resets_this_month,
          limits: await m.listLimits(opts.appid),
          usage: today.paths,
        };
      });
      if (opts.json) return console.log(JSON.stringify(out));
      const overridden = new Set(out.limits.map((l) => l.cgi_path));
      console.log(
        `${out.appid}: ${out.resets_this_month} of 10 quota resets used this month${overridden.has('*') ? '; * override applies to every path' : ''}`,
      );
      for (const u of out.usage) {
        if (u.used === 0 && !overridden.has(u.cgi_path) && u.cgi_path !== opts.cgiPath) continue;
        const mark = overridden.has(u.cgi_path) ? ' (set)' : '';
        console.log(
          `${u.cgi_path}  used ${u.used} of ${u.daily_limit} today, rate ${u.rate_limit.call_count}/${u.rate_limit.refresh_second}s${mark}`,
        );
      }
    });
}
