/**
 * Carries out the effect of a fault rule on a WeChat call, HTTPS and cloud
 * call alike. The rule is decided before the API runs, so an error, a reset
 * or a hang changes nothing in the store; `delay_ms` alone lets the API run
 * and holds its answer (a client that gives up meanwhile has still, say,
 * created its order — exactly what a slow WeChat answer means).
 *
 * Hung connections and pending delays are released when the server closes:
 * hung sockets are destroyed, delayed answers go out at once, so `close()`
 * never waits for a rule.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { faultError } from '../faults/fault-error.ts';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import type { FaultRule } from '../faults/fault-rule.ts';

export class FaultResponder {
  readonly #hung = new Set<Socket>();
  readonly #wakers = new Set<() => void>();
  #closing = false;

  constructor(readonly registry: FaultRegistry) {}

  /**
   * Answers an HTTPS call the rule's way. `run` is the API itself (only a
   * `delay_ms`-only rule calls it). Errors are thrown as InjectedWxError for the
   * server's error handler (rid, request log, `--explain`).
   */
  async respond<T>(
    rule: FaultRule,
    api: string,
    req: FastifyRequest,
    reply: FastifyReply,
    run: () => Promise<T>,
  ): Promise<T | FastifyReply> {
    if (rule.connection !== undefined) {
      await this.sleep(rule.delay_ms);
      this.takeOver(rule, req, reply);
      return reply;
    }
    if (rule.errcode !== undefined) {
      await this.sleep(rule.delay_ms);
      throw faultError(rule, api);
    }
    return this.delayed(run, rule.delay_ms);
  }

  /** Runs `run`, then waits `ms` before handing on its result or its failure. */
  async delayed<T>(run: () => Promise<T>, ms: number | undefined): Promise<T> {
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await run() };
    } catch (error) {
      result = { ok: false, error };
    }
    await this.sleep(ms);
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * `reset`: an RST on the socket (the client reads ECONNRESET); `hang`: no
   * answer at all, the socket kept open until the client gives up or the
   * server closes. Either way fastify no longer answers this request.
   */
  takeOver(rule: FaultRule, req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const socket = req.raw.socket;
    if (rule.connection === 'reset' || this.#closing) {
      socket.resetAndDestroy();
      return;
    }
    this.#hung.add(socket);
    socket.once('close', () => this.#hung.delete(socket));
  }

  /** Waits `ms` (no timer for 0/undefined); cut short when the server closes. */
  sleep(ms: number | undefined): Promise<void> {
    if (!ms || this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  /** Releases every hung connection and pending delay (the server is closing). */
  release(): void {
    this.#closing = true;
    for (const wake of [...this.#wakers]) wake();
    for (const socket of this.#hung) socket.destroy();
    this.#hung.clear();
  }

  /** Hung sockets right now (for tests and the console). */
  get hungConnections(): number {
    return this.#hung.size;
  }

  /** Registers `release` to run before the server stops accepting and waits for connections. */
  install(app: FastifyInstance): void {
    app.addHook('preClose', async () => this.release());
  }
}
