import { randomBytes } from 'node:crypto';
import { nowSeconds, type Clock } from './clock.ts';
import type { Store } from '../storage/types.ts';

export interface CloudApp {
  appid: string;
  secretKey: string;
  envs: string[];
}

export interface CloudSettings {
  envs: string[];
  credentials: { secretId: string; secretKey: string }[];
}

/**
 * Per-app cloud settings of the cloud-call bridge (house rule 13): env
 * ids the app's functions run in, and secretId/secretKey pairs that sign calls.
 * Shaped like Tencent Cloud API keys: `AKID` + 32 characters, a 32-character key.
 */
export class CloudService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Adds env ids and one new key pair to the app; answers the app's settings. */
  async enable(appid: string, envs: string[]): Promise<{ secretId: string; secretKey: string }> {
    for (const env of envs) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(env)) throw new RangeError(`cloud env id ${env} must be 1-64 characters of [A-Za-z0-9_-]`);
    }
    const secretId = 'AKID' + randomBytes(16).toString('hex');
    const secretKey = randomBytes(16).toString('hex');
    this.#recent.clear();
    await this.store.transaction(async (tx) => {
      for (const env of envs) await tx.cloud.addEnv(appid, env);
      await tx.cloud.addCredential({ secret_id: secretId, appid, secret_key: secretKey, created_at: nowSeconds(this.clock) });
    });
    return { secretId, secretKey };
  }

  async settings(appid: string): Promise<CloudSettings> {
    const credentials = (await this.store.cloud.listCredentials(appid)).map((c) => ({ secretId: c.secret_id, secretKey: c.secret_key }));
    return { envs: await this.store.cloud.listEnvs(appid), credentials };
  }

  // Looked-up keys, kept one second: every cloud call needs them, they rarely change,
  // and a second is also how long a change takes to reach other instances.
  readonly #recent = new Map<string, { at: number; found: CloudApp }>();

  /** Forgets looked-up keys (the store was put back by a reset). */
  forgetLookups(): void {
    this.#recent.clear();
  }

  /** The app of a secretId looked up less than a second ago; undefined otherwise (ask findBySecretId). */
  knownBySecretId(secretId: string): CloudApp | undefined {
    const hit = this.#recent.get(secretId);
    return hit && Date.now() - hit.at < 1000 ? hit.found : undefined;
  }

  /** The app a secretId belongs to, with its key and envs (for the bridge). */
  async findBySecretId(secretId: string): Promise<CloudApp | undefined> {
    const known = this.knownBySecretId(secretId);
    if (known) return known;
    const c = await this.store.cloud.findCredential(secretId);
    const found = c && { appid: c.appid, secretKey: c.secret_key, envs: await this.store.cloud.listEnvs(c.appid) };
    if (this.#recent.size > 1000) this.#recent.clear();
    if (found) this.#recent.set(secretId, { at: Date.now(), found });
    return found;
  }
}
