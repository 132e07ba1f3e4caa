import { carriers as builtInCarriers, findCarrier as findBuiltIn, type Carrier } from './carriers.ts';
import { compileCarrierTemplate, type CompiledCarrierTemplate } from './label/carrier-template.ts';
import type { CarrierRecord } from '../storage/carrier-store.ts';
import type { Store } from '../storage/types.ts';

/** How long a read of the registry is trusted: a change made by another process (the CLI, another instance) is seen within this. */
export const REGISTRY_TTL_MS = 1000;

/** Waybill numbers of a registered carrier that brings a new delivery_id: `WXL` + 12 digits from our segment. */
const NEW_CARRIER_WAYBILL = { prefix: 'WXL', digits: 12 } as const;

/** The catalogue entry of a registered carrier: its services; the built-in's number shape when it takes over a known id. */
export function registeredCatalogueEntry(record: CarrierRecord): Carrier {
  const builtIn = findBuiltIn(record.delivery_id);
  return {
    delivery_id: record.delivery_id,
    delivery_name: record.name,
    service_type: record.services,
    franchise: false,
    bindNeedsReview: record.review,
    waybill: builtIn?.waybill ?? NEW_CARRIER_WAYBILL,
    waybillDataKeys: [],
    registered: true,
  };
}

interface Snapshot {
  byId: Map<string, CarrierRecord>;
  byAppid: Map<string, CarrierRecord>;
  entries: Map<string, Carrier>;
  all: Carrier[];
  templates: Map<string, CompiledCarrierTemplate>;
}

/**
 * The carriers this server knows: the built-in simulations of carriers.ts,
 * overlaid by the registered carriers of the store (a registered carrier may
 * take over a built-in delivery_id, replacing its simulation, or bring a new one).
 *
 * Reads are synchronous over a snapshot; `refresh()` re-reads the (small) table
 * when the snapshot is older than REGISTRY_TTL_MS, so a carrier added through
 * the CLI while the server runs on the same store takes effect within a second,
 * without a restart. Changes made through this process invalidate it at once.
 */
export class CarrierDirectory {
  #snapshot: Snapshot = build([]);
  #loadedAt = -Infinity;
  #loading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = REGISTRY_TTL_MS,
  ) {}

  /** The snapshot is recent enough that refresh() would not read the store. */
  get fresh(): boolean {
    return Date.now() - this.#loadedAt < this.ttlMs;
  }

  /** Re-reads the registry when the snapshot is stale (concurrent callers share one read). */
  refresh(): Promise<void> {
    if (Date.now() - this.#loadedAt < this.ttlMs) return Promise.resolve();
    this.#loading ??= this.store.carriers
      .list()
      .then((records) => {
        this.#snapshot = build(records);
        this.#loadedAt = Date.now();
      })
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** The next refresh() reads the store again. */
  invalidate(): void {
    this.#loadedAt = -Infinity;
  }

  find(deliveryId: string): Carrier | undefined {
    return this.#snapshot.entries.get(deliveryId) ?? findBuiltIn(deliveryId);
  }

  /** The registered carrier of a delivery_id; undefined for a simulated one. */
  registered(deliveryId: string): CarrierRecord | undefined {
    return this.#snapshot.byId.get(deliveryId);
  }

  /** The registered carrier whose own app this is (the provider API's caller). */
  byAppid(appid: string): CarrierRecord | undefined {
    return this.#snapshot.byAppid.get(appid);
  }

  /** getAllDelivery's list: built-ins in catalogue order (taken-over ones replaced in place), then new ones by delivery_id. */
  all(): Carrier[] {
    return this.#snapshot.all;
  }

  registeredList(): CarrierRecord[] {
    return [...this.#snapshot.byId.values()];
  }

  /** The compiled label template of a registered carrier (compiled once per snapshot), if it has one. */
  template(deliveryId: string): CompiledCarrierTemplate | undefined {
    const record = this.#snapshot.byId.get(deliveryId);
    if (!record || record.template === '') return undefined;
    let compiled = this.#snapshot.templates.get(deliveryId);
    if (compiled === undefined) {
      compiled = compileCarrierTemplate(record.template);
      this.#snapshot.templates.set(deliveryId, compiled);
    }
    return compiled;
  }
}

function build(records: CarrierRecord[]): Snapshot {
  const byId = new Map(records.map((r) => [r.delivery_id, r]));
  const entries = new Map(records.map((r) => [r.delivery_id, registeredCatalogueEntry(r)]));
  const all = [
    ...builtInCarriers.map((c) => entries.get(c.delivery_id) ?? c),
    ...[...entries.values()].filter((c) => !findBuiltIn(c.delivery_id)),
  ];
  return { byId, byAppid: new Map(records.map((r) => [r.appid, r])), entries, all, templates: new Map() };
}
