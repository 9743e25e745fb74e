/** Bounds and timing of the response cache. */
export interface CachePolicy {
  /** Least recently used entries are evicted past this, per namespace. @default 10000 */
  maxEntries: number;
  /** Optional bound on the stored bytes per namespace; `null` = none. @default null */
  maxBytes: number | null;
  /** How long a `getOrSet` caller waits for another caller's compute. @default 60000 */
  computeTimeoutMs: number;
  /** Lease of the computing caller: if it dies, others take over after at most this. @default 30000 */
  computeLeaseMs: number;
}

export const DEFAULT_CACHE_POLICY: CachePolicy = { maxEntries: 10_000, maxBytes: null, computeTimeoutMs: 60_000, computeLeaseMs: 30_000 };

/** How long a compute's failure is shown to the callers that were waiting for it. */
export const ERROR_VISIBLE_MS = 60_000;
