import { ValidationError } from '../../errors.js';
import type { KvEntry, KvStore, KvTransaction, SetManyEntry, SetOptions } from '../../api/kv.js';
import type { ListOptions, ListPage } from '../../api/list.js';
import type { DeepReadonly } from '../../values/freeze.js';
import { validateKey } from '../../values/keys.js';
import { isThenable } from '../../values/thenable.js';
import {
  type KvContext,
  applySet,
  applyUpdate,
  assertVersion,
  checkOptions,
  checkPatchArgs,
  checkTtl,
  checkVersion,
  prepareSet,
  toEntry,
  type PreparedSet,
} from './ops.js';
import { kvTransaction } from './transaction.js';
import { decodeCursor, encodeCursor, checkListOptions } from '../list-options.js';
import { storeModule } from '../module.js';
import { KV } from '../names.js';
import { MAX_BATCH_KEYS } from '../../values/limits.js';
import { applyPatch, type PatchOp } from '../../values/patch.js';

/**
 * Session state: a shared dictionary with compare-and-set and transactions. Safe across async
 * callers, worker threads and processes; every value read is a deeply frozen copy.
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path: './memex.db' });
 * await mx.kv.set('greeting', { text: 'hi' }, { ttlMs: 60_000 });
 * const visits = await mx.kv.update<number>('visits', (n = 0) => n + 1);
 * ```
 */
export class Kv implements KvStore {
  constructor(private readonly ctx: KvContext) {}

  /** The value of `key`, or `undefined` if absent or expired. */
  async get<T = unknown>(key: string): Promise<DeepReadonly<T> | undefined> {
    const k = validateKey(key, this.ctx.keyField);
    this.ctx.counters(this.ctx.store).reads++;
    const row = await this.ctx.engine.read((tx) => tx.getValue(this.ctx.ns, this.ctx.store, k));
    return row ? this.ctx.frozen.committed<T>(row.version, row.value) : undefined;
  }

  /**
   * The record of `key` with its version and timestamps.
   * @example
   * ```ts
   * const e = await mx.kv.getEntry('cart');
   * if (e) await mx.kv.set('cart', [...e.value, item], { ifVersion: e.version });
   * ```
   */
  async getEntry<T = unknown>(key: string): Promise<KvEntry<T> | undefined> {
    const k = validateKey(key, this.ctx.keyField);
    this.ctx.counters(this.ctx.store).reads++;
    const row = await this.ctx.engine.read((tx) => tx.get(this.ctx.ns, this.ctx.store, k));
    return row ? toEntry<T>(this.ctx, row, true) : undefined;
  }

  /** Whether `key` exists and has not expired. */
  async has(key: string): Promise<boolean> {
    return (await this.getEntry(key)) !== undefined;
  }

  /**
   * Writes `value`. With `ifVersion` it is a compare-and-set (`0` = only if absent): a mismatch
   * throws ConflictError and writes nothing.
   * @example
   * ```ts
   * const { version } = await mx.kv.set('lock-owner', 'agent-7', { ifVersion: 0 });
   * ```
   */
  async set(key: string, value: unknown, options?: SetOptions): Promise<{ version: number }> {
    const p = prepareSet(this.ctx, key, value, options);
    const version = await this.ctx.engine.write((tx) => applySet(this.ctx, tx, p));
    this.ctx.counters(this.ctx.store).writes++;
    return { version };
  }

  /**
   * Removes `key`; resolves `true` if it existed.
   * @example
   * ```ts
   * await mx.kv.delete('session', { ifVersion: e.version });
   * ```
   */
  async delete(key: string, options?: { ifVersion?: number }): Promise<boolean> {
    const k = validateKey(key, this.ctx.keyField);
    const ifVersion = checkVersion(checkOptions(options, 'delete').ifVersion);
    const existed = await this.ctx.engine.write((tx) => {
      assertVersion(this.ctx, tx, k, ifVersion);
      return tx.delete(this.ctx.ns, this.ctx.store, k);
    });
    this.ctx.counters(this.ctx.store).writes++;
    return existed;
  }

  /**
   * Values of `keys` (aligned, `undefined` where absent) read from one consistent snapshot.
   * @example
   * ```ts
   * const [a, b] = await mx.kv.getMany(['a', 'b']);
   * ```
   */
  async getMany<T = unknown>(keys: readonly string[]): Promise<(DeepReadonly<T> | undefined)[]> {
    const rows = await this.rowsInSnapshot(keys);
    return rows.map((r) => (r ? this.ctx.frozen.committed<T>(r.version, r.value) : undefined));
  }

  /**
   * Records of `keys` (aligned, `undefined` where absent) read from one consistent snapshot.
   * @example
   * ```ts
   * const [a, b] = await mx.kv.getEntries(['a', 'b']);
   * ```
   */
  async getEntries<T = unknown>(keys: readonly string[]): Promise<(KvEntry<T> | undefined)[]> {
    const rows = await this.rowsInSnapshot(keys);
    return rows.map((r) => (r ? toEntry<T>(this.ctx, r, true) : undefined));
  }

  /** The rows of `keys` (validated: an array of at most 10,000 keys) read in one snapshot. */
  private async rowsInSnapshot(keys: readonly string[]) {
    if (!Array.isArray(keys)) throw new ValidationError('keys', 'must be an array of keys');
    if (keys.length > MAX_BATCH_KEYS) throw new ValidationError('keys', `at most ${MAX_BATCH_KEYS} keys per call`);
    // An index loop, not map: map skips the holes of a sparse array and would let them through.
    const ks: string[] = [];
    for (let i = 0; i < keys.length; i++) ks.push(validateKey(keys[i], `keys[${i}]`));
    this.ctx.counters(this.ctx.store).reads++;
    return this.ctx.engine.snapshot((tx) => ks.map((k) => tx.get(this.ctx.ns, this.ctx.store, k)));
  }

  /**
   * Writes every entry or none: one failing `ifVersion` aborts the whole batch.
   * @example
   * ```ts
   * await mx.kv.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttlMs: 1000 }]);
   * ```
   */
  async setMany(entries: readonly SetManyEntry[]): Promise<{ versions: number[] }> {
    if (!Array.isArray(entries)) throw new ValidationError('entries', 'must be an array of { key, value }');
    if (entries.length > MAX_BATCH_KEYS) throw new ValidationError('entries', `at most ${MAX_BATCH_KEYS} entries per call`);
    const prepared: PreparedSet[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < entries.length; i++) {
      const e: unknown = entries[i];
      if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new ValidationError(`entries[${i}]`, 'must be an object { key, value }');
      const { key, value, ...rest } = e as SetManyEntry;
      const p = prepareSet(this.ctx, key, value, rest, `entries[${i}].`, `entries[${i}]`);
      if (seen.has(p.key)) throw new ValidationError(`entries[${i}].key`, `duplicate key "${p.key}" in one batch`);
      seen.add(p.key);
      prepared.push(p);
    }
    const versions = await this.ctx.engine.write((tx) => prepared.map((p) => applySet(this.ctx, tx, p)));
    this.ctx.counters(this.ctx.store).writes += prepared.length;
    return { versions };
  }

  /**
   * Atomic read-modify-write. `fn` runs while the record is locked, must be synchronous and
   * pure (it may be retried); returning `undefined` deletes. A throwing `fn` writes nothing.
   * `ttlMs` omitted keeps the record's current expiry.
   * @example
   * ```ts
   * const n = await mx.kv.update<number>('visits', (n = 0) => n + 1);
   * ```
   */
  async update<T = unknown>(
    key: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
    options?: { ttlMs?: number },
  ): Promise<DeepReadonly<T> | undefined> {
    const k = validateKey(key, this.ctx.keyField);
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    const ttl = checkTtl(checkOptions(options, 'update').ttlMs);
    const out = await this.ctx.engine.write((tx) => applyUpdate(this.ctx, tx, k, fn, ttl));
    this.ctx.counters(this.ctx.store).writes++;
    // Committed now: the next update or read of this version needs no parse.
    if (out.version > 0) this.ctx.frozen.remember(out.version, out.json, out.value);
    return out.value;
  }

  /** See {@link KvStore.patch}. */
  async patch<T = unknown>(
    key: string,
    ops: readonly PatchOp[],
    options?: { ifVersion?: number; ttlMs?: number },
  ): Promise<{ value: DeepReadonly<T> | undefined; version: number }> {
    const a = checkPatchArgs(key, ops, options, this.ctx.keyField);
    const out = await this.ctx.engine.write((tx) => {
      assertVersion(this.ctx, tx, a.key, a.ifVersion);
      return applyUpdate<T>(this.ctx, tx, a.key, (current) => applyPatch(current, a.ops) as T | undefined, a.ttlMs);
    });
    this.ctx.counters(this.ctx.store).writes++;
    if (out.version > 0) this.ctx.frozen.remember(out.version, out.json, out.value);
    return { value: out.value, version: out.version };
  }

  /**
   * Runs `fn` atomically over several keys. `fn` must be synchronous; everything it wrote is
   * discarded if it throws.
   * @example
   * ```ts
   * await mx.kv.transaction((tx) => {
   *   const from = tx.get<number>('alice') ?? 0;
   *   tx.set('alice', from - 10);
   *   tx.update<number>('bob', (b = 0) => b + 10);
   * });
   * ```
   */
  async transaction<R>(fn: (tx: KvTransaction) => R): Promise<R> {
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    return this.ctx.engine.write((tx) => {
      let active = true;
      try {
        const out = fn(kvTransaction(this.ctx, tx, () => active));
        if (isThenable(out)) throw new ValidationError('fn', 'must be synchronous; it returned a promise');
        return out;
      } finally {
        active = false;
      }
    });
  }

  /**
   * Keys in order, a page at a time.
   * @example
   * ```ts
   * let page = await mx.kv.list({ prefix: 'user:', limit: 100 });
   * while (page.cursor) page = await mx.kv.list({ prefix: 'user:', cursor: page.cursor });
   * ```
   */
  async list<T = unknown>(options?: ListOptions): Promise<ListPage<KvEntry<T>>> {
    const o = checkListOptions(options);
    const after = o.cursor === undefined ? undefined : decodeCursor(o.cursor);
    this.ctx.counters(this.ctx.store).reads++;
    const rows = await this.ctx.engine.read((tx) => tx.scan(this.ctx.ns, this.ctx.store, { prefix: o.prefix, after, limit: o.limit + 1 }));
    const items = rows.slice(0, o.limit).map((r) => toEntry<T>(this.ctx, r, true));
    const last = items[items.length - 1];
    return rows.length > o.limit && last ? { items, cursor: encodeCursor(last.key) } : { items };
  }

  /** Removes every key of this namespace; resolves how many were removed. */
  async clear(...args: never[]): Promise<number> {
    // A caller passing `{ prefix }` must not silently wipe the whole namespace.
    if (args.length > 0) throw new ValidationError('arguments', 'clear() takes no arguments; it removes every key of the namespace');
    const n = await this.ctx.engine.write((tx) => tx.deleteAll(this.ctx.ns, this.ctx.store));
    this.ctx.counters(this.ctx.store).writes++;
    return n;
  }
}

/** kv's wiring: session state of one namespace. */
export const kvModule = storeModule({ create: (ctx) => new Kv({ ...ctx, store: KV, keyField: 'key' }) });
