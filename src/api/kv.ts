import type { DeepReadonly } from '../values/freeze.js';
import type { PatchOp } from '../values/patch.js';
import type { ListOptions, ListPage } from './list.js';

/** A stored kv record as callers see it; `value` is a deeply frozen copy. */
export interface KvEntry<T = unknown> {
  readonly key: string;
  readonly value: DeepReadonly<T>;
  /** Changes on every write and never repeats for a key, even after delete and re-create. */
  readonly version: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
}

export interface SetOptions {
  /** Expire the record this many ms from now; omitted means no expiry. */
  ttlMs?: number;
  /** Write only if the current version is this one (`0` = only if absent). */
  ifVersion?: number;
}

/** One entry of `setMany`. */
export interface SetManyEntry {
  key: string;
  value: unknown;
  ttlMs?: number;
  ifVersion?: number;
}

/**
 * The handle `kv.transaction(fn)` passes to `fn`. Every call is synchronous and sees the
 * transaction's own earlier writes; the handle is dead once `fn` returns.
 */
export interface KvTransaction {
  get<T = unknown>(key: string): DeepReadonly<T> | undefined;
  getEntry<T = unknown>(key: string): KvEntry<T> | undefined;
  has(key: string): boolean;
  set(key: string, value: unknown, options?: SetOptions): { version: number };
  delete(key: string, options?: { ifVersion?: number }): boolean;
  update<T = unknown>(
    key: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
    options?: { ttlMs?: number },
  ): DeepReadonly<T> | undefined;
}

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
export interface KvStore {
  /** The value of `key`, or `undefined` if absent or expired. */
  get<T = unknown>(key: string): Promise<DeepReadonly<T> | undefined>;

  /**
   * The record of `key` with its version and timestamps.
   * @example
   * ```ts
   * const e = await mx.kv.getEntry('cart');
   * if (e) await mx.kv.set('cart', [...e.value, item], { ifVersion: e.version });
   * ```
   */
  getEntry<T = unknown>(key: string): Promise<KvEntry<T> | undefined>;

  /** Whether `key` exists and has not expired. */
  has(key: string): Promise<boolean>;

  /**
   * Writes `value`. With `ifVersion` it is a compare-and-set (`0` = only if absent): a mismatch
   * throws ConflictError and writes nothing.
   * @example
   * ```ts
   * const { version } = await mx.kv.set('lock-owner', 'agent-7', { ifVersion: 0 });
   * ```
   */
  set(key: string, value: unknown, options?: SetOptions): Promise<{ version: number }>;

  /**
   * Removes `key`; resolves `true` if it existed.
   * @example
   * ```ts
   * await mx.kv.delete('session', { ifVersion: e.version });
   * ```
   */
  delete(key: string, options?: { ifVersion?: number }): Promise<boolean>;

  /**
   * Values of `keys` (aligned, `undefined` where absent) read from one consistent snapshot.
   * @example
   * ```ts
   * const [a, b] = await mx.kv.getMany(['a', 'b']);
   * ```
   */
  getMany<T = unknown>(keys: readonly string[]): Promise<(DeepReadonly<T> | undefined)[]>;

  /**
   * Records of `keys` (aligned, `undefined` where absent) — value, version, times — read from one
   * consistent snapshot, as `getMany` reads values.
   * @example
   * ```ts
   * const [a, b] = await mx.kv.getEntries(['a', 'b']);
   * if (a && b) await mx.kv.setMany([{ key: 'a', value: b.value, ifVersion: a.version }]);
   * ```
   */
  getEntries<T = unknown>(keys: readonly string[]): Promise<(KvEntry<T> | undefined)[]>;

  /**
   * Writes every entry or none: one failing `ifVersion` aborts the whole batch.
   * @example
   * ```ts
   * await mx.kv.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttlMs: 1000 }]);
   * ```
   */
  setMany(entries: readonly SetManyEntry[]): Promise<{ versions: number[] }>;

  /**
   * Atomic read-modify-write. `fn` runs while the record is locked, must be synchronous and
   * pure (it may be retried); returning `undefined` deletes. A throwing `fn` writes nothing.
   * `ttlMs` omitted keeps the record's current expiry.
   * @example
   * ```ts
   * const n = await mx.kv.update<number>('visits', (n = 0) => n + 1);
   * ```
   */
  update<T = unknown>(
    key: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
    options?: { ttlMs?: number },
  ): Promise<DeepReadonly<T> | undefined>;

  /**
   * An atomic read-modify-write described as data (see {@link PatchOp}): increment a number,
   * merge an object, append to a bounded list, set if absent, set or remove a field — applied
   * under the write lock in one step (one request over HTTP), so a client that cannot ship a
   * function (Python, an MCP agent) needs no compare-and-set loop. `ifVersion` makes it
   * conditional; `ttlMs` omitted keeps the record's expiry. An op meeting the wrong type
   * (incrementing a string) writes nothing. Resolves the new value (`undefined` if an op removed
   * it) and its version (0 then).
   * @example
   * ```ts
   * await mx.kv.patch('stats', [{ op: 'increment', path: '/visits' }, { op: 'append', path: '/last', value: 'u42', max: 10 }]);
   * ```
   */
  patch<T = unknown>(
    key: string,
    ops: readonly PatchOp[],
    options?: { ifVersion?: number; ttlMs?: number },
  ): Promise<{ value: DeepReadonly<T> | undefined; version: number }>;

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
  transaction<R>(fn: (tx: KvTransaction) => R): Promise<R>;

  /**
   * Keys in order, a page at a time.
   * @example
   * ```ts
   * let page = await mx.kv.list({ prefix: 'user:', limit: 100 });
   * while (page.cursor) page = await mx.kv.list({ prefix: 'user:', cursor: page.cursor });
   * ```
   */
  list<T = unknown>(options?: ListOptions): Promise<ListPage<KvEntry<T>>>;

  /** Removes every key of this namespace; resolves how many were removed. */
  clear(...args: never[]): Promise<number>;
}
