import type { EventRow } from '../engine/types.js';

/**
 * One change: every mutation appends one, in the transaction that made it. `key` is `null` for
 * whole-store operations such as `clear`; `version` is the version the write produced (= `seq`);
 * `at` is Unix ms on the store's clock.
 */
export type MemexEvent = EventRow;

export interface SinceOptions {
  /** 1..10000. @default 1000 */
  limit?: number;
  /** Only events of this store (`'kv'`, …). */
  store?: string;
}

export interface WatchOptions {
  /** How often other processes' events are polled. @default 250 */
  intervalMs?: number;
  /** Start after this seq; by default only events from now on. */
  fromSeq?: number;
}

/**
 * The change feed and audit trail of one namespace. Retention keeps the newest `maxEvents`.
 *
 * @example
 * ```ts
 * const batch = await mx.events.since(0, { store: 'kv', limit: 100 });
 * const stop = mx.events.watch((e) => console.log(e.op, e.key));
 * ```
 */
export interface EventsStore {
  /** Events with `seq` greater than `seq`, oldest first. */
  since(seq: number, options?: SinceOptions): Promise<MemexEvent[]>;

  /** The newest seq in the whole file (all namespaces); a starting point for `since`. */
  lastSeq(): Promise<number>;

  /**
   * Calls `listener` for every new event of this namespace, from any process. Returns `stop`.
   * A listener that throws does not stop the feed.
   */
  watch(listener: (e: MemexEvent) => void, options?: WatchOptions): () => void;
}
