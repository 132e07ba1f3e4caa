/**
 * The cloud call's direct lane: wx-server-sdk's POST to the bridge path answered on node:http
 * itself, before fastify routes it, by the same gateway code as the fastify route
 * (`cloudCallAnswerer`, bridge.ts). The route costs a request's worth of fastify (routing, the
 * buffered content parser, five hook stages) on top of the gateway's own work.
 *
 * The lane takes a request only when the route would answer it the same way, and decides
 * before reading the body: POST to the bridge path, a `multipart/form-data` body (sent chunked,
 * as wx-server-sdk does, or with a `Content-Length` within the route's limit), no fault rule
 * listed (a rule may take the connection over, which is fastify's to do), no request logger.
 * A chunked body growing past the limit gets the route's answer (47001). The answer, its headers and
 * the rid log's record are the route's (`test/cloud-lane.test.ts` compares the two).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRegistry } from '../../faults/fault-registry.ts';
import type { SentCall } from '../api-management.ts';
import { JSON_CONTENT_TYPE } from '../envelope.ts';
import { WxError } from '../../core/errors.ts';
import { thenOrNow } from '../maybe-promise.ts';
import type { CloudAnswer, CloudCall, CloudCallRecord, cloudCallAnswerer } from './bridge.ts';
import { lane, laneBodySize, readBody, sendAnswer, type Lane } from '../lane.ts';

export interface CloudLaneOptions {
  path: string;
  /** The route's body limit (bytes). */
  bodyLimit: number;
  answer: ReturnType<typeof cloudCallAnswerer>;
  faults: FaultRegistry;
  /** The rid log's record (api-management.ts); the rid of a success, for x-wxl-rid. */
  recordCloudCall(cloud: CloudCallRecord, sent: SentCall): string | undefined;
  /** What the route's error handler answers for a failure outside the gateway's own answers (a WeChat error). */
  unexpected(error: unknown): string;
}

export function cloudLane(options: CloudLaneOptions): Lane {
  const { path, faults } = options;

  const send = (req: IncomingMessage, res: ServerResponse, startedAt: number, body: Buffer): void => {
    const call: CloudCall = {};
    const answered = (answer: CloudAnswer): void => {
      // No connection was handed over, so no rule took it; a rule listed since decided nothing here.
      if (answer === undefined) return void res.destroy();
      const rid = call.record
        ? options.recordCloudCall(call.record, {
            url: req.url!,
            ip: req.socket.remoteAddress ?? '',
            elapsedMs: performance.now() - startedAt,
          })
        : undefined;
      sendAnswer(res, answer.contentType, answer.bytes, rid);
    };
    let answer: ReturnType<CloudLaneOptions['answer']>;
    try {
      answer = options.answer({ method: 'POST', url: req.url!, headers: req.headers, body }, call);
    } catch (error) {
      return fail(res, error);
    }
    void thenOrNow(answer, answered, (error: unknown) => fail(res, error));
  };

  const fail = (res: ServerResponse, error: unknown): void => sendAnswer(res, JSON_CONTENT_TYPE, options.unexpected(error));

  return lane((req, res) => {
    const url = req.url!;
    if (req.method !== 'POST' || !url.startsWith(path) || (url.length !== path.length && url.charCodeAt(path.length) !== 63) /* ? */)
      return false;
    if (faults.size !== 0) return false;
    const type = req.headers['content-type'];
    if (type === undefined || !type.toLowerCase().startsWith('multipart/form-data')) return false;
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && laneBodySize(req, options.bodyLimit) === undefined) return false;
    const startedAt = performance.now();
    readBody(
      req,
      (body) => send(req, res, startedAt, body),
      options.bodyLimit,
      () => fail(res, new WxError('dataFormatError', 'Request body is too large')),
    );
    return true;
  });
}
