import { holdsTyped } from './typed.js';
import { LRUCache } from 'lru-cache';
import { parseFrozen, type DeepReadonly } from './freeze.js';

/** Default bounds of the per-instance cache of parsed, frozen values. */
export const FROZEN_CACHE_ENTRIES = 10_000;
export const FROZEN_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Parsed, deeply frozen values keyed by record version. A version is written once and never
 * reused in a file, so the value behind it never changes and one frozen object can be handed to
 * every reader: a repeated read skips `JSON.parse` and the freeze walk. Reads still go to the
 * engine every time (to learn the current version), so this cache can never be stale.
 */
export class FrozenValues {
  private readonly cache = new LRUCache<number, { readonly v: unknown }>({ max: FROZEN_CACHE_ENTRIES, maxSize: FROZEN_CACHE_BYTES });

  /**
   * The frozen value of a committed record. Only committed versions may be remembered: inside a
   * write transaction a version can still be rolled back and its number given to another write.
   */
  committed<T>(version: number, json: string): DeepReadonly<T> {
    const hit = this.cache.get(version);
    if (hit) return hit.v as DeepReadonly<T>;
    const v = parseFrozen<DeepReadonly<T>>(json);
    this.remember(version, json, v);
    return v;
  }

  /** Remembers a value this process wrote, once its transaction has committed. */
  remember(version: number, json: string, value: unknown): void {
    // Values too large to be worth holding are parsed per read; so are values holding typed
    // arrays, which cannot be frozen and so must not be shared between readers.
    if (json.length <= FROZEN_CACHE_BYTES / 16 && !holdsTyped(json)) this.cache.set(version, { v: value }, { size: json.length + 64 });
  }

  /** The frozen value of a record read inside a write transaction: uses the cache, never fills it. */
  uncommitted<T>(version: number, json: string): DeepReadonly<T> {
    const hit = this.cache.get(version);
    return hit ? (hit.v as DeepReadonly<T>) : parseFrozen<DeepReadonly<T>>(json);
  }
}
