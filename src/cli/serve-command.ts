import type { Command } from 'commander';
import { createApplication } from '../app.ts';
import { dataOption } from './options.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the WeChat-compatible server')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8088')
    .addOption(dataOption())
    .option('--memory', 'keep everything in memory (nothing is written to disk)')
    .option('--explain', 'append a plain-language explanation to every errmsg (not WeChat-exact)')
    .option('--log', 'log every request (pino JSON on stdout)')
    .action(async (opts: { host: string; port: string; data: string; memory?: boolean; explain?: boolean; log?: boolean }) => {
      const app = await createApplication({ dataDir: opts.data, memory: opts.memory, explain: opts.explain, logger: opts.log });
      const apps = await app.core.apps.list();
      if (apps.length === 0) {
        const demo = await app.core.apps.create();
        console.log(`created demo app  appid: ${demo.appid}  secret: ${demo.secret}`);
      }
      const address = await app.server.listen({ host: opts.host, port: Number(opts.port) });
      console.log(`wxlogistics listening at ${address}`);
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
