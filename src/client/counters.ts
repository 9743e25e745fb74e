import type { MemexStats } from '../api/memex.js';
import { newCounters, type StoreCounters } from '../stores/context.js';

/**
 * The remote client's own operation counts, per store, as `stats()` reports them: what this
 * client did (as an embedded instance counts what its process did) — reads, writes, conflicts,
 * lock grants and waits, cache hits and misses. Records, the change feed's position, the engine's
 * lock and commit figures, and what only the server sees (evictions, trimmed messages) come from
 * the server.
 */
export class ClientCounters {
  private readonly byStore = new Map<string, StoreCounters>();

  of(store: string): StoreCounters {
    let c = this.byStore.get(store);
    if (!c) this.byStore.set(store, (c = newCounters()));
    return c;
  }

  /** Adds every counter of `scratch` (one finished transaction's counts) to `store`'s. */
  merge(store: string, scratch: StoreCounters): void {
    const c = this.of(store);
    for (const [k, v] of Object.entries(scratch)) c[k] = (c[k] ?? 0) + v;
  }

  /** The server's stats with this client's counts in place of the server process's. */
  overlay(server: MemexStats): MemexStats {
    const stores: MemexStats['stores'] = {};
    const names = new Set([...Object.keys(server.stores), ...this.byStore.keys()]);
    let reads = 0;
    let writes = 0;
    let conflicts = 0;
    for (const name of names) {
      const mine = { ...(this.byStore.get(name) ?? newCounters()) };
      reads += mine.reads;
      writes += mine.writes;
      conflicts += mine.conflicts;
      // What only the server sees (trimmed messages, evictions) stays the server's.
      stores[name] = { ...server.stores[name], ...mine, records: server.stores[name]?.records ?? 0 };
    }
    return { ...server, reads, writes, conflicts, stores };
  }
}
