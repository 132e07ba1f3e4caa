/**
 * Composition root: reads configuration, picks the store backend, wires the
 * core, the HTTP adapters and the background workers (push dispatcher,
 * auto-progress ticker). Nothing else constructs concrete implementations.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BaselineReset } from './baseline-reset.ts';
import { AdjustableClock } from './core/clock.ts';
import { LogisticsCore } from './core/logistics-core.ts';
import { FaultRegistry } from './faults/fault-registry.ts';
import { ADMIN_PREFIX, adminRoutes } from './http/admin-routes.ts';
import { named } from './http/plugin-name.ts';
import { buildServer } from './http/server.ts';
import type { ConsoleAccessContext } from './http/console-access.ts';
import { CONSOLE_API_PREFIX, consoleApi } from './http/console-api.ts';
import { consoleRoutes } from './http/console-routes.ts';
import { RequestLog } from './http/request-log.ts';
import { startApiManagementFlusher } from './http/api-management.ts';
import type { DeliveryPolicy } from './push/delivery-policy.ts';
import { PushDispatcher } from './push/dispatcher.ts';
import { HttpCarrierLink, type CarrierLinkOptions } from './push/carrier-link.ts';
import { carrierAdminRoutes } from './http/carrier-admin-routes.ts';
import { SqliteStore } from './storage/sqlite/sqlite-store.ts';
import type { Store } from './storage/types.ts';

export interface StoreConfig {
  /** Data directory of the embedded store (default `./.wxlogistics`). */
  dataDir?: string | undefined;
  /** Keep everything in memory (CI). */
  memory?: boolean | undefined;
  /** `postgres://…` / `postgresql://…` (optionally `?schema=NAME`): the shared PostgreSQL store; wins over dataDir. */
  storeUrl?: string | undefined;
}

export const DEFAULT_DATA_DIR = '.wxlogistics';

/**
 * The store the configuration names, not yet initialised (`wxlogistics migrate`
 * inits it itself). The PostgreSQL driver is loaded only when it is used: an
 * SQLite server does not carry `pg` in its memory.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  if (config.storeUrl !== undefined && config.storeUrl !== '' && !config.memory) {
    if (!/^postgres(ql)?:\/\//.test(config.storeUrl)) {
      throw new Error(`--store: expected postgres://… or postgresql://…, got ${JSON.stringify(config.storeUrl.split(':')[0] + ':…')}`);
    }
    const { PostgresStore } = await import('./storage/postgres/postgres-store.ts');
    return new PostgresStore({ connectionString: config.storeUrl });
  }
  const filename = config.memory ? ':memory:' : join(resolve(config.dataDir ?? DEFAULT_DATA_DIR), 'wxlogistics.sqlite');
  return new SqliteStore({ filename });
}

export async function openStore(config: StoreConfig): Promise<Store> {
  const store = await createStore(config);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

export interface AppConfig extends StoreConfig {
  explain?: boolean | undefined;
  /** Log every request (pino JSON) on stdout, or on stderr with 'stderr'. */
  logger?: boolean | 'stderr' | undefined;
  /** Admin API key; default: `WXL_ADMIN_KEY`, else one generated once and kept in the store. */
  adminKey?: string | undefined;
  /** Push delivery policy (attempts, timeout, backoff, concurrency, poll interval). */
  push?: Partial<DeliveryPolicy> | undefined;
  /** How often due auto-progress steps are applied and the shared clock re-read (ms). */
  tickMs?: number | undefined;
  /** How many WeChat calls the console's request log keeps (default 500). */
  requestLogSize?: number | undefined;
  /** Call quotas (45009/45011) and the rid log of getRidInfo; both on by default (`--no-call-quotas`, `--no-rid-log`). */
  callQuotas?: boolean | undefined;
  ridLog?: boolean | undefined;
  /** How often call counters and the rid log are written to the store (ms, default 200). */
  apiFlushMs?: number | undefined;
  /** Rows the reset baseline may hold (default 20,000; src/baseline-reset.ts). */
  baselineMaxRows?: number | undefined;
  /** Events to registered carriers: timeout per attempt (default 5000 ms) and attempts on transport failures (default 3). */
  carrier?: Partial<Omit<CarrierLinkOptions, 'nowSeconds'>> | undefined;
}

export interface Application {
  core: LogisticsCore;
  server: FastifyInstance;
  dispatcher: PushDispatcher;
  adminKey: string;
  /** Fault rules of this process (in memory): the admin API, the CLI and the console change these. */
  faults: FaultRegistry;
  /** Listens and starts the background workers; answers the base URL. */
  listen(options: { host: string; port: number }): Promise<string>;
  /** Moves the shared clock, then applies what became due (as the admin API does). */
  advanceClock(seconds: number): Promise<number>;
  /**
   * Back to the baseline: the state when the server started listening (or at the
   * last `saveBaseline()`); see src/baseline-reset.ts. `POST /_wxl/api/reset` runs it.
   */
  reset(): Promise<void>;
  /** Takes the reset baseline now (`listen` takes one). */
  saveBaseline(): Promise<void>;
  /** `listener` runs after every reset; answers a function that removes it. */
  onReset(listener: () => void): () => void;
  close(): Promise<void>;
}

export async function createApplication(config: AppConfig): Promise<Application> {
  const store = await openStore(config);
  const core = new LogisticsCore(store, new AdjustableClock());
  // Nothing of an in-memory store is at rest: its app secrets get the light hash (core/tokens.ts).
  if (config.memory) core.apps.secretHashCost = 'light';
  await core.time.sync();
  // One process owns an SQLite file: leases left by a killed predecessor are void.
  if (store.kind === 'sqlite') await store.events.releaseLeases();
  const adminKey = config.adminKey ?? process.env.WXL_ADMIN_KEY ?? (await storedAdminKey(store));
  // Web console: request log filled by the WeChat routes; access decided by the bound address.
  const requestLog = new RequestLog(config.requestLogSize ?? 500);
  const faults = new FaultRegistry();
  const consoleAccess: ConsoleAccessContext = { boundHost: undefined, adminKey };
  await core.apiManagement.meter.reload();
  const apiManagement = { quotas: config.callQuotas ?? true, ridLog: config.ridLog ?? true };
  const server = buildServer({ core, explain: config.explain ?? false, logger: config.logger ?? false, requestLog, apiManagement, faults });
  const dispatcher = new PushDispatcher({
    store,
    clock: core.clock,
    policy: config.push ?? {},
    faults,
    log: (msg, data) => server.log.warn(data ?? {}, msg),
  });
  core.tracking.onOutboxWrite = () => dispatcher.nudge();
  core.carrierSide.link = new HttpCarrierLink({ ...config.carrier, nowSeconds: () => Math.floor(core.clock.nowMs() / 1000) });
  // Test hook (test/carrier-crash.test.ts): die between a carrier's reply and our commit.
  if (process.env.WXL_TEST_KILL_BEFORE_CARRIER_COMMIT === '1') core.carrierSide.beforeCommit = () => process.kill(process.pid, 'SIGKILL');
  const resets = new BaselineReset({
    core,
    maxRows: config.baselineMaxRows,
    forget: () => {
      requestLog.clear();
      faults.clear();
    },
  });
  const runDue = async () => {
    await core.time.sync();
    await core.progress.runDue();
    await core.accounts.completeReviews();
  };
  void server.register(
    // Outbox writes of the admin routes (carrier buttons) reach whoever listens for them, as the core's do.
    named(
      'wxl-admin-api',
      adminRoutes({
        core,
        adminKey,
        afterClockMove: runDue,
        nudgeDispatcher: () => core.tracking.onOutboxWrite(),
        faults,
        reset: () => application.reset(),
      }),
    ),
    { prefix: ADMIN_PREFIX },
  );
  void server.register(named('wxl-carrier-admin-api', carrierAdminRoutes({ core, adminKey })), { prefix: ADMIN_PREFIX });
  void server.register(named('wxl-console', consoleRoutes()));
  void server.register(named('wxl-console-api', consoleApi({ core, requestLog, access: consoleAccess, root: () => server, faults })), {
    prefix: CONSOLE_API_PREFIX,
  });

  let ticker: NodeJS.Timeout | undefined;
  let apiFlusher: { stop(): Promise<void> } | undefined;
  // Auto-progress ticks and resets run one after another on this chain.
  let ticking: Promise<void> = Promise.resolve();
  let listening = false;
  const application: Application = {
    core,
    server,
    dispatcher,
    adminKey,
    faults,
    async listen(options) {
      consoleAccess.boundHost = options.host;
      // The baseline is the state before the first request can change it.
      await resets.save();
      const url = await server.listen(options);
      listening = true;
      dispatcher.start();
      apiFlusher = startApiManagementFlusher(
        core,
        (error) => server.log.error({ err: error }, 'writing call counters or the rid log failed'),
        config.apiFlushMs,
      );
      ticker = setInterval(() => {
        ticking = ticking.then(runDue).catch((error: unknown) => server.log.error({ err: error }, 'auto-progress tick failed'));
      }, config.tickMs ?? 1000);
      ticker.unref();
      return url;
    },
    async advanceClock(seconds) {
      const now = await core.time.advance(seconds);
      await runDue();
      return now;
    },
    async reset() {
      // Deliveries in flight end first (held ones give up): an attempt recorded after the restore would land on a wiped outbox.
      const run = ticking.then(async () => {
        await dispatcher.stop();
        try {
          await resets.restore();
        } finally {
          if (listening) dispatcher.start();
        }
      });
      ticking = run.catch(() => undefined);
      await run;
    },
    saveBaseline: () => resets.save(),
    onReset: (listener) => resets.onReset(listener),
    async close() {
      listening = false;
      clearInterval(ticker);
      await ticking;
      await dispatcher.stop();
      await server.close();
      await apiFlusher?.stop();
      await store.close();
    },
  };
  return application;
}

async function storedAdminKey(store: Store): Promise<string> {
  // putIfAbsent: instances starting together on an empty database agree on one key.
  return store.settings.putIfAbsent('admin_key', randomBytes(18).toString('base64url'));
}
