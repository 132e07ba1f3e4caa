/**
 * A seed: apps, carrier accounts and orders to create when a server starts
 * (`wxlogistics serve --seed FILE`), so a test suite in any language finds the state
 * it needs without calling the API first. Every entry goes through the same services
 * and rules as the API: an account is a bindAccount `bind`, an order an addOrder.
 *
 * ```json
 * {
 *   "apps":     [{ "appid": "wx1111111111111111", "secret": "…", "cloudEnv": "local-env" }],
 *   "accounts": [{ "delivery_id": "SF", "biz_id": "SF_CASH", "password": "…" }],
 *   "orders":   [{ "order_id": "o-1", "delivery_id": "SF", "biz_id": "SF_CASH", …addOrder body }]
 * }
 * ```
 * Every key is optional. `appid`/`secret` default to random ones; `cloudEnv` (a string
 * or a list) adds cloud env ids and a secretId/secretKey pair. An account or order
 * without `appid` belongs to the default app: the first seeded app, else the server's
 * demo app. Applying the same seed again to a kept store is allowed: an app that
 * exists is reused when the seed gives its secret, a binding is rewritten, an
 * identical addOrder is answered as a replay.
 */
import { WxError } from './errors.ts';
import type { LogisticsCore } from './logistics-core.ts';
import { verifySecret } from './tokens.ts';
import { obj, type Body } from './validate.ts';

export interface SeedApp {
  appid?: string;
  secret?: string;
  cloudEnv?: string | string[];
}

export interface SeedAccount {
  appid?: string;
  delivery_id: string;
  biz_id: string;
  password?: string;
  remark_content?: string;
}

export type SeedOrder = Body & { appid?: string };

export interface Seed {
  apps?: SeedApp[];
  accounts?: SeedAccount[];
  orders?: SeedOrder[];
}

export interface SeededApp {
  appid: string;
  secret: string;
  /** Present when the seed gave `cloudEnv`: the first env id and the new key pair. */
  cloud?: { env: string; secretId: string; secretKey: string };
}

export interface SeedResult {
  apps: SeededApp[];
  accounts: number;
  orders: { appid: string; order_id: string; waybill_id: string }[];
}

/** Thrown when a seed is malformed or one of its entries is refused; the message names the entry. */
export class SeedError extends Error {
  override name = 'SeedError' as const;
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

const SEED_KEYS = ['apps', 'accounts', 'orders'];
const APP_KEYS = ['appid', 'secret', 'cloudEnv'];
const ACCOUNT_KEYS = ['appid', 'delivery_id', 'biz_id', 'password', 'remark_content'];

function list(seed: Body, key: string): Body[] {
  const value = seed[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SeedError(key, 'must be a list');
  return value.map((entry, i) => {
    const o = obj(entry);
    if (!o) throw new SeedError(`${key}[${i}]`, 'must be an object');
    return o;
  });
}

function onlyKeys(entry: Body, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(entry).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new SeedError(where, `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed.join(', ')})`);
}

function optionalString(entry: Body, key: string, where: string): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SeedError(where, `${key} must be a string`);
  return value;
}

function reason(error: unknown): string {
  if (error instanceof WxError) return `errcode ${error.errcode}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Checks the whole seed's shape before anything is written. */
export function parseSeed(input: unknown): Seed {
  const seed = obj(input);
  if (!seed) throw new SeedError('seed', 'must be a JSON object with "apps", "accounts" and/or "orders"');
  onlyKeys(seed, SEED_KEYS, 'seed');
  const apps = list(seed, 'apps').map((app, i): SeedApp => {
    const where = `apps[${i}]`;
    onlyKeys(app, APP_KEYS, where);
    const envs = app.cloudEnv;
    if (
      envs !== undefined &&
      typeof envs !== 'string' &&
      !(Array.isArray(envs) && envs.length > 0 && envs.every((e) => typeof e === 'string'))
    ) {
      throw new SeedError(where, 'cloudEnv must be an env id or a non-empty list of env ids');
    }
    const appid = optionalString(app, 'appid', where);
    const secret = optionalString(app, 'secret', where);
    return {
      ...(appid !== undefined && { appid }),
      ...(secret !== undefined && { secret }),
      ...(envs !== undefined && { cloudEnv: envs as string | string[] }),
    };
  });
  const accounts = list(seed, 'accounts').map((account, i): SeedAccount => {
    const where = `accounts[${i}]`;
    onlyKeys(account, ACCOUNT_KEYS, where);
    for (const key of ACCOUNT_KEYS) optionalString(account, key, where);
    if (typeof account.delivery_id !== 'string' || typeof account.biz_id !== 'string')
      throw new SeedError(where, 'delivery_id and biz_id are required');
    return account as unknown as SeedAccount;
  });
  const orders = list(seed, 'orders').map((order, i): SeedOrder => {
    optionalString(order, 'appid', `orders[${i}]`);
    return order;
  });
  return { apps, accounts, orders };
}

async function seedApp(core: LogisticsCore, app: SeedApp, where: string): Promise<SeededApp> {
  const existing = app.appid === undefined ? undefined : await core.store.apps.get(app.appid);
  let created: { appid: string; secret: string };
  if (existing) {
    if (app.secret === undefined || !verifySecret(app.secret, existing.secret_hash)) {
      throw new SeedError(where, `app ${existing.appid} already exists with another secret (give its secret to reuse it)`);
    }
    created = { appid: existing.appid, secret: app.secret };
  } else {
    try {
      created = await core.apps.create({ appid: app.appid, secret: app.secret });
    } catch (error) {
      throw new SeedError(where, reason(error));
    }
  }
  if (app.cloudEnv === undefined) return created;
  const envs = typeof app.cloudEnv === 'string' ? [app.cloudEnv] : app.cloudEnv;
  try {
    const keys = await core.cloud.enable(created.appid, envs);
    return { ...created, cloud: { env: envs[0]!, ...keys } };
  } catch (error) {
    throw new SeedError(where, reason(error));
  }
}

/**
 * Creates what the seed lists, in order: apps, then accounts, then orders; stops at
 * the first refused entry with a SeedError naming it (entries before it stay, each
 * was its own transaction, as separate API calls would be).
 * @example
 * const { apps } = await applySeed(core, parseSeed(JSON.parse(text)), { defaultAppid: demo.appid });
 */
export async function applySeed(core: LogisticsCore, seed: Seed, options: { defaultAppid?: string | undefined } = {}): Promise<SeedResult> {
  const apps: SeededApp[] = [];
  for (const [i, app] of (seed.apps ?? []).entries()) apps.push(await seedApp(core, app, `apps[${i}]`));
  const defaultAppid = apps[0]?.appid ?? options.defaultAppid;
  const appFor = async (appid: string | undefined, where: string): Promise<string> => {
    const id = appid ?? defaultAppid;
    if (id === undefined) throw new SeedError(where, 'no appid and no default app');
    if (!(await core.store.apps.get(id))) throw new SeedError(where, `no app ${id} (seed it under "apps")`);
    return id;
  };
  let accounts = 0;
  for (const [i, { appid, ...account }] of (seed.accounts ?? []).entries()) {
    const where = `accounts[${i}]`;
    const id = await appFor(appid, where);
    try {
      await core.accounts.bindAccount(id, { type: 'bind', ...account });
    } catch (error) {
      throw new SeedError(where, reason(error));
    }
    accounts++;
  }
  const orders: SeedResult['orders'] = [];
  for (const [i, { appid, ...body }] of (seed.orders ?? []).entries()) {
    const where = `orders[${i}]${typeof body.order_id === 'string' ? ` (order_id ${body.order_id})` : ''}`;
    const id = await appFor(appid, where);
    try {
      const added = await core.orders.addOrder(id, body);
      orders.push({ appid: id, order_id: added.order_id, waybill_id: added.waybill_id });
    } catch (error) {
      throw new SeedError(where, reason(error));
    }
  }
  return { apps, accounts, orders };
}
