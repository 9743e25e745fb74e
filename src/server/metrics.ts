import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Memex } from '../api/memex.js';

/**
 * The server's Prometheus metrics. Request latency is observed per route; the store's own
 * counters (lock waits and timeouts, conflicts, cache hit rate) and health measures (vector index
 * lag, pool use) are read from `stats()` and `health()` at scrape time, so they cannot drift.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Histogram<'route' | 'method' | 'status'>;
  readonly rejected: Counter<'reason'>;

  constructor(memex: Memex) {
    const registers = [this.registry];
    this.requests = new Histogram({
      name: 'memex_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.rejected = new Counter({
      name: 'memex_http_rejected_total',
      help: 'Requests refused before reaching a store, by reason',
      labelNames: ['reason'],
      registers,
    });
    // One stats() per scrape, shared by every gauge that reads it (each would otherwise count the
    // records again): the promise is dropped once the scrape's collectors have run.
    let scrape: ReturnType<Memex['stats']> | undefined;
    const stats = () => {
      if (!scrape) {
        scrape = memex.stats();
        setImmediate(() => (scrape = undefined));
      }
      return scrape;
    };
    const fromStats = (name: string, help: string, read: (s: Awaited<ReturnType<Memex['stats']>>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(read(await stats()));
        },
      });
    fromStats('memex_writes_total', 'Writes committed by the server', (s) => s.writes);
    fromStats('memex_reads_total', 'Reads served by the server', (s) => s.reads);
    fromStats('memex_commits_total', 'Transactions committed (group commit shares them)', (s) => s.commits);
    fromStats('memex_conflicts_total', 'Compare-and-set mismatches', (s) => s.conflicts);
    fromStats('memex_lock_acquisitions_total', 'Write-lock acquisitions', (s) => s.lock.acquisitions);
    fromStats('memex_lock_waits_total', 'Write-lock acquisitions that waited', (s) => s.lock.waits);
    fromStats('memex_lock_wait_seconds_total', 'Time spent waiting for the write lock', (s) => s.lock.totalWaitMs / 1000);
    fromStats('memex_lock_timeouts_total', 'Calls that gave up waiting for the write lock', (s) => s.lock.timeouts);
    fromStats('memex_named_lock_waits_total', 'locks.withLock acquisitions that waited', (s) => s.stores.locks?.waits ?? 0);
    fromStats('memex_named_lock_timeouts_total', 'locks.withLock calls that timed out', (s) => s.stores.locks?.timeouts ?? 0);
    fromStats('memex_cache_hit_ratio', 'Cache hits / (hits + misses) served by the server', (s) => {
      const c = s.stores.cache;
      const all = (c?.hits ?? 0) + (c?.misses ?? 0);
      return all === 0 ? 0 : (c?.hits ?? 0) / all;
    });
    new Gauge({
      name: 'memex_health_check',
      help: 'Each health check: 1 ok, 0 failing; value is the check’s measure where it has one',
      labelNames: ['check', 'measure'],
      registers,
      async collect() {
        this.reset();
        for (const c of (await memex.health()).checks) {
          this.set({ check: c.name, measure: 'ok' }, c.ok ? 1 : 0);
          if (c.value !== undefined) this.set({ check: c.name, measure: 'value' }, c.value);
        }
      },
    });
  }
}
