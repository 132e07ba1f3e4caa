import type { AdjustableClock } from './clock.ts';
import { ClockService } from './clock-service.ts';
import { AccountService } from './account-service.ts';
import { AppService } from './app-service.ts';
import { CloudService } from './cloud-service.ts';
import { OrderService } from './order-service.ts';
import { TokenService } from './token-service.ts';
import { TrackingService } from './tracking-service.ts';
import { PrinterService } from './printer-service.ts';
import { PushConfigService } from './push-config-service.ts';
import { ProgressRunner } from './progress-runner.ts';
import { CarrierDirectory } from './carrier-directory.ts';
import { CarrierRegistry } from './carrier-registry.ts';
import { CarrierSide } from './carrier-side.ts';
import { ProviderService } from './provider-service.ts';
import type { Store } from '../storage/types.ts';
import { ApiManagementService } from './api-management-service.ts';
import { ApiUsageMeter } from './api-usage-meter.ts';
import { RidLog, type RidLogOptions } from './rid-log.ts';

/** The domain, assembled over one store and one clock. Adapters (HTTP, cloud call, CLI) call only this. */
export class LogisticsCore {
  readonly apps: AppService;
  readonly tokens: TokenService;
  readonly orders: OrderService;
  readonly accounts: AccountService;
  readonly cloud: CloudService;
  readonly tracking: TrackingService;
  readonly printers: PrinterService;
  readonly push: PushConfigService;
  readonly progress: ProgressRunner;
  readonly time: ClockService;
  /** Call quotas and the rid log (api-management.md). */
  readonly apiManagement: ApiManagementService;
  /** Built-in and registered carriers; the registry that changes them; the events a registered one receives; the provider API it calls. */
  readonly carriers: CarrierDirectory;
  readonly carrierRegistry: CarrierRegistry;
  readonly carrierSide: CarrierSide;
  readonly provider: ProviderService;

  constructor(
    readonly store: Store,
    readonly clock: AdjustableClock,
    ridLogOptions: Partial<RidLogOptions> = {},
  ) {
    this.apps = new AppService(store, clock);
    this.tokens = new TokenService(store, clock);
    this.carriers = new CarrierDirectory(store);
    this.carrierSide = new CarrierSide(store, clock);
    this.carrierRegistry = new CarrierRegistry(store, clock, this.apps, this.carriers);
    this.orders = new OrderService(store, clock, this.carriers, this.carrierSide);
    this.cloud = new CloudService(store, clock);
    this.tracking = new TrackingService(store, clock);
    this.tracking.carriers = this.carriers;
    this.accounts = new AccountService(store, clock, this.tracking, this.carriers, this.carrierSide);
    this.provider = new ProviderService(store, clock, this.carriers, this.carrierSide, this.tracking);
    this.printers = new PrinterService(store, clock);
    this.push = new PushConfigService(store, clock);
    this.progress = new ProgressRunner(store, clock, this.tracking);
    this.time = new ClockService(store, clock);
    this.apiManagement = new ApiManagementService(
      store,
      clock,
      new ApiUsageMeter(store, clock),
      new RidLog(store, clock, ridLogOptions),
      this.tokens,
    );
    this.orders.afterInsert = (tx, order) => this.progress.planNewOrder(tx, order);
  }
}
