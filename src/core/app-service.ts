import { nowSeconds, type Clock } from './clock.ts';
import { hashSecret, newAppid, newAppSecret, type SecretHashCost } from './tokens.ts';
import type { Store } from '../storage/types.ts';

export interface CreateAppOptions {
  appid?: string | undefined;
  secret?: string | undefined;
}

/** Mini programs known to this server. */
export class AppService {
  /** How slow the stored hash of a new secret is (tokens.ts): `light` only for a store kept in memory. */
  secretHashCost: SecretHashCost = 'standard';

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Creates an app; answers its appid and secret (the secret is stored only as a hash). */
  async create(options: CreateAppOptions = {}): Promise<{ appid: string; secret: string }> {
    const appid = options.appid ?? newAppid();
    const secret = options.secret ?? newAppSecret();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(appid)) throw new RangeError('appid must be 1-64 characters of [A-Za-z0-9_-]');
    if (await this.store.apps.get(appid)) throw new RangeError(`app ${appid} already exists`);
    await this.store.apps.insert({ appid, secret_hash: hashSecret(secret, this.secretHashCost), created_at: nowSeconds(this.clock) });
    return { appid, secret };
  }

  list() {
    return this.store.apps.list();
  }
}
