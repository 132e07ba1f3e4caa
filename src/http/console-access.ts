/**
 * Who may use the console: on a server bound to a loopback
 * address, loopback clients need no key (it is the developer's own machine);
 * on any other binding every request needs the admin key, as the admin API does.
 * One check, used by the console's JSON API and its page.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { keyMatches } from './admin-routes.ts';

export const ADMIN_KEY_HEADER = 'x-wxl-admin-key';

/** 127.0.0.0/8, ::1, IPv4-mapped loopback, and the name `localhost`. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (a === 'localhost' || a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export interface ConsoleAccessInput {
  /** The address the server listens on (`--host`); undefined before listen(). */
  boundHost: string | undefined;
  /** The client's address (the socket's remote address). */
  remoteAddress: string | undefined;
  /** The key the client presented, if any. */
  presentedKey: string | undefined;
  adminKey: string;
}

export type ConsoleAccess = { allowed: true; via: 'loopback' | 'key' } | { allowed: false; reason: string };

/** The access rule, as a pure function (tested directly). */
export function consoleAccess(i: ConsoleAccessInput): ConsoleAccess {
  if (isLoopbackAddress(i.boundHost) && isLoopbackAddress(i.remoteAddress)) return { allowed: true, via: 'loopback' };
  if (keyMatches(i.presentedKey, i.adminKey)) return { allowed: true, via: 'key' };
  return {
    allowed: false,
    reason: i.presentedKey
      ? 'wrong admin key'
      : `the server is bound to ${i.boundHost ?? 'an unknown address'}: the admin key is required (${ADMIN_KEY_HEADER} header)`,
  };
}

/** Where the console reads the bound address from; app.ts sets `boundHost` in listen(). */
export interface ConsoleAccessContext {
  boundHost: string | undefined;
  adminKey: string;
}

export function requestAccess(req: FastifyRequest, ctx: ConsoleAccessContext): ConsoleAccess {
  const header = req.headers[ADMIN_KEY_HEADER];
  return consoleAccess({
    boundHost: ctx.boundHost,
    remoteAddress: req.socket.remoteAddress,
    presentedKey: typeof header === 'string' ? header : undefined,
    adminKey: ctx.adminKey,
  });
}
