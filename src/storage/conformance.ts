/**
 * One conformance suite for every store (STYLE.md §4). A backend's test file calls
 * `runStoreConformance` with a factory of fresh, initialised, empty stores; every
 * case runs on a store of its own, through the `Store` interfaces only. Gaps are
 * declared in `skip` with a reason, keyed by the case title; a skip naming no case
 * is an error, so stale skips do not linger.
 */
import { test } from 'node:test';
import type { Store } from './types.ts';
import { apiCallCases } from './conformance-api-cases.ts';
import { baselineCases } from './conformance-baseline-cases.ts';
import { basicCases } from './conformance-basic-cases.ts';
import { carrierCases } from './conformance-carrier-cases.ts';
import { eventCases } from './conformance-event-cases.ts';
import { orderCases } from './conformance-order-cases.ts';
import { stateCases } from './conformance-state-cases.ts';
import { transactionCases } from './conformance-transaction-cases.ts';

export interface StoreConformanceOptions {
  /** Prefix of every test name, e.g. `sqlite :memory:`. */
  name: string;
  /** A fresh, initialised store with no rows. */
  newStore: () => Promise<Store>;
  /** Releases a store the suite is done with (default: `close()`). Called for the last store of each case. */
  cleanup?: (store: Store) => Promise<void>;
  /** Closes `store` and opens (and inits) a new one on the same data; absent when the backend cannot. */
  reopen?: (store: Store) => Promise<Store>;
  /** Opens a second live instance on the same data while `store` stays open; absent when the backend cannot. */
  peer?: (store: Store) => Promise<Store>;
  /** Case title → why this backend does not pass it. */
  skip?: Record<string, string>;
}

/** What a case gets: its store, and the means to reopen it or open a peer on the same data. */
export interface Harness {
  readonly store: Store;
  /** Closes the store and opens the same data again; `store` is the new one afterwards. */
  reopen(): Promise<Store>;
  /** A second instance on the same data (closed by the harness). */
  peer(): Promise<Store>;
  /** Another fresh, empty store: a second database (released by the harness as `cleanup` does). */
  fresh(): Promise<Store>;
}

export type ConformanceCase = readonly [title: string, run: (h: Harness) => Promise<void>];

export const allCases = (): ConformanceCase[] => [
  ...basicCases,
  ...orderCases,
  ...eventCases,
  ...transactionCases,
  ...stateCases,
  ...apiCallCases,
  ...baselineCases,
  ...carrierCases,
];

export function runStoreConformance(options: StoreConformanceOptions): void {
  const cases = allCases();
  const titles = new Set(cases.map(([title]) => title));
  const unknown = Object.keys(options.skip ?? {}).filter((k) => !titles.has(k));
  if (unknown.length > 0) throw new Error(`runStoreConformance(${options.name}): skip names no case: ${unknown.join('; ')}`);
  const duplicate = cases.find(([title], i) => cases.findIndex(([t]) => t === title) !== i);
  if (duplicate) throw new Error(`runStoreConformance: two cases are titled ${JSON.stringify(duplicate[0])}`);

  for (const [title, run] of cases) {
    const reason = options.skip?.[title];
    const name = `${options.name}: ${title}`;
    if (reason !== undefined) {
      test(name, { skip: reason }, () => undefined);
      continue;
    }
    test(name, async () => {
      let store = await options.newStore();
      const peers: Store[] = [];
      const others: Store[] = [];
      const harness: Harness = {
        get store() {
          return store;
        },
        async reopen() {
          if (!options.reopen) throw new Error(`${options.name} cannot reopen a store: declare a skip for ${JSON.stringify(title)}`);
          store = await options.reopen(store);
          return store;
        },
        async peer() {
          if (!options.peer) throw new Error(`${options.name} cannot open a second instance: declare a skip for ${JSON.stringify(title)}`);
          const p = await options.peer(store);
          peers.push(p);
          return p;
        },
        async fresh() {
          const s = await options.newStore();
          others.push(s);
          return s;
        },
      };
      try {
        await run(harness);
      } finally {
        for (const p of peers) await p.close();
        const release = options.cleanup ?? ((s: Store) => s.close());
        for (const s of others) await release(s);
        await release(store);
      }
    });
  }
}
