import type { DeepReadonly } from '../values/freeze.js';

/** A cache key: a string or any JSON value (hashed canonically, so key order does not matter). */
export type CacheKey = unknown;

export interface CacheStats {
  /** Entries stored in this namespace (all processes). */
  readonly size: number;
  readonly bytes: number;
  /** This process's hits and misses in this namespace (another namespace's, another tenant's, never count here). */
  readonly hits: number;
  readonly misses: number;
  readonly hitRate: number;
  readonly evictions: number;
  /** `getOrSet` computes run by this process, and callers that waited for one instead. */
  readonly computes: number;
  readonly waits: number;
}

/**
 * The LLM response cache: LRU-bounded by `maxEntries` (and optionally `maxBytes`), with TTLs and
 * single-flight `getOrSet` across async callers, worker threads and processes.
 *
 * @example
 * ```ts
 * const answer = await mx.cache.getOrSet({ model, prompt }, () => llm(prompt), { ttlMs: 3_600_000 });
 * ```
 */
export interface CacheStore {
  /** The cached value (deeply frozen), or `undefined` on a miss. */
  get<T = unknown>(key: CacheKey): Promise<DeepReadonly<T> | undefined>;

  /**
   * Stores `value`, evicting least recently used entries past the bounds in the same transaction.
   * @example
   * ```ts
   * await mx.cache.set(['embed', text], vector, { ttlMs: 86_400_000 });
   * ```
   */
  set(key: CacheKey, value: unknown, options?: { ttlMs?: number }): Promise<void>;

  /** Removes one entry; resolves whether it was there. */
  delete(key: CacheKey): Promise<boolean>;

  /** Removes every entry of this namespace; resolves how many were visible. */
  clear(): Promise<number>;

  /**
   * The cached value, or the result of `compute` — run by exactly one caller across async callers,
   * worker threads and processes while the others wait for it. A throwing `compute` caches nothing
   * and its error reaches every caller that was waiting. If the computing process dies, another
   * caller takes over once its lease (`computeLeaseMs`) ends.
   * @example
   * ```ts
   * const reply = await mx.cache.getOrSet({ model: 'gpt', messages }, () => callModel(messages), { ttlMs: 600_000 });
   * ```
   */
  getOrSet<T>(key: CacheKey, compute: () => T | Promise<T>, options?: { ttlMs?: number; timeoutMs?: number }): Promise<DeepReadonly<T>>;

  /** Size (shared), and this process's hits, misses, evictions and computes. */
  stats(): Promise<CacheStats>;

  /** Writes pending recency updates (called by close). */
  flush(): Promise<void>;
}
