/**
 * Composition root: reads configuration, picks the store backend, wires the
 * core and the adapters. Nothing else constructs concrete implementations.
 */
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AdjustableClock } from './core/clock.ts';
import { LogisticsCore } from './core/logistics-core.ts';
import { buildServer } from './http/server.ts';
import { SqliteStore } from './storage/sqlite/sqlite-store.ts';
import type { Store } from './storage/types.ts';

export interface StoreConfig {
  /** Data directory of the embedded store (default `./.wxlogistics`). */
  dataDir?: string | undefined;
  /** Keep everything in memory (CI). */
  memory?: boolean | undefined;
}

export const DEFAULT_DATA_DIR = '.wxlogistics';

export async function openStore(config: StoreConfig): Promise<Store> {
  const filename = config.memory ? ':memory:' : join(resolve(config.dataDir ?? DEFAULT_DATA_DIR), 'wxlogistics.sqlite');
  const store = new SqliteStore({ filename });
  await store.init();
  return store;
}

export interface AppConfig extends StoreConfig {
  explain?: boolean | undefined;
  logger?: boolean | undefined;
}

export interface Application {
  core: LogisticsCore;
  server: FastifyInstance;
  close(): Promise<void>;
}

export async function createApplication(config: AppConfig): Promise<Application> {
  const store = await openStore(config);
  const core = new LogisticsCore(store, new AdjustableClock());
  const server = buildServer({ core, explain: config.explain ?? false, logger: config.logger ?? false });
  return {
    core,
    server,
    async close() {
      await server.close();
      await store.close();
    },
  };
}
