/**
 * The lanes write their answers at the end of the event loop's turn, all of a turn's answers
 * together (src/http/lane.ts, endWithTurn): on real node:http servers and sockets, an answer is
 * not written before its turn ends, a full batch is written at once, and one answer that cannot
 * be written does not keep the others from being sent.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { answersWaiting, endWithTurn, TURN_ANSWERS_MAX } from '../src/http/lane.ts';

async function listen(handler: (res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes the server and any connection still open (a test that failed may have left one waiting). */
function close(server: Server): void {
  server.closeAllConnections();
  server.close();
}

/** One request on its own connection (`n` in its x-n header); its body, or the error that ended it. */
function get(port: number, n = 0): Promise<{ body?: string; error?: string }> {
  return new Promise((resolve) => {
    const headers = { 'x-n': String(n) };
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ body }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

test('an answer is written when its turn of the event loop ends, not when it is made', { timeout: 10_000 }, async (t) => {
  const seen: { endedAtOnce: boolean; waitingAtOnce: number; endedAfterTurn: boolean }[] = [];
  const { server, port } = await listen((res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    endWithTurn(res, 'answer');
    const at = { endedAtOnce: res.writableEnded, waitingAtOnce: answersWaiting(), endedAfterTurn: false };
    seen.push(at);
    setImmediate(() => (at.endedAfterTurn = res.writableEnded));
  });
  t.after(() => close(server));
  assert.deepEqual(await get(port), { body: 'answer' });
  assert.deepEqual(seen, [{ endedAtOnce: false, waitingAtOnce: 1, endedAfterTurn: true }]);
  assert.equal(answersWaiting(), 0);
});

test(
  `the ${TURN_ANSWERS_MAX}th answer of a turn writes the batch at once; the rest wait for the turn's end`,
  { timeout: 10_000 },
  async (t) => {
    const count = TURN_ANSWERS_MAX + 5;
    const held: ServerResponse[] = [];
    const endedAtOnce: boolean[] = [];
    const { server, port } = await listen((res) => {
      held.push(res);
      if (held.length < count) return;
      // Every answer made in this one synchronous step: one turn's worth.
      held.forEach((r, i) => endWithTurn(r, `answer ${i}`));
      held.forEach((r) => endedAtOnce.push(r.writableEnded));
    });
    t.after(() => close(server));
    const answers = await Promise.all(Array.from({ length: count }, () => get(port)));
    assert.deepEqual(
      endedAtOnce,
      held.map((_, i) => i < TURN_ANSWERS_MAX),
    );
    assert.deepEqual(answers.map((a) => a.body).sort(), held.map((_, i) => `answer ${i}`).sort());
  },
);

test('an answer that cannot be written closes its own connection, and the others of its turn are sent', { timeout: 10_000 }, async (t) => {
  const held: ServerResponse[] = [];
  const { server, port } = await listen((res) => {
    held.push(res);
    if (held.length < 3) return;
    // The middle answer's bytes are of a type node refuses to write: its res.end throws.
    held.forEach((r, i) => endWithTurn(r, (i === 1 ? 42 : `answer ${i}`) as unknown as string));
  });
  t.after(() => close(server));
  const answers = await Promise.all([get(port, 0), get(port, 1), get(port, 2)]);
  const order = held.map((r) => answers[Number(r.req.headers['x-n'])]!);
  assert.deepEqual(order, [{ body: 'answer 0' }, { error: 'ECONNRESET' }, { body: 'answer 2' }]);
});

test(
  'answers are written while the test suite fakes setImmediate (a server in the same process as fake timers)',
  { timeout: 10_000 },
  async (t) => {
    const { server, port } = await listen((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      endWithTurn(res, 'answer under fake timers');
    });
    t.after(() => close(server));
    t.mock.timers.enable({ apis: ['setImmediate'] });
    t.after(() => t.mock.timers.reset());
    assert.deepEqual(await get(port), { body: 'answer under fake timers' });
  },
);
