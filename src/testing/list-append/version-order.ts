import type { History, Txn } from './history.js';

/** Which transaction appended a value, and whether it was that transaction's last append to the key. */
export interface Writer {
  readonly txn: Txn;
  /** False when the same transaction appended to the same key again later (an intermediate state). */
  readonly last: boolean;
}

/**
 * What the final lists say: for every key, its version order (the final list) with each value's
 * position, and who appended every value. Values are unique per key, so a read names the version
 * it saw by its last element.
 */
export class VersionOrder {
  private readonly positions = new Map<string, Map<number, number>>();
  private readonly writers = new Map<string, Map<number, Writer>>();
  /** A value appended twice to one key: the history itself is malformed (the workload's bug). */
  readonly duplicateAppends: { key: string; value: number; txns: Txn[] }[] = [];

  constructor(readonly history: History) {
    for (const [key, list] of history.final) {
      const pos = new Map<number, number>();
      list.forEach((v, i) => {
        if (!pos.has(v)) pos.set(v, i);
      });
      this.positions.set(key, pos);
    }
    for (const txn of history.txns) {
      const appends = txn.mops.filter((m) => m[0] === 'append');
      appends.forEach(([, key, value], i) => {
        const of = this.writers.get(key) ?? new Map<number, Writer>();
        this.writers.set(key, of);
        const prior = of.get(value);
        if (prior) this.duplicateAppends.push({ key, value, txns: [prior.txn, txn] });
        const last = !appends.slice(i + 1).some((m) => m[1] === key);
        of.set(value, { txn, last });
      });
    }
  }

  /** The final list of `key` (empty when the key never got a value). */
  list(key: string): readonly number[] {
    return this.history.final.get(key) ?? [];
  }

  /** Where `value` sits in the final list of `key`; `undefined` when it is not there. */
  position(key: string, value: number): number | undefined {
    return this.positions.get(key)?.get(value);
  }

  /** Who appended `value` to `key`; `undefined` when nobody did (a garbage read). */
  writer(key: string, value: number): Writer | undefined {
    return this.writers.get(key)?.get(value);
  }

  /** Whether `read` is a prefix of the final list of `key` (every read of a serializable history is). */
  isPrefix(key: string, read: readonly number[]): boolean {
    const list = this.list(key);
    if (read.length > list.length) return false;
    for (let i = 0; i < read.length; i++) if (read[i] !== list[i]) return false;
    return true;
  }
}
