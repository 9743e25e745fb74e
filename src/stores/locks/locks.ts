import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { ClosedError, LockTimeoutError, ValidationError } from '../../errors.js';
import { validateKey } from '../../values/keys.js';
import type { StoreContext, StoreCounters } from '../context.js';
import { decide, parseState, type Decision, type Request } from './lease-state.js';
import { LOCKS } from '../names.js';
import { HeldLease, writeState, type Lease } from './lease.js';
import { resolveLockOptions, type LockMode, type LockOptions, type ResolvedLockOptions } from './options.js';
import { lockKey, nap, nextBackoff } from './wait.js';
import type { LockInfo, LocksStore } from '../../api/locks.js';
import { storeModule } from '../module.js';

export { type Lease } from './lease.js';
export type { LockMode, LockOptions } from './options.js';

/** Unique per process and thread; a counter makes each acquisition's owner id unique. */
const PROCESS_ID = `${process.pid.toString(36)}.${threadId}.${randomBytes(4).toString('hex')}`;
let acquisitionSeq = 0;

const COUNTERS = ['acquisitions', 'waits', 'totalWaitMs', 'maxWaitMs', 'timeouts', 'renewals', 'lost'] as const;

type Attempt = Decision & { readonly token: number; readonly wrote: boolean };

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
export class Locks implements LocksStore {
  private disposed = false;
  private readonly held = new Set<HeldLease>();
  private readonly sleeping = new Set<() => void>();

  constructor(protected readonly ctx: StoreContext) {
    const c = ctx.counters(LOCKS);
    for (const k of COUNTERS) c[k] ??= 0;
  }

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
  async withLock<T>(name: string, fn: (lease: Lease) => Promise<T> | T, options?: LockOptions): Promise<T> {
    const n = validateKey(name, 'name');
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    const lease = await this.grant(n, resolveLockOptions(options), true);
    try {
      if (this.disposed) throw new ClosedError();
      return await fn(lease.view);
    } finally {
      await lease.release();
    }
  }

  /**
   * Takes the lock `name` outside a `withLock` and returns its lease, which is renewed only when
   * `renewNow()` is called and ends with `release()`: what the server holds for a remote caller,
   * whose own renewals keep it. Same options, validation and queueing as {@link withLock}.
   * @example
   * ```ts
   * const lease = await locks.acquireLease('browser', { leaseMs: 30_000 });
   * await lease.renewNow();
   * await lease.release();
   * ```
   */
  async acquireLease(name: string, options?: LockOptions): Promise<HeldLease> {
    const n = validateKey(name, 'name');
    return this.grant(n, resolveLockOptions(options), false);
  }

  /** Waits for the lock and returns the lease, kept among the held ones until it is released. */
  private async grant(name: string, o: ResolvedLockOptions, autoRenew: boolean): Promise<HeldLease> {
    if (this.disposed) throw new ClosedError();
    const owner = `${PROCESS_ID}.${++acquisitionSeq}`;
    const { token, waitedMs } = await this.acquire(name, owner, o);
    const lease = new HeldLease(this.ctx, { name, owner, token, leaseMs: o.leaseMs, waitedMs, autoRenew, held: this.held });
    this.held.add(lease);
    return lease;
  }

  /**
   * The current holders (grant order) and waiters (line order) of lock `name`, for tests and
   * operations. A deeply frozen snapshot; expired entries are left out.
   * @example
   * ```ts
   * const { holders, waiters } = await mx.locks.inspect('browser');
   * ```
   */
  async inspect(name: string): Promise<LockInfo> {
    const n = validateKey(name, 'name');
    if (this.disposed) throw new ClosedError();
    this.counters().reads++;
    const st = await this.ctx.engine.read((tx) => parseState(tx.get(this.ctx.ns, LOCKS, n), tx.now));
    const mode = (m: 'x' | 's'): LockMode => (m === 'x' ? 'exclusive' : 'shared');
    return Object.freeze({
      holders: Object.freeze(st.h.map((x) => Object.freeze({ mode: mode(x.m), token: x.t, expiresAt: x.e }))),
      waiters: Object.freeze(st.w.map((x) => Object.freeze({ mode: mode(x.m), expiresAt: x.e }))),
    });
  }

  /**
   * Stops every renewal timer (held leases then run out at their expiry) and aborts their
   * signals; pending and later calls reject with `ClosedError`. Called by `Memex.close()`.
   * @example
   * ```ts
   * mx.locks.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const lease of this.held) lease.stop(new ClosedError());
    for (const wakeUp of [...this.sleeping]) wakeUp();
  }

  private counters(): StoreCounters {
    return this.ctx.counters(LOCKS);
  }

  /** Polls until granted (resolves the fencing token) or the deadline passes (LockTimeoutError). */
  private async acquire(name: string, owner: string, o: ResolvedLockOptions): Promise<{ token: number; waitedMs: number }> {
    const req = { owner, mode: o.mode === 'exclusive' ? 'x' : 's', leaseMs: o.leaseMs } as const;
    const key = lockKey(this.ctx.ns, name);
    const start = performance.now();
    const deadline = start + o.timeoutMs;
    let delay = 0;
    let waited = false;
    for (;;) {
      if (this.disposed) throw new ClosedError();
      const final = performance.now() >= deadline;
      // After the first refusal, look before taking the write lock: most polls change nothing.
      const peek = waited && !final ? await this.peek(name, { ...req, final }) : undefined;
      const d = peek ?? (await this.attempt(name, { ...req, final }));
      if (d.kind === 'grant') {
        const ms = waited ? performance.now() - start : 0;
        countGrant(this.counters(), ms);
        return { token: d.token, waitedMs: ms };
      }
      if (d.kind === 'timeout') {
        const c = this.counters();
        c.timeouts = (c.timeouts ?? 0) + 1;
        throw new LockTimeoutError(`lock "${name}"`, performance.now() - start);
      }
      waited = true;
      delay = nextBackoff(delay, d.head);
      await nap(key, Math.max(0, Math.min(delay, deadline - performance.now())), this.sleeping);
    }
  }

  /** A read-only look: the decision when it needs no write, otherwise `undefined`. */
  private async peek(name: string, req: Request): Promise<Attempt | undefined> {
    this.counters().reads++;
    const d = await this.ctx.engine.read((tx) => decide(parseState(tx.get(this.ctx.ns, LOCKS, name), tx.now), req, tx.now));
    return d.kind === 'wait' && d.next === undefined ? { ...d, token: 0, wrote: false } : undefined;
  }

  /** One synchronous write that prunes expired entries, then grants, queues or gives up. */
  private async attempt(name: string, req: Request): Promise<Attempt> {
    const { ns, engine } = this.ctx;
    const a = await engine.write((tx): Attempt => {
      const d = decide(parseState(tx.get(ns, LOCKS, name), tx.now), req, tx.now);
      const version = d.next ? writeState(tx, ns, name, d.next) : 0;
      return { ...d, token: d.kind === 'grant' ? version : 0, wrote: d.next !== undefined };
    });
    if (a.wrote) this.counters().writes++;
    return a;
  }
}

/** Counts one grant in the locks' counters; `waitedMs` 0 means it was granted at the first attempt. */
export function countGrant(c: StoreCounters, waitedMs: number): void {
  c.acquisitions = (c.acquisitions ?? 0) + 1;
  if (waitedMs > 0) {
    c.waits = (c.waits ?? 0) + 1;
    c.totalWaitMs = (c.totalWaitMs ?? 0) + waitedMs;
    c.maxWaitMs = Math.max(c.maxWaitMs ?? 0, waitedMs);
  }
}

/** The locks' wiring: renewals stop and waiters are released at close. */
export const locksModule = storeModule({ create: (ctx) => new Locks(ctx), close: (locks: Locks) => locks.dispose() });
