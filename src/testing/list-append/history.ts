/**
 * The history a list-append checker judges, in the style of Jepsen's Elle: every transaction is a
 * list of micro-operations over keys whose values are lists of integers — `append` adds a value no
 * one else ever appends, `r` reads the whole list. Because every value is unique and lists only
 * grow, the final list of a key is its whole version order, and every read names exactly which
 * transaction's write it saw.
 */

/** Appends `value` to the list at `key`. */
export type AppendMop = readonly ['append', key: string, value: number];
/** Reads the list at `key`: `null` until the read has completed (or when it never did). */
export type ReadMop = readonly ['r', key: string, value: readonly number[] | null];
/** One micro-operation of a transaction. */
export type Mop = AppendMop | ReadMop;

/**
 * How a transaction ended: `ok` committed (its reads carry values), `fail` certainly wrote
 * nothing, `info` unknown (its process died, or the answer was lost): it may have committed.
 */
export type Outcome = 'ok' | 'fail' | 'info';

/** One transaction of a history. */
export interface Txn {
  /** Unique in the history; how reports name it (`T<id>`). */
  readonly id: number;
  /** Who ran it: one sequential caller (`p2/c1`). */
  readonly process: string;
  readonly outcome: Outcome;
  /** What it did, in order; reads carry the lists seen when `outcome` is `ok`. */
  readonly mops: readonly Mop[];
  /** When it was invoked, on a clock every recording process shares (see {@link monotonicNow}). */
  readonly start: number;
  /** When its answer arrived; `null` when it never did (`info`). */
  readonly end: number | null;
  /** Which client path ran it (`transaction`, `update`, `cas`…), for reports. */
  readonly via?: string;
}

/** A recorded history and the final list of every key, read once all writers had stopped. */
export interface History {
  readonly txns: readonly Txn[];
  /** The list of every key after the run: its whole version order. */
  readonly final: ReadonlyMap<string, readonly number[]>;
}

/**
 * Microseconds on the host's monotonic clock (`CLOCK_MONOTONIC`, the same in every process of
 * the host), so that real-time order between transactions of different processes is meaningful.
 *
 * @example
 * ```ts
 * const start = monotonicNow(); // comparable with another process's reading on this host
 * ```
 */
export function monotonicNow(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
