/**
 * Serves the console's files at `/console`: plain HTML, CSS and
 * ES modules committed under src/console/static/, read from disk, no bundler,
 * nothing fetched from elsewhere (the machine may be offline).
 *
 * The files are the same for everyone and hold no data, so they are served
 * without a key: a client the access rule refuses gets the page, whose first
 * call to the console API answers 401 and makes it ask for the admin key.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { packageFile } from '../package-files.ts';

export const CONSOLE_PATH = '/console';

const STATIC_DIR = packageFile('console/static/');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

async function sendFile(reply: FastifyReply, relative: string): Promise<FastifyReply> {
  const file = resolve(STATIC_DIR, relative);
  const type = CONTENT_TYPES[extname(file)];
  // Only files under static/ with a known type: no traversal, no directory listings.
  if (!file.startsWith(STATIC_DIR.endsWith(sep) ? STATIC_DIR : STATIC_DIR + sep) || !type) return notFound(reply);
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    return notFound(reply);
  }
  return reply
    .code(200)
    .header('content-type', type)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(content);
}

const notFound = (reply: FastifyReply) => reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('not found');

export function consoleRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get(CONSOLE_PATH, (_req, reply) => sendFile(reply, 'index.html'));
    app.get(`${CONSOLE_PATH}/`, (_req, reply) => sendFile(reply, 'index.html'));
    app.get(`${CONSOLE_PATH}/*`, (req, reply) => sendFile(reply, (req.params as { '*': string })['*']));
  };
}
