/**
 * The baseline: a bare node:http server answering every request with the bytes
 * of one real getOrder answer (same headers as ours). It reads the request body
 * before answering, as any server must. Usage: bare-server.ts <answer-file> [parse];
 * with `parse` it also JSON.parses each body (the addOrder baseline: the least a
 * server does with an order it is sent).
 * BARE_BUSY_US=N spins N µs before each getOrder answer (bench/busy-baseline.ts).
 * BARE_TURN_WRITES=1 writes its getOrder answers as our lanes do, a turn's answers together at
 * its end (src/http/lane.ts's endWithTurn): what that technique alone gives node:http.
 * Prints one JSON line {"url": …} once listening.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const file = process.argv[2];
if (!file) throw new Error('usage: bare-server.ts <answer-file>');
const answer = readFileSync(file);
const headers = { 'content-type': 'application/json; encoding=utf-8', 'content-length': answer.length };

const parse = process.argv[3] === 'parse';
// Imported only when asked for: the plain baseline loads nothing of ours.
const endWithTurn = process.env.BARE_TURN_WRITES === '1' ? (await import('../src/http/lane.ts')).endWithTurn : undefined;

/** BARE_BUSY_US: this many µs of pure CPU work before each answer (bench/busy-baseline.ts; 0 otherwise). */
const busyNs = BigInt(Math.round(Number(process.env.BARE_BUSY_US ?? 0) * 1000));
function busy(): void {
  const until = process.hrtime.bigint() + busyNs;
  while (process.hrtime.bigint() < until);
}

const server = createServer(
  parse
    ? (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let body: { order_id?: unknown } = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
          } catch {
            // answered 400 below
          }
          res.writeHead(typeof body.order_id === 'string' ? 200 : 400, headers).end(answer);
        });
      }
    : (req, res) => {
        req.resume();
        req.on('end', () => {
          if (busyNs > 0n) busy();
          res.writeHead(200, headers);
          if (endWithTurn) endWithTurn(res, answer);
          else res.end(answer);
        });
      },
);
server.keepAliveTimeout = 72_000; // fastify's default, so neither side drops idle connections sooner
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
