import type { Txn } from './history.js';

/**
 * Dependency cycles, named as Adya's and Elle's papers name them. `G0`: write cycle (only ww);
 * `G1c`: circular information flow (ww and wr); `G-single`: read skew, exactly one anti-dependency
 * (rw); `G2`: two or more. A `-realtime` cycle needs a real-time edge (one transaction finished
 * before the other began): it breaks strict serializability, not serializability.
 */
export type CycleAnomalyName = 'G0' | 'G1c' | 'G-single' | 'G2' | 'G0-realtime' | 'G1c-realtime' | 'G-single-realtime' | 'G2-realtime';

/**
 * Anomalies one transaction or one read shows by itself. `G1a`: a read saw a write of a
 * transaction that failed; `G1b`: a read saw a transaction's intermediate state of a key;
 * `lost-append`: an acknowledged append is not in the final list; `garbage-read`: a read saw a
 * value nobody appended; `duplicate-elements`: a list holds a value twice; `incompatible-order`:
 * a read is not a prefix of the final list (two readers disagree on the order); `internal`: a
 * transaction's read disagrees with its own earlier reads and appends; `duplicate-append`: the
 * workload appended one value twice (the history is malformed).
 */
export type ElementAnomalyName =
  'G1a' | 'G1b' | 'lost-append' | 'garbage-read' | 'duplicate-elements' | 'incompatible-order' | 'internal' | 'duplicate-append';

export type AnomalyName = CycleAnomalyName | ElementAnomalyName;

/** A dependency between two transactions, as the cycle search found it. */
export type EdgeType = 'ww' | 'wr' | 'rw' | 'rt';

/** One step of a cycle: `from` must precede `to` because of `type` (on `key`, for data edges). */
export interface CycleStep {
  readonly from: Txn;
  readonly to: Txn;
  readonly type: EdgeType;
  /** Why, in words: which values on which key. */
  readonly why: string;
}

/** One anomaly with the transactions involved and, for a cycle, its steps in order. */
export interface Anomaly {
  readonly name: AnomalyName;
  /** What was seen, in words (values and keys named). */
  readonly explanation: string;
  readonly txns: readonly Txn[];
  readonly cycle?: readonly CycleStep[];
}

/** Whether an anomaly breaks only the real-time part of strict serializability. */
export const isRealtimeOnly = (name: AnomalyName): boolean => name.endsWith('-realtime');

/** Names a cycle by what its edges are (see {@link CycleAnomalyName}). */
export function classifyCycle(types: readonly EdgeType[]): CycleAnomalyName {
  const rw = types.filter((t) => t === 'rw').length;
  const base = rw === 0 ? (types.every((t) => t === 'ww' || t === 'rt') ? 'G0' : 'G1c') : rw === 1 ? 'G-single' : 'G2';
  return types.includes('rt') ? `${base}-realtime` : base;
}
