import { randomBytes } from 'node:crypto';
import type { MemexScope } from '../api/memex.js';
import type { Holds } from '../contract/holds.js';
import { ComputeError } from '../errors.js';
import { ValidationError } from '../errors.js';
import { isLeaseSource, type HeldLease } from '../stores/locks/lease.js';
import { resolveLockOptions } from '../stores/locks/options.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

interface HeldLock {
  readonly ns: string;
  readonly lease: HeldLease;
  readonly leaseMs: number;
  timer: NodeJS.Timeout;
}

interface Claim {
  readonly ns: string;
  readonly outcome: Deferred<unknown>;
  readonly stored: Promise<unknown>;
  readonly timer: NodeJS.Timeout;
}

const id = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;

/**
 * The server's side of remote locks and remote `getOrSet`: each is the embedded store's own call,
 * held open between requests. A lock is held by a `withLock` whose `fn` waits for the client's
 * release — and ends by itself when the client stops renewing for `leaseMs` (it died or lost the
 * network), exactly as an embedded holder's lease would. A claim is a `getOrSet` whose `compute`
 * waits for the client's value; it fails by itself after `timeoutMs`. Ids are random (a caller
 * cannot guess another's) and bound to their namespace.
 */
export class ServerHolds implements Holds {
  private readonly locks = new Map<string, HeldLock>();
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly computeTimeoutMs: number) {}

  async acquire(scope: MemexScope, name: unknown, options: unknown): Promise<{ leaseId: string; token: number; waitedMs: number }> {
    if (!isLeaseSource(scope.locks)) throw new Error('remote locks need a store opened in this process');
    const lease = await scope.locks.acquireLease(name as string, options as never);
    const leaseId = id('l');
    const leaseMs = resolveLockOptions(options).leaseMs;
    this.locks.set(leaseId, { ns: scope.ns, lease, leaseMs, timer: this.lapse(leaseId, leaseMs) });
    return { leaseId, token: lease.view.token, waitedMs: lease.view.waitedMs };
  }

  async renew(ns: string, leaseId: unknown): Promise<boolean> {
    const held = this.lock(ns, leaseId);
    if (!held) return false;
    clearTimeout(held.timer);
    held.timer = this.lapse(leaseId as string, held.leaseMs);
    const kept = await held.lease.renewNow();
    if (!kept) await this.end(leaseId as string, held);
    return kept;
  }

  async release(ns: string, leaseId: unknown): Promise<boolean> {
    const held = this.lock(ns, leaseId);
    if (!held) return false;
    await this.end(leaseId as string, held);
    return true;
  }

  async claim(scope: MemexScope, key: unknown, options: unknown): Promise<{ hit: true; value: unknown } | { hit: false; claimId: string }> {
    const chosen = deferred<void>();
    const outcome = deferred<unknown>();
    const stored = scope.cache.getOrSet(
      key,
      () => {
        chosen.resolve();
        return outcome.promise;
      },
      options as never,
    );
    const first = await Promise.race([stored.then((value) => ({ hit: true as const, value })), chosen.promise.then(() => undefined)]);
    if (first) return first;
    const claimId = id('c');
    const timeoutMs = (options as { timeoutMs?: number } | undefined)?.timeoutMs ?? this.computeTimeoutMs;
    const timer = setTimeout(() => {
      this.claims.delete(claimId);
      outcome.reject(new ComputeError('TimeoutError', `the caller computing this entry did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    stored.catch(() => undefined);
    this.claims.set(claimId, { ns: scope.ns, outcome, stored, timer });
    return { hit: false, claimId };
  }

  async fulfil(ns: string, claimId: unknown, value: unknown): Promise<unknown> {
    const c = this.claim_(ns, claimId);
    c.outcome.resolve(value);
    return c.stored;
  }

  async fail(ns: string, claimId: unknown, error: unknown): Promise<void> {
    const c = this.claim_(ns, claimId);
    const e = (error ?? {}) as { name?: unknown; message?: unknown };
    c.outcome.reject(new ComputeError(typeof e.name === 'string' ? e.name : 'Error', typeof e.message === 'string' ? e.message : String(e.message)));
    await c.stored.catch(() => undefined);
  }

  /** Ends every hold (server shutdown): the locks are released, the claims fail. */
  async close(): Promise<void> {
    for (const [claimId, c] of this.claims) {
      clearTimeout(c.timer);
      this.claims.delete(claimId);
      c.outcome.reject(new ComputeError('Error', 'the server shut down'));
    }
    await Promise.all([...this.locks].map(([leaseId, held]) => this.end(leaseId, held)));
  }

  /** A lease the client stopped renewing for `leaseMs` has lapsed: it is released (a renewal now answers false). */
  private lapse(leaseId: string, leaseMs: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      const held = this.locks.get(leaseId);
      if (held) void this.end(leaseId, held);
    }, leaseMs);
    t.unref();
    return t;
  }

  private async end(leaseId: string, held: HeldLock): Promise<void> {
    clearTimeout(held.timer);
    this.locks.delete(leaseId);
    await held.lease.release();
  }

  private lock(ns: string, leaseId: unknown): HeldLock | undefined {
    if (typeof leaseId !== 'string') throw new ValidationError('leaseId', 'must be a string');
    const held = this.locks.get(leaseId);
    return held && held.ns === ns ? held : undefined;
  }

  private claim_(ns: string, claimId: unknown): Claim {
    if (typeof claimId !== 'string') throw new ValidationError('claimId', 'must be a string');
    const c = this.claims.get(claimId);
    if (!c || c.ns !== ns) throw new ValidationError('claimId', 'is not an open claim (it timed out, was answered, or belongs to another namespace)');
    clearTimeout(c.timer);
    this.claims.delete(claimId);
    return c;
  }
}
