/**
 * The outbox dispatcher: leases due events (the oldest pending one of each
 * waybill, so a later Version never overtakes an earlier one), POSTs them
 * signed — and encrypted in safe mode — to the app's push URL, and records
 * every attempt. At-least-once: an event leaves `pending` only after an
 * accepted reply or its last failed attempt (then it is a dead letter).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.ts';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import type { FaultRule } from '../faults/fault-rule.ts';
import { originalId } from '../core/tracking-service.ts';
import type { EventRecord, PushConfigRecord, Store } from '../storage/types.ts';
import { backoffMs, defaultDeliveryPolicy, type DeliveryPolicy } from './delivery-policy.ts';
import { buildPushRequest, isAcceptedReply } from './push-request.ts';

const EXCERPT_CHARS = 512;

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  policy?: Partial<DeliveryPolicy>;
  /** Lease owner id; unique per process. */
  owner?: string;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /** Fault rules with `api: 'push'` drop, delay or duplicate deliveries. */
  faults?: FaultRegistry;
}

export class PushDispatcher {
  readonly policy: DeliveryPolicy;
  readonly owner: string;
  #inflight = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #ticking = false;
  #again = false;
  readonly #settled = new Set<Promise<void>>();
  #stopping = new AbortController();

  constructor(private readonly o: DispatcherOptions) {
    this.policy = { ...defaultDeliveryPolicy, ...o.policy };
    this.owner = o.owner ?? `wxl-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.#schedule(0);
  }

  /** Stops claiming work and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#stopping.abort(); // held (fault-delayed) deliveries give up; their leases expire, they are sent after a restart
    await Promise.allSettled([...this.#settled]);
  }

  /** New work was written by this process: look now rather than at the next poll. */
  nudge(): void {
    if (this.#running) this.#schedule(0);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    try {
      const room = this.policy.concurrency - this.#inflight;
      if (room > 0) {
        // A push rule may hold a delivery for delay_ms: the lease covers that too.
        const held = this.o.faults && this.o.faults.pushRules !== 0 ? this.o.faults.maxPushDelayMs() : 0;
        const due = await this.o.store.events.claimDue(Date.now(), this.owner, this.policy.timeoutMs + 10_000 + held, room);
        for (const event of due) {
          this.#track(
            this.#deliver(event).catch((error: unknown) => {
              // The lease expires and the event is tried again: at-least-once, never lost.
              this.o.log?.('recording a push attempt failed', { event: event.id, error: String(error) });
            }),
          );
        }
      }
    } catch (error) {
      this.o.log?.('outbox poll failed', { error: String(error) });
    } finally {
      this.#ticking = false;
      if (this.#running) this.#schedule(this.#again ? 0 : this.policy.pollMs);
      this.#again = false;
    }
  }

  #track(p: Promise<void>): void {
    this.#inflight++;
    const done = p.finally(() => {
      this.#inflight--;
      this.#settled.delete(done);
      this.nudge(); // the next event of this waybill may be due now
    });
    this.#settled.add(done);
  }

  async #deliver(event: EventRecord): Promise<void> {
    const config = await this.o.store.pushConfigs.get(event.appid);
    const attempt = event.attempts + 1;
    let startedAt = Date.now();
    if (!config) {
      await this.o.store.events.recordAttempt(
        {
          event_id: event.id,
          attempt,
          started_at: startedAt,
          duration_ms: 0,
          url: '',
          status_code: null,
          response_excerpt: '',
          error: 'no push URL configured',
          delivered: false,
        },
        { status: 'skipped', attempts: attempt, next_attempt_at: startedAt, delivered_at: null, last_error: 'no push URL configured' },
      );
      return;
    }
    const fault = this.#pushFault(event);
    if (fault?.delay_ms && fault.push !== 'duplicate') {
      if (!(await this.#pause(fault.delay_ms))) return;
      startedAt = Date.now();
    }
    let statusCode: number | null = null;
    let excerpt = '';
    let error: string | null = null;
    let delivered = false;
    let url = config.url;
    if (fault?.push === 'drop') {
      // A failed attempt like any other: the retry policy decides what comes next.
      error = `dropped by fault rule ${fault.id} (not sent)`;
    } else {
      try {
        const req = this.#request(event, config);
        url = req.url;
        const res = await fetch(req.url, {
          method: 'POST',
          headers: { 'content-type': req.contentType },
          body: req.body,
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        });
        statusCode = res.status;
        const text = await res.text();
        excerpt = text.slice(0, EXCERPT_CHARS);
        delivered = isAcceptedReply(res.status, text);
        if (!delivered) error = res.status >= 200 && res.status < 300 ? 'reply was neither "success" nor empty' : `HTTP ${res.status}`;
      } catch (e) {
        error = describe(e, this.policy.timeoutMs);
      }
    }
    const now = Date.now();
    // Each round (the first, and one per replay) has maxAttempts attempts.
    const dead = !delivered && attempt % this.policy.maxAttempts === 0;
    await this.o.store.events.recordAttempt(
      {
        event_id: event.id,
        attempt,
        started_at: startedAt,
        duration_ms: now - startedAt,
        url,
        status_code: statusCode,
        response_excerpt: excerpt,
        error,
        delivered,
      },
      {
        status: delivered ? 'delivered' : dead ? 'dead' : 'pending',
        attempts: attempt,
        next_attempt_at: delivered || dead ? now : now + backoffMs(this.policy, ((attempt - 1) % this.policy.maxAttempts) + 1),
        delivered_at: delivered ? Math.floor(this.o.clock.nowMs() / 1000) : null,
        last_error: error,
      },
    );
    if (!delivered) this.o.log?.(dead ? 'push dead-lettered' : 'push attempt failed', { event: event.id, attempt, error });
    if (delivered && fault?.push === 'duplicate') this.#track(this.#sendDuplicate(event, config, fault));
  }

  /** The push rule firing for this attempt, if push rules are listed. */
  #pushFault(event: EventRecord): FaultRule | undefined {
    const faults = this.o.faults;
    if (!faults || faults.pushRules === 0) return undefined;
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return faults.matchPush({
      appid: event.appid,
      event: event.event,
      order_id: text(payload.OrderId),
      delivery_id: text(payload.DeliveryID) ?? text(payload.delivery_id),
    });
  }

  /** Waits `ms`; false when the dispatcher stopped meanwhile. */
  async #pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#stopping.signal });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * `push: 'duplicate'`: the event, already delivered and recorded, is sent once more
   * `delay_ms` later (freshly signed, as a WeChat retry is) — so it may arrive after
   * the waybill's next event. Not an attempt of the outbox: its answer is only logged.
   */
  async #sendDuplicate(event: EventRecord, config: PushConfigRecord, fault: FaultRule): Promise<void> {
    if (fault.delay_ms && !(await this.#pause(fault.delay_ms))) return;
    try {
      const req = this.#request(event, config);
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': req.contentType },
        body: req.body,
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      await res.text();
    } catch (e) {
      this.o.log?.('duplicate push (fault rule) failed', { event: event.id, rule: fault.id, error: describe(e, this.policy.timeoutMs) });
    }
  }

  #request(event: EventRecord, config: PushConfigRecord) {
    return buildPushRequest({
      url: config.url,
      token: config.token,
      ...(config.encoding_aes_key ? { encodingAesKey: config.encoding_aes_key } : {}),
      mode: config.mode,
      format: config.format,
      appid: event.appid,
      toUserName: originalId(event.appid),
      event: JSON.parse(event.payload),
      timestamp: String(Math.floor(this.o.clock.nowMs() / 1000)),
      nonce: String(randomBytes(4).readUInt32BE(0)),
    });
  }
}

function describe(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'fetch failed'}: ${cause}` : (err.message ?? String(e));
}
