// Hand-written histories for the checker's own tests: each transaction a list of mops, by default
// `ok` and running alone (T<i> from 10i to 10i+5 µs), unless given an outcome or times.
import type { History, Mop, Outcome, Txn } from '../../src/testing/index.js';

export interface T {
  readonly mops: readonly Mop[];
  readonly outcome?: Outcome;
  readonly start?: number;
  readonly end?: number | null;
}

/** A history of `txns` (T0, T1, … in order) with the final lists `final`. */
export function history(txns: readonly T[], final: Record<string, number[]>): History {
  return {
    txns: txns.map((t, id): Txn => ({
      id,
      process: `p${id}`,
      outcome: t.outcome ?? 'ok',
      mops: t.mops,
      start: t.start ?? 10 * id,
      end: t.outcome === 'info' ? null : t.end === undefined ? 10 * id + 5 : t.end,
    })),
    final: new Map(Object.entries(final)),
  };
}

/** Every transaction running at once (start 0, end 100): no real-time order among them. */
export const overlapping = (mops: readonly Mop[], outcome: Outcome = 'ok'): T => ({ mops, outcome, start: 0, end: 100 });
