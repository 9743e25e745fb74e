import { LockTimeoutError } from '../errors.js';
import type { EngineStats, LockStats } from './types.js';

/** One queued write callback. */
export interface QueuedJob<Tx> {
  readonly fn: (tx: Tx) => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly enqueuedAt: number;
  readonly deadline: number;
  /** Put back after another job of its group broke the group's transaction (engines run it apart). */
  requeued: boolean;
}

const RECENT_TIMEOUTS_KEPT = 100;

/**
 * What every group-commit write queue shares, whatever the engine: the queue of jobs with their
 * `lockTimeoutMs` deadlines, the drain scheduled on a microtask (so that callers resumed by the
 * previous commit join the next group), expiry into `LockTimeoutError`, and the counters behind
 * `stats()`. An engine's queue implements `drain()`: take the lock, run a group, commit.
 */
export abstract class GroupCommitQueue<Tx> {
  protected pending: QueuedJob<Tx>[] = [];
  private running = false;
  private drained: (() => void)[] = [];
  readonly lock: LockStats = { acquisitions: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0, timeouts: 0, busyRetries: 0 };
  readonly recentTimeouts: number[] = [];
  writes = 0;
  commits = 0;

  constructor(
    private readonly lockTimeoutMs: number,
    /** Named in the LockTimeoutError message. */
    private readonly what: string,
  ) {}

  enqueue<T>(fn: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = performance.now();
      this.pending.push({
        fn,
        resolve: resolve as (v: unknown) => void,
        reject,
        enqueuedAt: now,
        deadline: now + this.lockTimeoutMs,
        requeued: false,
      });
      if (!this.running) {
        this.running = true;
        // A microtask, queued behind the continuations already pending: callers resumed by the
        // previous commit (or started in the same tick) enqueue before the flush and share it.
        queueMicrotask(() => void this.run());
      }
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.drained.push(r));
  }

  /** The engine's `stats()`, given its count of reads. */
  statsWith(reads: number): EngineStats {
    return { reads, writes: this.writes, commits: this.commits, lock: { ...this.lock }, recentTimeouts: [...this.recentTimeouts] };
  }

  /** Runs groups until the queue is empty. */
  protected abstract drain(): Promise<void>;

  /** The earliest deadline of the queued jobs. */
  protected nextDeadline(): number {
    return this.pending.reduce((m, j) => Math.min(m, j.deadline), Infinity);
  }

  /** Fails every job whose deadline has passed with LockTimeoutError. */
  protected expire(now: number): void {
    if (!this.pending.some((j) => j.deadline <= now)) return;
    const keep: QueuedJob<Tx>[] = [];
    for (const j of this.pending) {
      if (j.deadline > now) keep.push(j);
      else {
        this.lock.timeouts++;
        this.recentTimeouts.push(Date.now());
        if (this.recentTimeouts.length > RECENT_TIMEOUTS_KEPT) this.recentTimeouts.shift();
        j.reject(new LockTimeoutError(this.what, now - j.enqueuedAt));
      }
    }
    this.pending = keep;
  }

  /** Counts one wait for the lock of `ms`. */
  protected waited(ms: number): void {
    this.lock.waits++;
    this.lock.totalWaitMs += ms;
    this.lock.maxWaitMs = Math.max(this.lock.maxWaitMs, ms);
  }

  private async run(): Promise<void> {
    try {
      await this.drain();
    } finally {
      // Callers resumed by the last commit may have queued writes after drain() saw an empty
      // queue but before this line (it runs a microtask later): they must not be left behind.
      if (this.pending.length > 0) queueMicrotask(() => void this.run());
      else {
        this.running = false;
        for (const r of this.drained.splice(0)) r();
      }
    }
  }
}
