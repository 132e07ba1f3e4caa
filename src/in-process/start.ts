/**
 * `startWxLogistics()`: a whole wxlogistics server inside the caller's process,
 * for test suites (as mongodb-memory-server or the Firebase emulators' test SDK
 * are used). It is the same server `wxlogistics serve` runs — the same core,
 * HTTP adapter, cloud-call bridge and admin API over a real socket on
 * 127.0.0.1 — plus what a test needs: a ready app, the clock, a reset back to
 * the state at start, the push inbox and fault rules.
 *
 * Every instance owns its store, clock, caches, fault rules and inbox: several
 * in one process (parallel test files, worker threads) never share state.
 */
import { createApplication, type AppConfig, type Application } from '../app.ts';
import type { FaultRule, FaultRuleInput } from '../faults/fault-rule.ts';
import type { DeliveryPolicy } from '../push/delivery-policy.ts';
import { PushCapture, type PushInbox } from './push-inbox.ts';

/** Where the state lives: in memory (default), an SQLite data directory, or PostgreSQL (`?schema=` for a schema of its own). */
export type WxLogisticsStore = 'memory' | { dataDir: string } | { url: string };

export interface CreateWxAppOptions {
  /** Default: a generated `wx…` appid. */
  appid?: string | undefined;
  /** Default: a generated 32-character secret. */
  secret?: string | undefined;
  /** The cloud env id the app's cloud functions run in (default `local-env`). */
  cloudEnv?: string | undefined;
}

export interface StartWxLogisticsOptions {
  /** Default 0: any free port. */
  port?: number | undefined;
  /** Default `127.0.0.1`. */
  host?: string | undefined;
  /** Default `'memory'`: nothing is written to disk. */
  store?: WxLogisticsStore | undefined;
  /** Apps created at start (they survive `reset()`); default: one generated app. `wx.app` is the first. */
  apps?: CreateWxAppOptions[] | undefined;
  /** Admin API key (default: generated). */
  adminKey?: string | undefined;
  /** Append a plain-language reason to every errmsg (not WeChat-exact). */
  explain?: boolean | undefined;
  /** Push delivery to a receiver you configure (`PUT /_wxl/api/apps/:appid/push`): attempts, timeout, backoff. */
  push?: Partial<Pick<DeliveryPolicy, 'maxAttempts' | 'timeoutMs' | 'backoffBaseMs'>> | undefined;
}

/** An app ready for HTTPS calls (`/cgi-bin/token` with appid and secret) and for wx-server-sdk (`cloud`). */
export interface WxApp {
  appid: string;
  secret: string;
  /** For `cloud.init({ env, serviceUrl: wx.cloudServiceUrl, secretId, secretKey })`. */
  cloud: { env: string; secretId: string; secretKey: string };
}

/** The server's one clock (house rule 14): real time plus an offset that only tests move. */
export interface WxClock {
  /** Moves the clock forward; tokens expire, auto-progress and account reviews run. Answers the new time (Unix seconds). */
  advance(seconds: number): Promise<number>;
  /** The server's time, Unix seconds. */
  now(): number;
}

/** Fault rules of this server (shape: `FaultRuleInput`; the same as `/_wxl/api/faults`). */
export interface WxFaults {
  add(rule: FaultRuleInput): Promise<FaultRule>;
  clear(): Promise<void>;
  list(): FaultRule[];
}

export interface WxLogistics {
  /** `http://127.0.0.1:PORT`: use it instead of `https://api.weixin.qq.com`. */
  readonly baseUrl: string;
  /** `…/admin`: wx-server-sdk's `serviceUrl` (or `TCB_CONTEXT_CNFG={"URL":…}`). */
  readonly cloudServiceUrl: string;
  /** Key of the admin API (`x-wxl-admin-key`) under `${baseUrl}/_wxl/api`. */
  readonly adminKey: string;
  /** The first app created at start. */
  readonly app: WxApp;
  /** Creates another app (it does not survive `reset()`). */
  createApp(options?: CreateWxAppOptions): Promise<WxApp>;
  readonly clock: WxClock;
  /**
   * Back to the state right after start: orders, paths, tokens, accounts,
   * printers, push settings and outbox, the clock, fault rules and the inbox
   * go; the apps created at start stay, with the same secrets and cloud keys.
   */
  reset(): Promise<void>;
  /** Events that would be pushed to the merchant, of all apps or of one. */
  pushes(appid?: string): PushInbox;
  readonly faults: WxFaults;
  /** Stops listening and closes the store. */
  stop(): Promise<void>;
}

export const DEFAULT_CLOUD_ENV = 'local-env';

function storeConfig(store: WxLogisticsStore | undefined): Pick<AppConfig, 'memory' | 'dataDir' | 'storeUrl'> {
  if (store === undefined || store === 'memory') return { memory: true };
  if (typeof store === 'object' && store !== null && 'url' in store && typeof store.url === 'string') return { storeUrl: store.url };
  if (typeof store === 'object' && store !== null && 'dataDir' in store && typeof store.dataDir === 'string')
    return { dataDir: store.dataDir };
  throw new TypeError("startWxLogistics: store is 'memory', { dataDir: '…' } or { url: 'postgres://…' }");
}

async function createWxApp(application: Application, options: CreateWxAppOptions): Promise<WxApp> {
  const { core } = application;
  const { appid, secret } = await core.apps.create({ appid: options.appid, secret: options.secret });
  const env = options.cloudEnv ?? DEFAULT_CLOUD_ENV;
  const keys = await core.cloud.enable(appid, [env]);
  return { appid, secret, cloud: { env, ...keys } };
}

/**
 * Starts a wxlogistics server in this process.
 * @example
 * const wx = await startWxLogistics();
 * const client = new LogisticsClient({ appid: wx.app.appid, secret: wx.app.secret, baseUrl: wx.baseUrl });
 * // … each test: await wx.reset();  at the end: await wx.stop();
 */
export async function startWxLogistics(options: StartWxLogisticsOptions = {}): Promise<WxLogistics> {
  const application = await createApplication({
    ...storeConfig(options.store),
    adminKey: options.adminKey,
    explain: options.explain,
    push: options.push,
  });
  const capture = new PushCapture(application.core.store);
  try {
    const wanted = options.apps !== undefined && options.apps.length > 0 ? options.apps : [{}];
    const apps: WxApp[] = [];
    for (const o of wanted) apps.push(await createWxApp(application, o));
    await capture.start();
    // After the core's own listener (the dispatcher): every committed outbox write is read into the inbox.
    const announce = application.core.tracking.onOutboxWrite;
    application.core.tracking.onOutboxWrite = () => {
      announce();
      void capture.pull();
    };
    application.onReset(() => capture.clear());
    const baseUrl = await application.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    return handle(application, capture, baseUrl.replace('://localhost:', '://127.0.0.1:'), apps[0]!);
  } catch (error) {
    capture.close();
    await application.close().catch(() => undefined);
    throw error;
  }
}

function handle(application: Application, capture: PushCapture, baseUrl: string, app: WxApp): WxLogistics {
  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    cloudServiceUrl: `${baseUrl}/admin`,
    adminKey: application.adminKey,
    app,
    createApp: (o = {}) => createWxApp(application, o),
    clock: {
      advance: (seconds) => application.advanceClock(seconds),
      now: () => Math.floor(application.core.clock.nowMs() / 1000),
    },
    reset: () => application.reset(),
    pushes: (appid) => capture.inbox(appid),
    faults: {
      add: async (rule) => application.faults.add(rule),
      clear: async () => application.faults.clear(),
      list: () => application.faults.list(),
    },
    stop() {
      stopping ??= (async () => {
        capture.close();
        await application.close();
      })();
      return stopping;
    },
  };
}
