import type { AppService } from './app-service.ts';
import type { CarrierDirectory } from './carrier-directory.ts';
import type { ServiceType } from './carriers.ts';
import { findCarrier } from './carriers.ts';
import { nowSeconds, type Clock } from './clock.ts';
import { checkPushSettings, PushConfigError } from './push-config-service.ts';
import { compileCarrierTemplate } from './label/carrier-template.ts';
import type { CarrierRecord, WaybillSource } from '../storage/carrier-store.ts';
import type { PushFormat, PushMode, Store } from '../storage/types.ts';

/** What registers or changes a carrier (CLI `carrier add`, admin API `POST /carriers`). */
export interface CarrierInput {
  delivery_id?: string | undefined;
  name?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  encoding_aes_key?: string | undefined;
  mode?: PushMode | undefined;
  format?: PushFormat | undefined;
  /** `[{service_type, service_name}]`, or `"0:标准快递"` strings as the CLI takes them. */
  services?: (ServiceType | string)[] | undefined;
  template?: string | undefined;
  waybill_source?: WaybillSource | undefined;
  review?: boolean | undefined;
  /** The carrier's own app (default: a new random appid); with `secret` to choose it. */
  appid?: string | undefined;
  secret?: string | undefined;
}

/** A carrier as the registry answers it (`secret` only when its app was just created). */
export type CarrierView = Omit<CarrierRecord, 'template'> & { template: boolean; takes_over_built_in: boolean; secret?: string };

export const view = (c: CarrierRecord, secret?: string): CarrierView => ({
  ...c,
  template: c.template !== '',
  takes_over_built_in: findCarrier(c.delivery_id) !== undefined,
  ...(secret === undefined ? {} : { secret }),
});

/** `"0:标准快递"` → `{service_type: 0, service_name: "标准快递"}`. */
export function parseService(v: ServiceType | string): ServiceType {
  if (typeof v !== 'string') {
    if (!Number.isInteger(v.service_type) || typeof v.service_name !== 'string' || v.service_name === '') {
      throw new PushConfigError('a service is {"service_type": integer, "service_name": "…"}');
    }
    return { service_type: v.service_type, service_name: v.service_name };
  }
  const m = /^(-?\d+):(.+)$/.exec(v);
  if (!m) throw new PushConfigError(`service ${JSON.stringify(v)}: write TYPE:NAME, e.g. "0:标准快递"`);
  return { service_type: Number(m[1]), service_name: m[2]! };
}

const DELIVERY_ID = /^[A-Za-z0-9_]{1,32}$/;

/**
 * The carrier registry (provider-api.md §7): each registered carrier has its
 * push endpoint (URL, Token, EncodingAESKey, mode, format), its services, an
 * optional label template, and its own app whose access_token calls the
 * provider API. A registered delivery_id that is also built in replaces that
 * simulation; removing it brings the simulation back.
 */
export class CarrierRegistry {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly apps: AppService,
    private readonly directory: CarrierDirectory,
  ) {}

  async add(input: CarrierInput): Promise<CarrierView> {
    const deliveryId = input.delivery_id ?? '';
    if (!DELIVERY_ID.test(deliveryId)) throw new PushConfigError('delivery_id must be 1-32 letters, digits or _');
    if (await this.store.carriers.get(deliveryId))
      throw new PushConfigError(`carrier ${deliveryId} is registered already (change it with PUT, or remove it first)`);
    const now = nowSeconds(this.clock);
    const record = this.#record(deliveryId, input, undefined, now);
    const existingApp = input.appid !== undefined ? await this.store.apps.get(input.appid) : undefined;
    if (existingApp && input.secret !== undefined) throw new PushConfigError(`app ${input.appid} exists: give no secret to use it`);
    const app = existingApp
      ? { appid: existingApp.appid, secret: undefined }
      : await this.apps.create({ appid: input.appid, secret: input.secret });
    if ((await this.store.carriers.list()).some((c) => c.appid === app.appid))
      throw new PushConfigError(`app ${app.appid} is already another carrier's`);
    const full = { ...record, appid: app.appid };
    await this.store.carriers.put(full);
    this.directory.invalidate();
    return view(full, app.secret);
  }

  async update(deliveryId: string, input: CarrierInput): Promise<CarrierView | undefined> {
    const prior = await this.store.carriers.get(deliveryId);
    if (!prior) return undefined;
    const record = this.#record(deliveryId, input, prior, nowSeconds(this.clock));
    await this.store.carriers.put(record);
    this.directory.invalidate();
    return view(record);
  }

  async remove(deliveryId: string): Promise<boolean> {
    const removed = await this.store.carriers.delete(deliveryId);
    this.directory.invalidate();
    return removed;
  }

  async get(deliveryId: string): Promise<CarrierView | undefined> {
    const c = await this.store.carriers.get(deliveryId);
    return c && view(c);
  }

  async list(): Promise<CarrierView[]> {
    return (await this.store.carriers.list()).map((c) => view(c));
  }

  #record(deliveryId: string, input: CarrierInput, prior: CarrierRecord | undefined, now: number): CarrierRecord {
    const push = checkPushSettings({
      url: input.url ?? prior?.url ?? '',
      token: input.token ?? prior?.token ?? '',
      encodingAesKey: input.encoding_aes_key ?? prior?.encoding_aes_key,
      mode: input.mode ?? prior?.mode,
      format: input.format ?? prior?.format,
    });
    const name = input.name ?? prior?.name ?? findCarrier(deliveryId)?.delivery_name ?? '';
    if (name === '') throw new PushConfigError('name is required for a delivery_id that is not built in');
    const services = input.services?.map(parseService) ?? prior?.services ?? findCarrier(deliveryId)?.service_type ?? [];
    if (services.length === 0) throw new PushConfigError('at least one service is required (e.g. "0:标准快递")');
    if (new Set(services.map((s) => s.service_type)).size !== services.length) throw new PushConfigError('service types must differ');
    const template = input.template ?? prior?.template ?? '';
    // A template that does not compile is refused here (9300512), not at the first label.
    if (template !== '') compileCarrierTemplate(template);
    const source = input.waybill_source ?? prior?.waybill_source ?? 'segment';
    if (source !== 'segment' && source !== 'carrier') throw new PushConfigError('waybill_source is segment or carrier');
    return {
      delivery_id: deliveryId,
      name,
      appid: prior?.appid ?? '',
      ...push,
      services,
      template,
      waybill_source: source,
      review: input.review ?? prior?.review ?? findCarrier(deliveryId)?.bindNeedsReview ?? false,
      created_at: prior?.created_at ?? now,
      updated_at: now,
    };
  }
}
