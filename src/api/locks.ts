import type { Lease } from '../stores/locks/lease.js';
import type { LockMode, LockOptions } from '../stores/locks/options.js';

/** One current holder of a lock, as {@link LocksStore.inspect} reports it. */
export interface LockHolderInfo {
  readonly mode: LockMode;
  readonly token: number;
  /** Unix ms (the store's clock) when the lease ends unless renewed. */
  readonly expiresAt: number;
}

/** A caller in line for a lock. */
export interface LockWaiterInfo {
  readonly mode: LockMode;
  /** Unix ms when its place in line lapses unless its next poll refreshes it. */
  readonly expiresAt: number;
}

/** The state of one lock: holders in grant order, waiters in line order. Frozen. */
export interface LockInfo {
  readonly holders: readonly LockHolderInfo[];
  readonly waiters: readonly LockWaiterInfo[];
}

/**
 * Critical sections that span async work, across async callers, worker threads and processes.
 * Leases, not lock files: each lock is a record of the engine (store `locks`) listing its holders
 * with their expiry, so a holder that dies loses the lock when its lease ends, and a live holder
 * keeps it renewed. Waiters queue in the record (FIFO-ish, see {@link LocksStore.withLock}).
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path: './memex.db' });
 * await mx.locks.withLock('browser', async ({ token, signal }) => {
 *   await page.goto(url, { signal });
 *   await mx.kv.set('browser:last', { url, token });
 * });
 * ```
 */
export interface LocksStore {
  /**
   * Runs `fn` while holding the lock `name` and returns its result; the lock is released when
   * `fn` settles, and an error thrown by `fn` propagates unchanged.
   *
   * - `mode: 'exclusive'` (default) admits one holder; `'shared'` admits many shared holders and
   *   no exclusive one.
   * - Waits at most `timeoutMs` (default 5000), then throws `LockTimeoutError` without holding
   *   anything. Waiters poll (2 → 25 ms, jittered) and queue in the lock's record: an exclusive
   *   caller goes when nobody holds the lock and nobody is ahead of it; a shared one when no
   *   exclusive caller holds the lock or is ahead of it — so a stream of shared holders cannot
   *   starve an exclusive one. A place in line lapses 1 s after its waiter's last poll.
   * - The lease lasts `leaseMs` (default 30000) and is renewed every `leaseMs / 3` while `fn`
   *   runs. If a renewal finds it expired (the process stalled past its expiry, so another
   *   caller may hold the lock now), `lease.signal` is aborted with a `LeaseLostError`.
   * - `lease.token` increases with every grant (it is the grant's event seq): a fencing token.
   *
   * @example
   * ```ts
   * const report = await mx.locks.withLock('report:2024', async (lease) => {
   *   const data = await fetchAll({ signal: lease.signal });
   *   await mx.kv.set('report:2024', data);
   *   return data;
   * }, { timeoutMs: 10_000, leaseMs: 60_000 });
   * await mx.locks.withLock('config', readConfig, { mode: 'shared' });
   * ```
   */
  withLock<T>(name: string, fn: (lease: Lease) => Promise<T> | T, options?: LockOptions): Promise<T>;

  /**
   * The current holders (grant order) and waiters (line order) of lock `name`, for tests and
   * operations. A deeply frozen snapshot; expired entries are left out.
   * @example
   * ```ts
   * const { holders, waiters } = await mx.locks.inspect('browser');
   * ```
   */
  inspect(name: string): Promise<LockInfo>;

  /**
   * Stops every renewal timer (held leases then run out at their expiry) and aborts their
   * signals; pending and later calls reject with `ClosedError`. Called by `Memex.close()`.
   * @example
   * ```ts
   * mx.locks.dispose();
   * ```
   */
  dispose(): void;
}
