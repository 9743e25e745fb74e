import type Database from 'better-sqlite3';
import { StorageError, ValidationError } from '../../errors.js';
import { GroupCommitQueue, type QueuedJob } from '../group-commit-queue.js';
import { isThenable } from '../../values/thenable.js';
import { driverCode, isBusy, toMemexError } from './errors.js';
import type { SqliteTx } from './tx.js';
import { epochNow, type WaitBoard } from './wait-board.js';
import type { WriteGate } from './write-gate.js';

type Job = QueuedJob<SqliteTx>;

export interface WriteQueueOptions {
  readonly lockTimeoutMs: number;
  /** Most write callbacks sharing one transaction (bounds how long the lock is held). */
  readonly maxBatch: number;
  readonly maxEvents: number;
  readonly clock: () => number;
  /** Advisory fairness between connections; absent for private (in-memory) databases. */
  readonly board?: WaitBoard;
  /** The kernel-queued hand-over between connections; absent for private (in-memory) databases. */
  readonly gate?: WriteGate;
  /** Runs after each commit, before its writes are acknowledged (must not throw). */
  readonly afterCommit?: () => void;
  /** Replaces a connection that turned out read-only; whether it did (called before each BEGIN until then). */
  readonly reconnect?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Longest run of transactions one connection makes while holding the gate. */
const SLICE_MS = 2;
/** A waiter that has waited this long ends the holder's slice after its current transaction. */
const STARVING_MS = 8;
/** Microtasks a just-acknowledged caller is given to queue its next write. */
const FOLLOW_TICKS = 32;

/** How often a writer waiting on the gate refreshes its announcement on the wait board. */
const BOARD_REFRESH_MS = 10;

/**
 * Group commit. Writes queued while the connection waits for, or holds, the write lock share the
 * next `BEGIN IMMEDIATE … COMMIT`: with synchronous=FULL that is one fsync for the whole group.
 *
 * One failing callback must not fail the others. Most failures (conflicts, validation, a throwing
 * `update` fn) happen before the callback writes anything, so nothing needs undoing and no
 * savepoints are paid for. A callback that fails after writing (a `transaction` that throws
 * half-way) undoes the whole group; the others are queued again at the front, each in its own
 * savepoint this time — the seam allows a callback to run more than once.
 *
 * SQLite's own busy handler is off (busy_timeout 0 after open): it sleeps up to 100 ms between
 * tries and blocks the thread. Here writers first queue on the {@link WriteGate}, a kernel lock
 * whose waiter wakes as soon as the holder leaves; only a writer outside the gate makes a
 * connection poll, every ~1 ms on a timer. Either way the event loop keeps serving reads and the
 * wait is bounded by each job's own deadline.
 */
export class WriteQueue extends GroupCommitQueue<SqliteTx> {
  private st;
  /** A write failed with SQLITE_READONLY and the connection has not been replaced since. */
  private readOnly = false;

  constructor(
    private db: Database.Database,
    private tx: SqliteTx,
    private readonly opts: WriteQueueOptions,
  ) {
    super(opts.lockTimeoutMs, 'the write lock');
    this.st = WriteQueue.statements(db);
  }

  /** Moves to a new connection (no transaction may be open). */
  rebind(db: Database.Database, tx: SqliteTx): void {
    this.db = db;
    this.tx = tx;
    this.st = WriteQueue.statements(db);
  }

  private static statements(db: Database.Database) {
    return {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT job'),
      release: db.prepare('RELEASE job'),
      rollbackTo: db.prepare('ROLLBACK TO job'),
      trimEvents: db.prepare('DELETE FROM events WHERE seq <= ?'),
    };
  }

  /** Notes a write that failed because the connection is read-only. */
  private noteFailure(e: unknown): void {
    if (driverCode(e)?.startsWith('SQLITE_READONLY') && this.opts.reconnect) this.readOnly = true;
  }

  private maybeReconnect(): void {
    if (this.readOnly) this.readOnly = !this.opts.reconnect!();
  }

  protected async drain(): Promise<void> {
    const { board, gate } = this.opts;
    let waitStart: number | undefined;
    /** Announces the wait on the board, then waits for `until` to settle (or ~1 ms, polling). */
    const waitFor = async (now: number, until?: Promise<unknown>) => {
      waitStart ??= now;
      board?.poll(waitStart, now);
      await (until ?? sleep(Math.max(0, Math.min(1, this.nextDeadline() - performance.now()))));
    };
    try {
      while (this.pending.length > 0) {
        this.expire(performance.now());
        if (this.pending.length === 0) break;
        const now = epochNow();
        try {
          this.maybeReconnect();
        } catch (e) {
          this.abandon(this.pending.splice(0), e);
          break;
        }
        // A connection holding the gate (in its slice, or through a busy wait) never defers: the
        // writer it would defer to may be queued on the gate. The slice bounds that hold instead.
        if (!gate?.held && board?.shouldDefer(waitStart ?? now, now)) {
          await waitFor(now);
          continue;
        }
        if (gate && !gate.tryEnter()) {
          // Queued in the kernel: woken the moment the holder leaves, or at the next deadline.
          await waitFor(now, gate.enter(Math.min(this.nextDeadline(), performance.now() + BOARD_REFRESH_MS)));
          // The kernel wakes every waiter when the gate is left and the first to run wins, which
          // is not the one that waited longest: a winner that finds an older waiter on the board
          // hands the gate straight back and waits beside it, so the tail stays bounded.
          if (gate.held && board?.shouldDefer(waitStart ?? now, epochNow())) gate.leave();
          continue;
        }
        if (!this.tryBegin()) {
          // A writer outside the gate (the sqlite3 shell, a store whose gate could not open) holds
          // SQLite's lock: poll for it as before, keeping the gate so other gated writers sleep.
          await waitFor(now);
          continue;
        }
        this.lock.acquisitions++;
        if (waitStart !== undefined) {
          board?.done();
          this.waited(epochNow() - waitStart);
          waitStart = undefined;
        }
        const batch = this.pending.splice(0, this.opts.maxBatch);
        try {
          this.runBatch(batch);
        } catch (e) {
          // A failing SAVEPOINT, RELEASE or ROLLBACK: no job of the group may stay unsettled.
          this.abandon(batch, e);
        }
        if (gate) {
          // The callers just acknowledged usually write again within a few microtasks: keep the
          // gate for them, up to the slice, rather than pay a hand-over per transaction.
          if (await this.writesFollow(gate)) continue;
          gate.leave();
        }
        // Let other processes in before this one begins again.
        if (this.pending.length > 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      gate?.leave();
      board?.done();
    }
  }

  /**
   * Whether more writes are queued within {@link FOLLOW_TICKS} microtasks while the gate has been
   * held less than the slice and nobody has waited {@link STARVING_MS}. Microtasks only: the event
   * loop is not entered, so the gate is never held idle across I/O.
   */
  private async writesFollow(gate: WriteGate): Promise<boolean> {
    for (let i = 0; i < FOLLOW_TICKS && this.pending.length === 0; i++) await Promise.resolve();
    if (this.pending.length === 0 || gate.heldMs() >= SLICE_MS) return false;
    const now = epochNow();
    return !this.opts.board?.shouldDefer(now, now, STARVING_MS);
  }

  private tryBegin(): boolean {
    try {
      this.st.begin.run();
      return true;
    } catch (e) {
      if (isBusy(e)) {
        this.lock.busyRetries++;
        return false;
      }
      this.noteFailure(e);
      const err = toMemexError(e, 'cannot begin a write transaction');
      for (const j of this.pending.splice(0)) j.reject(err);
      return false;
    }
  }

  /** Runs the jobs in one open transaction and commits; settles every job. */
  private runBatch(batch: Job[]): void {
    const isolate = batch.length > 1 && batch.some((j) => j.requeued);
    const done: { job: Job; value: unknown }[] = [];
    const failed: { job: Job; error: unknown }[] = [];
    this.tx.lastWrittenSeq = 0;
    for (const job of batch) {
      if (!this.db.inTransaction) {
        failed.push({ job, error: new StorageError('the transaction was aborted by the database', 'SQLITE_ABORT') });
        continue;
      }
      if (isolate) this.st.savepoint.run();
      // Events of a job that is undone never happened: retention must not count them.
      const seqBefore = this.tx.lastWrittenSeq;
      const mutationsBefore = this.tx.mutations;
      try {
        this.tx.now = this.opts.clock();
        const value = job.fn(this.tx);
        if (isThenable(value)) throw new ValidationError('fn', 'a transaction callback must be synchronous, not return a promise');
        if (isolate) this.st.release.run();
        done.push({ job, value });
      } catch (e) {
        this.tx.lastWrittenSeq = seqBefore;
        // A callback's own error (whatever it threw) reaches its caller unchanged.
        const error = driverCode(e) ? toMemexError(e, 'write failed') : e;
        this.noteFailure(e);
        // After SQLITE_FULL or an I/O error SQLite may have rolled the whole transaction back by
        // itself: the jobs that already ran lost their writes too, so they run again.
        const undone = !this.db.inTransaction;
        if (isolate && !undone) {
          this.st.rollbackTo.run();
          this.st.release.run();
        } else if (batch.length > 1 && (undone || this.tx.mutations !== mutationsBefore)) {
          this.undoGroup(batch, job, error);
          return;
        }
        failed.push({ job, error });
      }
    }
    this.finish(done, failed);
  }

  private abandon(batch: Job[], e: unknown): void {
    try {
      if (this.db.inTransaction) this.st.rollback.run();
    } catch {
      // The connection's own rollback failed too; SQLite undoes the transaction when it can.
    }
    const err = toMemexError(e, 'write failed');
    for (const j of batch) j.reject(err);
  }

  /** `failed` wrote before it threw, mixed into the group: undo all, retry the others isolated. */
  private undoGroup(batch: Job[], failed: Job, error: unknown): void {
    if (this.db.inTransaction) this.st.rollback.run();
    const others = batch.filter((j) => j !== failed);
    for (const j of others) j.requeued = true;
    this.pending.unshift(...others);
    failed.reject(error);
  }

  private finish(done: { job: Job; value: unknown }[], failed: { job: Job; error: unknown }[]): void {
    try {
      if (done.length === 0) {
        if (this.db.inTransaction) this.st.rollback.run();
      } else {
        if (this.tx.lastWrittenSeq > this.opts.maxEvents) this.st.trimEvents.run(this.tx.lastWrittenSeq - this.opts.maxEvents);
        this.st.commit.run();
        this.commits++;
        this.opts.afterCommit?.();
      }
    } catch (e) {
      if (this.db.inTransaction) this.st.rollback.run();
      this.noteFailure(e);
      const err = toMemexError(e, 'commit failed');
      for (const d of done) d.job.reject(err);
      for (const f of failed) f.job.reject(f.error);
      return;
    }
    this.writes += done.length;
    for (const d of done) d.job.resolve(d.value);
    for (const f of failed) f.job.reject(f.error);
  }
}
