import type { Command } from 'commander';
import { openStore } from '../app.ts';
import { AdjustableClock } from '../core/clock.ts';
import { LogisticsCore } from '../core/logistics-core.ts';
import { dataOption, storeOption, type StoreOptions } from './options.ts';
import { registerLimitsCommand } from './limits-command.ts';

async function withCore<T>(where: StoreOptions, fn: (core: LogisticsCore) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: where.data, storeUrl: where.store });
  try {
    return await fn(new LogisticsCore(store, new AdjustableClock()));
  } finally {
    await store.close();
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerAppCommands(program: Command): void {
  const app = program.command('app').description('manage mini programs (apps)');
  app
    .command('create')
    .description('create an app; prints its appid and secret (the secret is stored only as a hash)')
    .addOption(dataOption())
    .addOption(storeOption())
    .option('--appid <id>', 'appid (default: a random wx… id)')
    .option('--secret <secret>', 'secret (default: random)')
    .option('--cloud-env <env>', 'a cloud env id for cloud calls (repeatable); creates a secretId/secretKey pair', collect, [])
    .option('--json', 'print {"appid":…,"secret":…} (plus "cloud" with --cloud-env)')
    .action(async (opts: StoreOptions & { appid?: string; secret?: string; cloudEnv: string[]; json?: boolean }) => {
      const out = await withCore(opts, async (core) => {
        const created = await core.apps.create({ appid: opts.appid, secret: opts.secret });
        if (opts.cloudEnv.length === 0) return created;
        const keys = await core.cloud.enable(created.appid, opts.cloudEnv);
        return { ...created, cloud: { envs: opts.cloudEnv, ...keys } };
      });
      if (opts.json) return console.log(JSON.stringify(out));
      console.log(`appid: ${out.appid}\nsecret: ${out.secret}`);
      if ('cloud' in out)
        console.log(`cloud envs: ${out.cloud.envs.join(', ')}\nsecretId: ${out.cloud.secretId}\nsecretKey: ${out.cloud.secretKey}`);
    });
  app
    .command('cloud')
    .description('add cloud env ids to an app and create a new secretId/secretKey pair for cloud calls')
    .requiredOption('--appid <id>', 'the app')
    .option('--cloud-env <env>', 'a cloud env id (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { appid: string; cloudEnv: string[]; json?: boolean }) => {
      const keys = await withCore(opts, async (core) => {
        if (!(await core.store.apps.get(opts.appid))) throw new Error(`no app ${opts.appid}`);
        return core.cloud.enable(opts.appid, opts.cloudEnv);
      });
      console.log(opts.json ? JSON.stringify(keys) : `secretId: ${keys.secretId}\nsecretKey: ${keys.secretKey}`);
    });
  app
    .command('push')
    .description("set the app's message-push settings (URL, Token, EncodingAESKey, mode, format)")
    .requiredOption('--appid <id>', 'the app')
    .requiredOption('--url <url>', 'receiver URL (any http(s) URL, localhost included)')
    .requiredOption('--token <token>', 'Token (3-32 letters or digits)')
    .option('--aes-key <key>', 'EncodingAESKey (43 characters of [a-zA-Z0-9])')
    .option('--mode <mode>', 'plain | compatible | secure', 'plain')
    .option('--format <format>', 'xml | json', 'xml')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { appid: string; url: string; token: string; aesKey?: string; mode: string; format: string }) => {
      const saved = await withCore(opts, (core) =>
        core.push.set(opts.appid, {
          url: opts.url,
          token: opts.token,
          encodingAesKey: opts.aesKey,
          mode: opts.mode as never,
          format: opts.format as never,
        }),
      );
      console.log(`push for ${saved.appid}: ${saved.mode} ${saved.format} → ${saved.url}`);
    });
  app
    .command('auto-progress')
    .description('let simulated orders of the app advance by themselves as the clock moves')
    .requiredOption('--appid <id>', 'the app')
    .option('--disable', 'turn it off')
    .option('--exception-probability <p>', 'chance (0-1) that an order ends in an exception (100002, 400002, 300004)', '0')
    .option('--seed <seed>', 'seed that decides which orders take the exception branch', '')
    .addOption(dataOption())
    .addOption(storeOption())
    .action(async (opts: StoreOptions & { appid: string; disable?: boolean; exceptionProbability: string; seed: string }) => {
      await withCore(opts, (core) =>
        core.progress.configure(opts.appid, {
          enabled: !opts.disable,
          exception_probability: Number(opts.exceptionProbability),
          seed: opts.seed,
        }),
      );
      console.log(`auto-progress ${opts.disable ? 'off' : 'on'} for ${opts.appid}`);
    });
  registerLimitsCommand(app);
  app
    .command('list')
    .description('list apps')
    .addOption(dataOption())
    .addOption(storeOption())
    .option('--json', 'print JSON lines')
    .action(async (opts: StoreOptions & { json?: boolean }) => {
      const apps = await withCore(opts, async (core) =>
        Promise.all(
          (await core.apps.list()).map(async (a) => ({
            appid: a.appid,
            created_at: a.created_at,
            cloud: await core.cloud.settings(a.appid),
            push: (await core.push.get(a.appid)) ?? null,
            auto_progress: (await core.progress.settings(a.appid)) ?? null,
          })),
        ),
      );
      for (const a of apps) {
        if (opts.json) {
          console.log(JSON.stringify(a));
          continue;
        }
        const cloud = a.cloud.envs.length
          ? `  cloud envs: ${a.cloud.envs.join(',')}  secretIds: ${a.cloud.credentials.map((c) => c.secretId).join(',')}`
          : '';
        const push = a.push ? `  push: ${a.push.mode}/${a.push.format} → ${a.push.url}` : '';
        console.log(`${a.appid}  created ${new Date(a.created_at * 1000).toISOString()}${cloud}${push}`);
      }
    });
}

export { withCore };
