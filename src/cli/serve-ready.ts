/**
 * What `wxlogistics serve` sets up before it listens and what it tells the caller once
 * it does: the seed (`--seed FILE`), the demo app of an empty store, and the one JSON
 * line of `--json`, which test suites in other languages and CI service steps read to
 * learn where the server is and which app to use (README "Start it from any test suite").
 */
import { readFile } from 'node:fs/promises';
import type { LogisticsCore } from '../core/logistics-core.ts';
import { applySeed, parseSeed, SeedError, type Seed, type SeededApp, type SeedResult } from '../core/seed.ts';
import { ADMIN_PREFIX } from '../http/admin-routes.ts';
import { CONSOLE_PATH } from '../http/console-routes.ts';
import { DEFAULT_CLOUD_ENV } from '../in-process/start.ts';

/** Reads and checks a seed file; a missing file, bad JSON or a malformed seed is a SeedError naming the file. */
export async function readSeedFile(file: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SeedError(`--seed ${file}`, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError(`--seed ${file}`, `not JSON (${(error as Error).message})`);
  }
  try {
    return parseSeed(json);
  } catch (error) {
    if (error instanceof SeedError) throw new SeedError(`--seed ${file}: ${error.where}`, error.reason);
    throw error;
  }
}

export interface ReadyApps {
  /** The app the start line names: the first seeded app, else the demo app; undefined on a store that already had apps. */
  app: SeededApp | undefined;
  /** Whether `app` is a demo app created because the store was empty. */
  demo: boolean;
  seeded: SeedResult | undefined;
}

/** Creates the demo app (with a cloud env and keys) when the store has no app and the seed names none, then applies the seed. */
export async function prepareApps(core: LogisticsCore, seed: Seed | undefined, seedFile = 'seed'): Promise<ReadyApps> {
  let demo: SeededApp | undefined;
  if ((seed?.apps?.length ?? 0) === 0 && (await core.apps.list()).length === 0) {
    const created = await core.apps.create();
    demo = { ...created, cloud: { env: DEFAULT_CLOUD_ENV, ...(await core.cloud.enable(created.appid, [DEFAULT_CLOUD_ENV])) } };
  }
  if (!seed) return { app: demo, demo: demo !== undefined, seeded: undefined };
  try {
    const seeded = await applySeed(core, seed, { defaultAppid: demo?.appid });
    return { app: seeded.apps[0] ?? demo, demo: seeded.apps.length === 0 && demo !== undefined, seeded };
  } catch (error) {
    if (error instanceof SeedError) throw new SeedError(`--seed ${seedFile}: ${error.where}`, error.reason);
    throw error;
  }
}

/**
 * The `--json` start line. appid/secret (and the cloud fields) are null when the store
 * already had apps and no seed named one: secrets are stored only as hashes.
 */
export function readyLine(address: string, adminKey: string, ready: ReadyApps): Record<string, unknown> {
  const { app, seeded } = ready;
  return {
    baseUrl: address,
    appid: app?.appid ?? null,
    secret: app?.secret ?? null,
    adminKey,
    adminUrl: `${address}${ADMIN_PREFIX}`,
    consoleUrl: `${address}${CONSOLE_PATH}`,
    // The cloud-call bridge's path (wx-server-sdk's serviceUrl / TCB_CONTEXT_CNFG URL).
    cloudServiceUrl: `${address}/admin`,
    cloudEnv: app?.cloud?.env ?? null,
    secretId: app?.cloud?.secretId ?? null,
    secretKey: app?.cloud?.secretKey ?? null,
    ...(seeded && { apps: seeded.apps, orders: seeded.orders }),
    pid: process.pid,
  };
}
