import { LRUCache } from 'lru-cache';
import { LimitError, ValidationError } from '../../errors.js';
import { withinMs } from '../../util/within-ms.js';
import type { WriteTx } from '../../engine/types.js';
import { hashJson } from '../../values/canonical.js';
import type { DeepReadonly } from '../../values/freeze.js';
import { serializeValue, validateJson } from '../../values/json.js';
import { isThenable } from '../../values/thenable.js';
import { bump, type StoreContext, type StoreCounters } from '../context.js';
import type { Locks } from '../locks/locks.js';
import { ERROR_VISIBLE_MS, type CachePolicy } from './policy.js';
import { CACHE, CACHE_ERRORS, CACHE_META } from '../names.js';
import { Touches } from './touches.js';
import type { CacheKey, CacheStats, CacheStore } from '../../api/cache.js';
import { storeModule } from '../module.js';

interface Meta {
  count: number;
  bytes: number;
}

const MAX_KEY_CHARS = 64 * 1024;
/** Strings up to this many characters are their own record key; longer ones are hashed. */
const MAX_PLAIN_KEY = 128;
/** LRU rank: wall-clock ms with sub-ms precision, so entries touched in one ms still order. */
const recency = () => performance.timeOrigin + performance.now();
const bytesOf = (json: string) => Buffer.byteLength(json, 'utf8');

function checkTtlOption(options: unknown, allowed: string[]): { ttlMs: number | undefined; timeoutMs: number | undefined } {
  if (options === undefined) return { ttlMs: undefined, timeoutMs: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValidationError('options', 'must be an object');
  for (const k of Object.keys(options)) if (!allowed.includes(k)) throw new ValidationError(`options.${k}`, 'unknown option');
  const o = options as { ttlMs?: unknown; timeoutMs?: unknown };
  for (const f of ['ttlMs', 'timeoutMs'] as const) {
    const v = o[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0))
      throw new ValidationError(`options.${f}`, 'must be a positive integer number of milliseconds');
  }
  return { ttlMs: o.ttlMs as number | undefined, timeoutMs: o.timeoutMs as number | undefined };
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
export class Cache implements CacheStore {
  private readonly touches: Touches;
  private readonly counters: StoreCounters;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly hashes = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly ctx: StoreContext,
    private readonly policy: CachePolicy,
    private readonly locks: Locks,
  ) {
    this.touches = new Touches(ctx.engine, ctx.ns);
    this.counters = ctx.counters(CACHE);
  }

  /** The cached value (deeply frozen), or `undefined` on a miss. */
  get<T = unknown>(key: CacheKey): Promise<DeepReadonly<T> | undefined> {
    // Not `async`: the hit path is the cache's hot path, and one promise fewer is measurable here.
    let h: string;
    try {
      h = this.hash(key);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const c = this.counters;
    c.reads++;
    return this.ctx.engine
      .read((tx) => tx.getValue(this.ctx.ns, CACHE, h))
      .then((row) => {
        if (!row) {
          c.misses = (c.misses ?? 0) + 1;
          return undefined;
        }
        c.hits = (c.hits ?? 0) + 1;
        this.touches.touch(h, recency());
        return this.ctx.frozen.committed<T>(row.version, row.value);
      });
  }

  /**
   * Stores `value`, evicting least recently used entries past the bounds in the same transaction.
   * @example
   * ```ts
   * await mx.cache.set(['embed', text], vector, { ttlMs: 86_400_000 });
   * ```
   */
  async set(key: CacheKey, value: unknown, options?: { ttlMs?: number }): Promise<void> {
    const h = this.hash(key);
    const { ttlMs } = checkTtlOption(options, ['ttlMs']);
    const json = this.serialize(value);
    await this.ctx.engine.write((tx) => this.store(tx, h, json, ttlMs));
    this.ctx.counters(CACHE).writes++;
  }

  /** Removes one entry; resolves whether it was there. */
  async delete(key: CacheKey): Promise<boolean> {
    const h = this.hash(key);
    const existed = await this.ctx.engine.write((tx) => {
      const prior = tx.getIncludingExpired(this.ctx.ns, CACHE, h);
      if (!prior) return false;
      this.adjust(tx, -1, -bytesOf(prior.value));
      return tx.delete(this.ctx.ns, CACHE, h);
    });
    this.ctx.counters(CACHE).writes++;
    return existed;
  }

  /** Removes every entry of this namespace; resolves how many were visible. */
  async clear(): Promise<number> {
    const n = await this.ctx.engine.write((tx) => {
      const removed = tx.deleteAll(this.ctx.ns, CACHE);
      tx.deleteAll(this.ctx.ns, CACHE_ERRORS);
      tx.put(this.ctx.ns, CACHE_META, 'size', JSON.stringify({ count: 0, bytes: 0 }), { expiresAt: null });
      return removed;
    });
    this.ctx.counters(CACHE).writes++;
    return n;
  }

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
  async getOrSet<T>(key: CacheKey, compute: () => T | Promise<T>, options?: { ttlMs?: number; timeoutMs?: number }): Promise<DeepReadonly<T>> {
    const h = this.hash(key);
    if (typeof compute !== 'function') throw new ValidationError('compute', 'must be a function');
    const o = checkTtlOption(options, ['ttlMs', 'timeoutMs']);
    const hit = await this.get<T>(key);
    if (hit !== undefined) return hit;
    const c = this.ctx.counters(CACHE);
    const running = this.inflight.get(h);
    if (running) {
      bump(c, 'waits');
      // A caller joining another's computation keeps its own bound on the wait.
      return o.timeoutMs === undefined
        ? (running as Promise<DeepReadonly<T>>)
        : withinMs(running as Promise<DeepReadonly<T>>, o.timeoutMs, `the computation of cache entry ${h.slice(0, 12)}`);
    }
    const flight = this.computeOnce<T>(h, compute, o.ttlMs, o.timeoutMs ?? this.policy.computeTimeoutMs);
    this.inflight.set(h, flight);
    try {
      return await flight;
    } finally {
      this.inflight.delete(h);
    }
  }

  /** Size (shared), and this process's hits, misses, evictions and computes, in this namespace. */
  async stats(): Promise<CacheStats> {
    const meta = await this.ctx.engine.read((tx) => this.meta(tx));
    const c = this.ctx.counters(CACHE);
    const hits = c.hits ?? 0;
    const misses = c.misses ?? 0;
    return {
      size: meta.count,
      bytes: meta.bytes,
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
      evictions: c.evictions ?? 0,
      computes: c.computes ?? 0,
      waits: c.waits ?? 0,
    };
  }

  /** Writes pending recency updates (called by close). */
  flush(): Promise<void> {
    return this.touches.flush();
  }

  private async computeOnce<T>(h: string, compute: () => T | Promise<T>, ttlMs: number | undefined, timeoutMs: number): Promise<DeepReadonly<T>> {
    const c = this.ctx.counters(CACHE);
    // Versions, not clock readings: a failure recorded in the same millisecond as this call began
    // must not be mistaken for one this caller waited for.
    const since = await this.ctx.engine.read((tx) => tx.lastSeq());
    return this.locks.withLock(
      `cache:${h}`,
      async () => {
        // Someone else may have computed it, or failed, while this caller waited for the lock.
        const state = await this.ctx.engine.read((tx) => ({ row: tx.get(this.ctx.ns, CACHE, h), err: tx.get(this.ctx.ns, CACHE_ERRORS, h) }));
        if (state.row) {
          bump(c, 'waits');
          return this.ctx.frozen.committed<T>(state.row.version, state.row.value);
        }
        if (state.err) {
          const e = JSON.parse(state.err.value) as { name: string; message: string };
          if (state.err.version > since)
            throw Object.assign(new Error(e.message, { cause: 'raised by the caller that computed this entry' }), { name: e.name });
        }
        bump(c, 'computes');
        let json: string;
        try {
          const value = await compute();
          if (isThenable(value)) throw new ValidationError('compute', 'resolved to another promise');
          json = this.serialize(value);
        } catch (err) {
          await this.recordError(h, err);
          throw err;
        }
        const version = await this.ctx.engine.write((tx) => {
          tx.delete(this.ctx.ns, CACHE_ERRORS, h);
          return this.store(tx, h, json, ttlMs);
        });
        c.writes++;
        return this.ctx.frozen.committed<T>(version, json);
      },
      { mode: 'exclusive', timeoutMs, leaseMs: this.policy.computeLeaseMs },
    );
  }

  private async recordError(h: string, err: unknown): Promise<void> {
    const e = err instanceof Error ? err : new Error(String(err));
    await this.ctx.engine
      .write((tx) => {
        const json = JSON.stringify({ name: e.name, message: e.message.slice(0, 2000) });
        tx.put(this.ctx.ns, CACHE_ERRORS, h, json, { expiresAt: tx.now + ERROR_VISIBLE_MS });
      })
      // Publishing the failure is best effort: the caller that computed still gets the error itself.
      .catch(() => undefined);
  }

  /** Stores one entry and enforces the bounds; returns the version. Runs inside a write. */
  private store(tx: WriteTx, h: string, json: string, ttlMs: number | undefined): number {
    const size = bytesOf(json);
    if (this.policy.maxBytes !== null && size > this.policy.maxBytes) {
      throw new LimitError(`a value of ${size} bytes cannot fit in a cache of maxBytes ${this.policy.maxBytes}`);
    }
    const prior = tx.getIncludingExpired(this.ctx.ns, CACHE, h);
    const version = tx.put(this.ctx.ns, CACHE, h, json, { expiresAt: ttlMs === undefined ? null : tx.now + ttlMs, rank: recency() });
    const meta = this.meta(tx);
    meta.count += prior ? 0 : 1;
    meta.bytes += size - (prior ? bytesOf(prior.value) : 0);
    this.evict(tx, meta, h);
    tx.put(this.ctx.ns, CACHE_META, 'size', JSON.stringify(meta), { expiresAt: null });
    return version;
  }

  /** Least recently used first (expired entries still take room until evicted or swept). */
  private evict(tx: WriteTx, meta: Meta, keep: string): void {
    const over = () => meta.count > this.policy.maxEntries || (this.policy.maxBytes !== null && meta.bytes > this.policy.maxBytes);
    while (over()) {
      const batch = tx.scanByRank(this.ctx.ns, CACHE, { limit: Math.max(1, meta.count - this.policy.maxEntries) + 1, includeExpired: true });
      let progressed = false;
      for (const victim of batch) {
        if (!over()) break;
        if (victim.key === keep) continue;
        tx.delete(this.ctx.ns, CACHE, victim.key);
        meta.count -= 1;
        meta.bytes -= bytesOf(victim.value);
        bump(this.ctx.counters(CACHE), 'evictions');
        progressed = true;
      }
      if (!progressed) return;
    }
  }

  private adjust(tx: WriteTx, count: number, bytes: number): void {
    const meta = this.meta(tx);
    tx.put(this.ctx.ns, CACHE_META, 'size', JSON.stringify({ count: meta.count + count, bytes: meta.bytes + bytes }), { expiresAt: null });
  }

  private meta(tx: { get: WriteTx['get'] }): Meta {
    const row = tx.get(this.ctx.ns, CACHE_META, 'size');
    return row ? (JSON.parse(row.value) as Meta) : { count: 0, bytes: 0 };
  }

  private serialize(value: unknown): string {
    return serializeValue(value, this.ctx.maxValueBytes, 'value', true);
  }

  /**
   * The record key of a cache key. Short strings map to themselves (no hashing on the hot path);
   * everything else is the SHA-256 of its canonical JSON. The prefixes keep the two apart.
   */
  private hash(key: CacheKey): string {
    if (typeof key === 'string' && key.length <= MAX_PLAIN_KEY && key.isWellFormed()) return `s:${key}`;
    validateJson(key, 'key');
    // The canonical hash (sort keys, SHA-256) is the costly part of a JSON-key hit; the plain
    // JSON text of an already validated key is a faithful memo key for it.
    const text = JSON.stringify(key);
    let h = this.hashes.get(text);
    if (h === undefined) this.hashes.set(text, (h = `h:${hashJson(key, MAX_KEY_CHARS)}`));
    return h;
  }
}

/** Sweep hook: after expired entries are purged, re-derive every namespace's size exactly. */
export async function resyncCacheSizes(ctxEngine: StoreContext['engine']): Promise<void> {
  await ctxEngine.write((tx) => {
    const sizes = new Map(tx.sizes(CACHE).map((s) => [s.ns, s]));
    for (const m of tx.sizes(CACHE_META)) if (!sizes.has(m.ns)) sizes.set(m.ns, { ns: m.ns, count: 0, bytes: 0 });
    for (const s of sizes.values()) tx.put(s.ns, CACHE_META, 'size', JSON.stringify({ count: s.count, bytes: s.bytes }), { expiresAt: null });
  });
}

/** The cache's wiring: single flight through the namespace's locks; sizes re-derived after a sweep. */
export const cacheModule = storeModule({
  create: (ctx, config, stores) => new Cache(ctx, config.cache, stores<Locks>('locks')),
  // flush() queues its write synchronously, so it lands before the engine refuses new calls.
  close: (cache: Cache) => cache.flush(),
  sweep: {
    phase: 'after',
    run: async (engine) => {
      await resyncCacheSizes(engine);
      return {};
    },
  },
});
