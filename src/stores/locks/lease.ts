import { ClosedError, LeaseLostError } from '../../errors.js';
import type { LockOptions } from './options.js';
import type { WriteTx } from '../../engine/types.js';
import type { StoreContext } from '../context.js';
import { encodeState, parseState, releaseState, renewState, type LockState } from './lease-state.js';
import { LOCKS } from '../names.js';
import { lockKey, wake } from './wait.js';

/** What `fn` receives while it holds a lock. */
export interface Lease {
  /** The lock's name. */
  readonly name: string;
  /**
   * Fencing token: larger for every grant of any lock in the file. Pass it to the resource you
   * protect and have it refuse tokens older than the newest it has seen.
   */
  readonly token: number;
  /**
   * Aborted when the lease was lost (a renewal found it expired: the process stalled past its
   * expiry, so another caller may hold the lock now; reason a {@link LeaseLostError}) or the store
   * was closed (reason a `ClosedError`): `fn` should stop.
   */
  readonly signal: AbortSignal;
  /** How long this caller waited for the grant, in ms: 0 when it was granted at once. */
  readonly waitedMs: number;
}

/** Writes `next` over the lock's record (or deletes it when nobody holds or waits); the new version. */
export function writeState(tx: WriteTx, ns: string, name: string, next: LockState): number {
  const enc = encodeState(next);
  if (enc) return tx.put(ns, LOCKS, name, enc.json, { expiresAt: enc.expiresAt });
  tx.delete(ns, LOCKS, name);
  return 0;
}

/**
 * One granted lease while `fn` runs: renews it every `leaseMs / 3` (unref'd timer), notices when
 * it was lost, and releases it when `fn` settles.
 */
export class HeldLease {
  readonly controller = new AbortController();
  readonly view: Lease;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private stopped = false;

  readonly name: string;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly held: Set<HeldLease>;

  /**
   * `autoRenew`: renew every `leaseMs / 3` by itself (withLock), or only on `renewNow()` (a lease
   * the server keeps for a remote holder). `held`: the live leases it leaves when released.
   */
  constructor(
    private readonly ctx: StoreContext,
    g: { name: string; owner: string; token: number; leaseMs: number; waitedMs: number; autoRenew: boolean; held: Set<HeldLease> },
  ) {
    ({ name: this.name, owner: this.owner, leaseMs: this.leaseMs, held: this.held } = g);
    this.view = Object.freeze({ name: g.name, token: g.token, signal: this.controller.signal, waitedMs: g.waitedMs });
    if (g.autoRenew) this.schedule();
  }

  /** Stops renewing (the lease then runs out by itself) and aborts `signal` with `reason`. */
  stop(reason?: Error): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (reason && !this.controller.signal.aborted) this.controller.abort(reason);
  }

  /**
   * Stops renewing and removes the lease from the record. Never throws: if the write fails (the
   * store was closed, say) the lease simply runs out at its expiry.
   */
  async release(): Promise<void> {
    this.held.delete(this);
    this.stop();
    await this.inflight;
    const { ns, engine } = this.ctx;
    try {
      const wrote = await engine.write((tx) => {
        const next = releaseState(parseState(tx.get(ns, LOCKS, this.name), tx.now), this.owner);
        if (next) writeState(tx, ns, this.name, next);
        return next !== undefined;
      });
      if (wrote) this.ctx.counters(LOCKS).writes++;
    } catch {
      // The lease expires on its own; the caller's result or error matters more than this one.
    }
    wake(lockKey(ns, this.name));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.inflight = this.renew();
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  /**
   * Extends the lease to `leaseMs` from now; `false` (and `signal` aborted with a
   * `LeaseLostError`) when it had already expired. A failing write throws.
   */
  async renewNow(): Promise<boolean> {
    const { ns, engine } = this.ctx;
    const c = this.ctx.counters(LOCKS);
    const kept = await engine.write((tx) => {
      const next = renewState(parseState(tx.get(ns, LOCKS, this.name), tx.now), this.owner, tx.now + this.leaseMs);
      if (next) writeState(tx, ns, this.name, next);
      return next !== undefined;
    });
    if (kept) {
      c.writes++;
      c.renewals = (c.renewals ?? 0) + 1;
    } else {
      c.lost = (c.lost ?? 0) + 1;
      this.stop(new LeaseLostError(this.name));
    }
    return kept;
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      if (await this.renewNow()) this.schedule();
    } catch (e) {
      if (e instanceof ClosedError) this.stop(e);
      else this.schedule(); // A busy store: try again next period; the lease has 2/3 of its time left.
    }
  }
}

/**
 * A locks store that can hand out a lease held until its owner releases it (the embedded one):
 * what the server holds for a remote caller. A remote store cannot, as it holds nothing itself.
 */
export interface LeaseSource {
  acquireLease(name: string, options?: LockOptions): Promise<HeldLease>;
}

/** Whether `locks` can hand out held leases (see {@link LeaseSource}). */
export const isLeaseSource = (locks: unknown): locks is LeaseSource => typeof (locks as Partial<LeaseSource> | null)?.acquireLease === 'function';
