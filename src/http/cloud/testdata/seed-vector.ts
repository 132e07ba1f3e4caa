// Loads the captured wx-server-sdk request (copy of spec/vectors/seed-getOrder.request.*; secretId x,
// secretKey y, env local-env) for the tests beside this folder.
import { readFileSync } from 'node:fs';

const here = (name: string): URL => new URL(`./${name}`, import.meta.url);

interface Meta { method: string; url: string; rawHeaders: string[] }
const meta = JSON.parse(readFileSync(here('seed-getOrder.request.meta.json'), 'utf8')) as Meta;

export const seedVector = {
  method: meta.method,
  url: meta.url,
  body: readFileSync(here('seed-getOrder.request.body')),
  /** Lower-cased names, as node's IncomingMessage.headers has them. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < meta.rawHeaders.length; i += 2) headers[meta.rawHeaders[i]!.toLowerCase()] = meta.rawHeaders[i + 1]!;
    return headers;
  },
};

export const readJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(here(name), 'utf8')) as Record<string, unknown>;
