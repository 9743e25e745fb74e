import type { StoreName } from '../api/stores.js';
import type { Engine, HealthCheck } from '../engine/types.js';
import type { StoreConfig } from '../options.js';
import type { StoreContext, StoreCounters } from './context.js';

/** What `sweep()` reports; each store's sweep hook fills its part. */
export interface SweepResult {
  purged: number;
  threads: number;
}

/** The stores of the same namespace built before this one, by name (`stores<Locks>('locks')`). */
export type StoreLookup = <S>(name: StoreName | 'memory') => S;

/**
 * What Memex needs to wire a store: how to build it for one namespace, and optional hooks for
 * `close()`, `sweep()` and `health()`. Its name is its key in `registry.ts` (the property of a
 * scope that holds it); Memex loops over that registry.
 */
export interface StoreModule<S = unknown> {
  /** Builds the store of one namespace; `stores` resolves those listed earlier in the registry. */
  create(ctx: StoreContext, config: StoreConfig, stores: StoreLookup): S;
  /**
   * Called on each namespace's store by `close()` before the engine closes: stop timers, save
   * derived state. A write it needs must be queued synchronously; its promise is awaited after.
   */
  close?(store: S): void | Promise<void>;
  /**
   * Run once per `sweep()` (all namespaces): `'before'` the engine purges expired records (to
   * remove what hangs off an expired record), or `'after'` it (to re-derive bookkeeping).
   */
  /**
   * A check of what this namespace's store derives locally (a search index), reported by
   * `health()` beside the engine's; `lastSeq` is the change feed's newest seq.
   */
  health?(store: S, lastSeq: number): HealthCheck | undefined;
  readonly sweep?: {
    readonly phase: 'before' | 'after';
    run(engine: Engine, counters: (store: string) => StoreCounters): Promise<Partial<SweepResult>>;
  };
}

/** Declares a store module with its store type checked against its hooks. */
export const storeModule = <S>(m: StoreModule<S>): StoreModule<S> => m;
