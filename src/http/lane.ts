/**
 * Direct lanes: request handlers that run on node:http before fastify routes a request, for
 * the few calls where fastify's own work is a large part of the cost (get-order-lane.ts,
 * cloud/cloud-lane.ts). A lane either takes a request and answers it, or declines it before
 * reading a byte of it, so that fastify gets it untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import timers from 'node:timers';
import { RID_HEADER } from './api-management.ts';

/** Answers the request and returns true, or returns false and touches nothing. */
export interface Lane {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Requests taken so far. */
  readonly served: number;
}

/** A lane from a function that says whether it took the request; the count is the lane's own. */
export function lane(take: (req: IncomingMessage, res: ServerResponse) => boolean): Lane {
  let served = 0;
  const counted = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!take(req, res)) return false;
    served++;
    return true;
  };
  return Object.defineProperty(counted, 'served', { get: () => served }) as Lane;
}

/** The first lane that takes the request; false when none does. */
export function lanes(...all: Lane[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => all.some((l) => l(req, res));
}

/**
 * Sends a whole answer as the routes do: HTTP 200, its content type, the `x-wxl-rid` header
 * when a rid is given (api-management.ts), its length. The headers go to node as one flat
 * array (name, value, …): node writes them in that order, as from an object, without walking
 * an object's keys — header objects of several shapes made node's header loop megamorphic.
 * The bytes are written with the others of this turn of the event loop (`endWithTurn`).
 */
export function sendAnswer(res: ServerResponse, contentType: string, bytes: Buffer | string, rid?: string): void {
  const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  res.writeHead(
    200,
    rid === undefined
      ? ['content-type', contentType, 'content-length', String(length)]
      : ['content-type', contentType, RID_HEADER, rid, 'content-length', String(length)],
  );
  endWithTurn(res, bytes);
}

/** Answers waiting for the end of the turn at most; one more writes them all at once. */
export const TURN_ANSWERS_MAX = 32;

const waiting: { res: ServerResponse; bytes: Buffer | string }[] = [];

/**
 * node's own setImmediate, taken once as this module loads: fake timers a test suite installs
 * later (jest's, vitest's, node:test's `mock.timers`) replace the global one, and must not hold
 * back the answers of a server running in the same process.
 */
const atTurnEnd = timers.setImmediate;

/**
 * Ends `res` with `bytes` once the event loop's I/O phase is done (setImmediate), together with
 * every other answer made in it, instead of at once. A write to a peer asleep in epoll wakes it,
 * which costs the writer a cross-core wakeup (in a VM, an exit); answers written one by one as
 * each request is handled wake a client (or a proxy) once per answer, written back to back once
 * per turn. On hot getOrder under 50 connections this took the server's CPU per request from
 * ~44 to ~33 µs (docs/performance.md). An answer waits at most for the rest of its turn's requests,
 * and for no more than TURN_ANSWERS_MAX - 1 others. Answers to one connection keep their order:
 * they are ended in the order they were made, and node queues a pipelined answer behind the one
 * before it.
 */
export function endWithTurn(res: ServerResponse, bytes: Buffer | string): void {
  if (waiting.push({ res, bytes }) === 1) atTurnEnd(endWaiting);
  else if (waiting.length >= TURN_ANSWERS_MAX) endWaiting();
}

/** Answers made this turn and not yet written (0 once the turn has ended). */
export const answersWaiting = (): number => waiting.length;

function endWaiting(): void {
  const all = waiting.splice(0);
  for (const { res, bytes } of all) {
    try {
      res.end(bytes);
    } catch (error) {
      // One answer's failure must not keep the others of its turn from being written.
      res.destroy(error as Error);
    }
  }
}

/**
 * The size of a body a lane may read: a `Content-Length` of 1 to `max` bytes and no
 * `Transfer-Encoding`; undefined otherwise (empty, chunked and large bodies are fastify's,
 * with its own answers for them).
 */
export function laneBodySize(req: IncomingMessage, max: number): number | undefined {
  const length = req.headers['content-length'];
  if (length === undefined || req.headers['transfer-encoding'] !== undefined) return undefined;
  const size = Number(length);
  return size >= 1 && size <= max ? size : undefined;
}

/**
 * Collects the body and calls `done` with it once it has all arrived; a body growing past
 * `max` bytes (a chunked one: a declared length was checked before) calls `tooLarge` at once
 * and the rest is left unread, as fastify's own body reader does.
 */
export function readBody(req: IncomingMessage, done: (body: Buffer) => void, max = Infinity, tooLarge?: () => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > max) {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      tooLarge?.();
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  req.on('data', onData);
  req.on('end', onEnd);
}
