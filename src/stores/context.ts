import type { Engine } from '../engine/types.js';
import type { FrozenValues } from '../values/frozen-cache.js';

/**
 * Per-store operation counters (process-local), reported by `stats()`. Stores add their own
 * (`hits`, `evictions`, `waits`, …) beside the three every store has.
 */
export interface StoreCounters {
  reads: number;
  writes: number;
  conflicts: number;
  [counter: string]: number;
}

/** What every store needs: the engine, its namespace, limits and counters. */
export interface StoreContext {
  readonly engine: Engine;
  readonly ns: string;
  readonly maxValueBytes: number;
  /** Shared frozen values by version: repeated reads skip parse and freeze. */
  readonly frozen: FrozenValues;
  readonly counters: (store: string) => StoreCounters;
}

export function newCounters(): StoreCounters {
  return { reads: 0, writes: 0, conflicts: 0 };
}

/** Adds `n` to a store-specific counter, creating it at 0. */
export function bump(c: StoreCounters, name: string, n = 1): void {
  c[name] = (c[name] ?? 0) + n;
}
