import { rng } from '../../util/rng.js';
import type { Mop } from './history.js';

/**
 * The shapes of transaction a client can run: `mixed` (1 to `maxMops` reads and appends over any
 * keys), `reads` (reads of distinct keys), `append` (one append, then a read of the result, as
 * `update` returns it), `cas` (a read, then an append to the same key).
 */
export type TxnShape = 'mixed' | 'reads' | 'append' | 'cas';

export interface WorkloadOptions {
  /** Keys in play at any time. @default 8 */
  readonly keys?: number;
  /** Most micro-operations of a `mixed` or `reads` transaction. @default 4 */
  readonly maxMops?: number;
  /**
   * After this many transactions of one caller, its keys move to a fresh set (a key's list must
   * not grow without end in a long run). @default Infinity
   */
  readonly rotateEvery?: number;
}

/**
 * Plans one caller's transactions from a seed: which keys, reads or appends, and the values to
 * append — unique across the whole run, as the checker needs (each caller owns a range of
 * 10 million values, given by `caller`, a number unique across processes).
 *
 * @example
 * ```ts
 * const planner = new Planner(seed, 0, { keys: 8 });
 * planner.next('mixed'); // e.g. [['r', 'k3', null], ['append', 'k5', 10000000]]
 * ```
 */
/** What a workload uses when {@link WorkloadOptions} leaves it out. */
export const WORKLOAD_DEFAULTS = { keys: 8, maxMops: 4 } as const;

export class Planner {
  private readonly random: () => number;
  private readonly keys: number;
  private readonly maxMops: number;
  private readonly rotateEvery: number;
  private planned = 0;
  private nextValue: number;

  constructor(seed: number, caller: number, o: WorkloadOptions = {}) {
    this.random = rng(seed ^ Math.imul(caller + 1, 0x9e3779b1));
    this.keys = o.keys ?? WORKLOAD_DEFAULTS.keys;
    this.maxMops = o.maxMops ?? WORKLOAD_DEFAULTS.maxMops;
    this.rotateEvery = o.rotateEvery ?? Infinity;
    this.nextValue = (caller + 1) * 10_000_000;
  }

  /** The mops of the next transaction of `shape`; reads are `null` until they run. */
  next(shape: TxnShape): Mop[] {
    const generation = Number.isFinite(this.rotateEvery) ? Math.floor(this.planned / this.rotateEvery) : 0;
    this.planned++;
    const key = () => `k${Math.floor(this.random() * this.keys)}${generation ? `.${generation}` : ''}`;
    const count = () => 1 + Math.floor(this.random() * this.maxMops);
    switch (shape) {
      case 'append': {
        const k = key();
        return [
          ['append', k, this.nextValue++],
          ['r', k, null],
        ];
      }
      case 'cas': {
        const k = key();
        return [
          ['r', k, null],
          ['append', k, this.nextValue++],
        ];
      }
      case 'reads':
        return [...new Set(Array.from({ length: count() }, key))].map((k): Mop => ['r', k, null]);
      case 'mixed':
        return Array.from({ length: count() }, (): Mop => (this.random() < 0.5 ? ['r', key(), null] : ['append', key(), this.nextValue++]));
    }
  }

  /** A number in [0, 1) from the same seeded stream (for choosing a client). */
  pick(): number {
    return this.random();
  }
}
