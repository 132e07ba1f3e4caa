/**
 * The least a fastify server does for getOrder: one POST route, fastify's own JSON body
 * parser, no hooks, answering the same bytes and headers as bench/bare-server.ts. The gap
 * between it and bare node:http is fastify's own share of the hot-path ratio
 * (bench/busy-baseline.ts prints both). Usage: fastify-floor-server.ts <answer-file>.
 * Prints one JSON line {"url": …} once listening.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { GET_PATH } from './load.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: fastify-floor-server.ts <answer-file>');
const answer = readFileSync(file);

const app = Fastify({ logger: false });
app.post(GET_PATH, (req, reply) => {
  const orderId = (req.body as { order_id?: unknown } | undefined)?.order_id;
  void reply
    .code(typeof orderId === 'string' ? 200 : 400)
    .header('content-type', 'application/json; encoding=utf-8')
    .send(answer);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
