/**
 * What our own JSON APIs (admin, console) share — as opposed to the WeChat routes,
 * which answer errcode JSON with HTTP 200: a lenient JSON body parser (empty body =
 * `{}`) and errors as `{"error": "…"}` with an HTTP status.
 */
import type { FastifyInstance } from 'fastify';
import { WxError } from '../core/errors.ts';
import { PushConfigError } from '../core/push-config-service.ts';

/** A failure of our own API, answered with its HTTP status. */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const statusOf = (error: unknown): number =>
  error instanceof ApiError
    ? error.statusCode
    : error instanceof PushConfigError || error instanceof RangeError || error instanceof WxError
      ? 400
      : 500;

const messageOf = (error: unknown): string =>
  error instanceof WxError
    ? `${error.errcode} ${error.errmsg}: ${error.detail ?? ''}`
    : error instanceof Error
      ? error.message
      : String(error);

/** Installs the body parser and error handler in an encapsulated plugin context. */
export function useJsonApi(app: FastifyInstance, contentType?: string): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new ApiError(400, 'body is not JSON'));
    }
  });
  app.setErrorHandler((error, _req, reply) => {
    if (contentType) reply.header('content-type', contentType);
    void reply.code(statusOf(error)).send(contentType ? JSON.stringify({ error: messageOf(error) }) : { error: messageOf(error) });
  });
}
