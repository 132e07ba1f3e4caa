import type { Command } from 'commander';
import { createApplication } from '../app.ts';
import { ADMIN_PREFIX } from '../http/admin-routes.ts';
import { dataOption, storeOption } from './options.ts';

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
  callQuotas: boolean;
  ridLog: boolean;
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
    .option('--log', 'log every request (pino JSON on stdout)')
    .option('--admin-key <key>', 'admin API key (default: WXL_ADMIN_KEY, else generated once and kept in the store)')
    .option('--push-attempts <n>', 'delivery attempts per event before it becomes a dead letter', '3')
    .option('--push-timeout-ms <ms>', 'how long a push waits for the receiver', '5000')
    .option('--push-backoff-ms <ms>', 'wait before the 2nd attempt; each further wait is 4× longer', '2000')
    .option('--no-call-quotas', 'do not count calls nor answer 45009/45011 (getApiQuota then shows no use)')
    .option('--no-rid-log', 'do not record answers for getRidInfo (it then answers 76001)')
    .action(async (opts: ServeOptions) => {
      const app = await createApplication({
        dataDir: opts.data,
        storeUrl: opts.store,
        memory: opts.memory,
        explain: opts.explain,
        logger: opts.log,
        adminKey: opts.adminKey,
        callQuotas: opts.callQuotas,
        ridLog: opts.ridLog,
        push: { maxAttempts: Number(opts.pushAttempts), timeoutMs: Number(opts.pushTimeoutMs), backoffBaseMs: Number(opts.pushBackoffMs) },
      });
      const apps = await app.core.apps.list();
      if (apps.length === 0) {
        const demo = await app.core.apps.create();
        console.log(`created demo app  appid: ${demo.appid}  secret: ${demo.secret}`);
      }
      const address = await app.listen({ host: opts.host, port: Number(opts.port) });
      console.log(`admin API ${address}${ADMIN_PREFIX}  key: ${app.adminKey}`);
      console.log(`web console ${address}/console`); // issue #6
      console.log(`wxlogistics listening at ${address}`);
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
