import { ValidationError } from '../../errors.js';
import type { KvEntry, KvTransaction, SetOptions } from '../../api/kv.js';
import type { WriteTx } from '../../engine/types.js';
import type { DeepReadonly } from '../../values/freeze.js';
import { validateKey } from '../../values/keys.js';
import { type KvContext, applySet, applyUpdate, assertVersion, checkOptions, checkTtl, checkVersion, prepareSet, toEntry } from './ops.js';

/** Builds a transaction handle over `tx`; `isActive` reports whether the callback is still running. */
export function kvTransaction(ctx: KvContext, tx: WriteTx, isActive: () => boolean): KvTransaction {
  const live = () => {
    if (!isActive()) throw new ValidationError('tx', 'used after its transaction ended');
  };
  const counters = ctx.counters(ctx.store);
  // Closures, not `this`: a destructured `const { get } = tx` must keep working.
  const getEntry = <T>(key: string): KvEntry<T> | undefined => {
    live();
    counters.reads++;
    const row = tx.get(ctx.ns, ctx.store, validateKey(key, ctx.keyField));
    return row ? toEntry<T>(ctx, row, false) : undefined;
  };
  return Object.freeze({
    getEntry,
    get<T>(key: string) {
      return getEntry<T>(key)?.value;
    },
    has(key: string) {
      return getEntry(key) !== undefined;
    },
    set(key: string, value: unknown, options?: SetOptions) {
      live();
      const version = applySet(ctx, tx, prepareSet(ctx, key, value, options));
      counters.writes++;
      return { version };
    },
    delete(key: string, options?: { ifVersion?: number }) {
      live();
      const k = validateKey(key, ctx.keyField);
      assertVersion(ctx, tx, k, checkVersion(checkOptions(options, 'delete').ifVersion));
      counters.writes++;
      return tx.delete(ctx.ns, ctx.store, k);
    },
    update<T>(key: string, fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined, options?: { ttlMs?: number }) {
      live();
      const k = validateKey(key, ctx.keyField);
      if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
      const ttl = checkTtl(checkOptions(options, 'update').ttlMs);
      counters.writes++;
      return applyUpdate(ctx, tx, k, fn, ttl).value;
    },
  });
}
