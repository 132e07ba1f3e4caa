import type { Clock } from './clock.ts';
import { AccountService } from './account-service.ts';
import { AppService } from './app-service.ts';
import { CloudService } from './cloud-service.ts';
import { OrderService } from './order-service.ts';
import { TokenService } from './token-service.ts';
import type { Store } from '../storage/types.ts';

/** The domain, assembled over one store and one clock. Adapters (HTTP, cloud call, CLI) call only this. */
export class LogisticsCore {
  readonly apps: AppService;
  readonly tokens: TokenService;
  readonly orders: OrderService;
  readonly accounts: AccountService;
  readonly cloud: CloudService;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    this.apps = new AppService(store, clock);
    this.tokens = new TokenService(store, clock);
    this.orders = new OrderService(store, clock);
    this.accounts = new AccountService(store, clock);
    this.cloud = new CloudService(store, clock);
  }
}
