import type { CacheStore } from '../api/cache.js';
import type { LocksStore } from '../api/locks.js';
import { ClosedError, LockTimeoutError, ValidationError } from '../errors.js';
import { countGrant } from '../stores/locks/locks.js';
import type { CacheKey, CacheStats } from '../api/cache.js';
import { LeaseLostError } from '../errors.js';
import type { Lease } from '../stores/locks/lease.js';
import type { LockInfo } from '../api/locks.js';
import { resolveLockOptions, type LockOptions } from '../stores/locks/options.js';
import type { DeepReadonly } from '../values/freeze.js';
import { validateKey } from '../values/keys.js';
import { isThenable } from '../values/thenable.js';
import type { HttpTransport } from './http.js';
import { bump } from '../stores/context.js';
import { withinMs } from '../util/within-ms.js';
import { canonicalJson } from '../values/canonical.js';
import { frozen } from './kv.js';

/**
 * cache over HTTP. `getOrSet` is single-flight across every client of the server (and every
 * process on its store): `cache.claim` answers the value, or makes this caller the one that
 * computes; the others wait on the server for the outcome.
 */
export class RemoteCache implements CacheStore {
  private readonly flights = new Map<string, Promise<unknown>>();

  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}
  private call<T>(op: string, args: Record<string, unknown>, extraMs = 0): Promise<T> {
    return this.http.call<T>(`cache.${op}`, this.ns, args, extraMs);
  }
  async get<T = unknown>(key: CacheKey): Promise<DeepReadonly<T> | undefined> {
    const v = frozen(await this.call<DeepReadonly<T> | undefined>('get', { key }));
    bump(this.http.counters.of('cache'), v === undefined ? 'misses' : 'hits');
    return v;
  }
  async set(key: CacheKey, value: unknown, options?: { ttlMs?: number }): Promise<void> {
    await this.call('set', { key, value, options });
  }
  delete(key: CacheKey): Promise<boolean> {
    return this.call('delete', { key });
  }
  clear(): Promise<number> {
    return this.call('clear', {});
  }
  /** The namespace's size and the server's evictions, with this client's hits, misses, computes and waits. */
  async stats(): Promise<CacheStats> {
    const s = await this.call<CacheStats>('stats', {});
    const c = this.http.counters.of('cache');
    const [hits, misses] = [c.hits ?? 0, c.misses ?? 0];
    return { ...s, hits, misses, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses), computes: c.computes ?? 0, waits: c.waits ?? 0 };
  }
  /** Has the server write its pending recency updates. */
  async flush(): Promise<void> {
    await this.call('flush', {});
  }

  async getOrSet<T>(key: CacheKey, compute: () => T | Promise<T>, options?: { ttlMs?: number; timeoutMs?: number }): Promise<DeepReadonly<T>> {
    if (typeof compute !== 'function') {
      await this.call('get', { key }); // the key's own error first, as the embedded store checks it first
      throw new ValidationError('compute', 'must be a function');
    }
    // One flight per key in this client, as the embedded store has one per key in its process.
    let flightKey: string | undefined;
    try {
      flightKey = canonicalJson(key);
    } catch {
      flightKey = undefined; // the server names what is wrong with the key
    }
    const running = flightKey === undefined ? undefined : this.flights.get(flightKey);
    if (running) {
      bump(this.http.counters.of('cache'), 'waits');
      // A caller joining another's computation keeps its own bound on the wait, as embedded.
      const t = (options as { timeoutMs?: unknown } | undefined)?.timeoutMs;
      return typeof t === 'number'
        ? withinMs(running as Promise<DeepReadonly<T>>, t, 'the computation of this cache entry')
        : (running as Promise<DeepReadonly<T>>);
    }
    const flight = this.fly(key, compute, options);
    if (flightKey === undefined) return flight;
    this.flights.set(flightKey, flight);
    try {
      return await flight;
    } finally {
      this.flights.delete(flightKey);
    }
  }

  private async fly<T>(key: CacheKey, compute: () => T | Promise<T>, options?: { ttlMs?: number; timeoutMs?: number }): Promise<DeepReadonly<T>> {
    const wait = options?.timeoutMs ?? 60_000;
    const c = await this.call<{ hit: true; value: DeepReadonly<T> } | { hit: false; claimId: string }>(
      'claim',
      { key, options },
      typeof wait === 'number' ? wait : 0,
    );
    const counters = this.http.counters.of('cache');
    if (c.hit) {
      bump(counters, 'hits');
      return frozen(c.value);
    }
    bump(counters, 'misses');
    bump(counters, 'computes');
    let value: T;
    try {
      value = await compute();
      if (isThenable(value)) throw new ValidationError('compute', 'resolved to another promise');
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      await this.call('fail', { claimId: c.claimId, error: { name: e.name, message: e.message.slice(0, 2000) } }).catch(() => undefined);
      throw err;
    }
    return frozen(await this.call<DeepReadonly<T>>('fulfil', { claimId: c.claimId, value }));
  }
}

/**
 * locks over HTTP: the server holds the lock for this client while `fn` runs here, and this client
 * renews the lease every `leaseMs / 3`. If this process dies or loses the network, renewals stop
 * and the lock ends `leaseMs` later; if a renewal learns the lease was lost, `lease.signal` aborts
 * with `LeaseLostError`, as embedded.
 */
export class RemoteLocks implements LocksStore {
  private disposed = false;
  private readonly held = new Set<AbortController>();

  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}

  async withLock<T>(name: string, fn: (lease: Lease) => Promise<T> | T, options?: LockOptions): Promise<T> {
    validateKey(name, 'name');
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    const o = resolveLockOptions(options);
    if (this.disposed) throw new ClosedError();
    const c = this.http.counters.of('locks');
    let grant: { leaseId: string; token: number; waitedMs: number };
    try {
      grant = await this.http.call<typeof grant>('locks.acquire', this.ns, { name, options }, o.timeoutMs);
    } catch (e) {
      if (e instanceof LockTimeoutError) c.timeouts = (c.timeouts ?? 0) + 1;
      throw e;
    }
    const { leaseId, token, waitedMs } = grant;
    countGrant(c, waitedMs);
    const ac = new AbortController();
    this.held.add(ac);
    let timer: NodeJS.Timeout | undefined;
    const renew = () => {
      timer = setTimeout(
        () => {
          // Aborted (dispose, or the lease was lost): renewals stop, as dispose() promises.
          if (ac.signal.aborted) return;
          this.http.call<boolean>('locks.renew', this.ns, { leaseId }).then(
            (kept) => {
              if (kept) {
                c.renewals = (c.renewals ?? 0) + 1;
                c.writes++;
                if (!ac.signal.aborted) renew();
              } else {
                c.lost = (c.lost ?? 0) + 1;
                ac.abort(new LeaseLostError(name));
              }
            },
            () => (ac.signal.aborted ? undefined : renew()), // unreachable for a moment: try next period
          );
        },
        Math.max(1, Math.floor(o.leaseMs / 3)),
      );
      timer.unref();
    };
    renew();
    try {
      if (this.disposed) throw new ClosedError();
      return await fn(Object.freeze({ name, token, signal: ac.signal, waitedMs }));
    } finally {
      clearTimeout(timer);
      this.held.delete(ac);
      await this.http.call('locks.release', this.ns, { leaseId }).catch(() => undefined);
    }
  }

  async inspect(name: string): Promise<LockInfo> {
    if (this.disposed) throw new ClosedError();
    return frozen(await this.http.call<LockInfo>('locks.inspect', this.ns, { name }));
  }

  dispose(): void {
    this.disposed = true;
    for (const ac of this.held) ac.abort(new ClosedError());
  }
}
