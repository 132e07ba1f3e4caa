import type { Command } from 'commander';
import { createApplication } from '../app.ts';
import { SeedError } from '../core/seed.ts';
import { ADMIN_PREFIX } from '../http/admin-routes.ts';
import { dataOption, storeOption } from './options.ts';
import { prepareApps, readSeedFile, readyLine, type ReadyApps } from './serve-ready.ts';

interface ServeOptions {
  host: string;
  port: string;
  data: string;
  store?: string;
  memory?: boolean;
  explain?: boolean;
  log?: boolean;
  adminKey?: string;
  pushAttempts: string;
  pushTimeoutMs: string;
  pushBackoffMs: string;
  json?: boolean;
  seed?: string;
  carrierTimeoutMs: string;
  carrierAttempts: string;
  callQuotas: boolean;
  ridLog: boolean;
}

/** A refused seed (or any failure before listening) ends the process with a one-line reason, exit code 1. */
function failStart(error: unknown): never {
  const message = error instanceof SeedError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`wxlogistics serve: ${message}`);
  process.exit(1);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the WeChat-compatible server')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8088')
    .addOption(dataOption())
    .addOption(storeOption())
    .option('--memory', 'keep everything in memory (nothing is written to disk)')
    .option('--explain', 'append a plain-language explanation to every errmsg (not WeChat-exact)')
    .option('--log', 'log every request (pino JSON on stdout; on stderr with --json)')
    .option('--json', 'print one JSON line once listening ({"baseUrl","appid","secret","adminKey",…}) and nothing else on stdout')
    .option('--seed <file>', 'JSON file of apps, carrier accounts and orders to create at start (format: README)')
    .option('--admin-key <key>', 'admin API key (default: WXL_ADMIN_KEY, else generated once and kept in the store)')
    .option('--push-attempts <n>', 'delivery attempts per event before it becomes a dead letter', '3')
    .option('--push-timeout-ms <ms>', 'how long a push waits for the receiver', '5000')
    .option('--push-backoff-ms <ms>', 'wait before the 2nd attempt; each further wait is 4× longer', '2000')
    .option('--carrier-timeout-ms <ms>', 'how long an event to a registered carrier waits for its reply, per attempt (WeChat: 5 s)', '5000')
    .option('--carrier-attempts <n>', 'attempts per carrier event when the transport fails (timeout, refused, HTTP 5xx)', '3')
    .option('--no-call-quotas', 'do not count calls nor answer 45009/45011 (getApiQuota then shows no use)')
    .option('--no-rid-log', 'do not record answers for getRidInfo (it then answers 76001)')
    .action(async (opts: ServeOptions) => {
      const seed = opts.seed === undefined ? undefined : await readSeedFile(opts.seed).catch(failStart);
      const app = await createApplication({
        dataDir: opts.data,
        storeUrl: opts.store,
        memory: opts.memory,
        explain: opts.explain,
        // --json keeps stdout for its one line: the request log goes to stderr then.
        logger: opts.log ? (opts.json ? 'stderr' : true) : false,
        adminKey: opts.adminKey,
        callQuotas: opts.callQuotas,
        ridLog: opts.ridLog,
        push: { maxAttempts: Number(opts.pushAttempts), timeoutMs: Number(opts.pushTimeoutMs), backoffBaseMs: Number(opts.pushBackoffMs) },
        carrier: { timeoutMs: Number(opts.carrierTimeoutMs), attempts: Number(opts.carrierAttempts) },
      });
      let ready: ReadyApps;
      try {
        ready = await prepareApps(app.core, seed, opts.seed);
      } catch (error) {
        await app.close().catch(() => undefined);
        failStart(error);
      }
      // Before the start line: a caller may send SIGTERM the moment it has read it.
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const address = await app.listen({ host: opts.host, port: Number(opts.port) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(readyLine(address, app.adminKey, ready))}\n`);
      } else {
        if (ready.demo && ready.app) console.log(`created demo app  appid: ${ready.app.appid}  secret: ${ready.app.secret}`);
        if (ready.demo && ready.app?.cloud)
          console.log(
            `  cloud env: ${ready.app.cloud.env}  secretId: ${ready.app.cloud.secretId}  secretKey: ${ready.app.cloud.secretKey}`,
          );
        if (ready.seeded)
          console.log(
            `seeded ${ready.seeded.apps.length} apps, ${ready.seeded.accounts} accounts, ${ready.seeded.orders.length} orders from ${opts.seed}`,
          );
        console.log(`admin API ${address}${ADMIN_PREFIX}  key: ${app.adminKey}`);
        console.log(`web console ${address}/console`);
        console.log(`wxlogistics listening at ${address}`);
      }
    });
}
