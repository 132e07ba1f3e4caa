/**
 * The real server in its own process, so the benchmark can read its RSS and the
 * load generator's CPU stays out of it. Usage: server-child.ts <dataDir>.
 * Prints one JSON line {"url": …} once listening; SIGTERM closes it cleanly.
 */
import { createApplication } from '../src/app.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server-child.ts <dataDir>');

const app = await createApplication({ dataDir, logger: false });
const url = await app.server.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
