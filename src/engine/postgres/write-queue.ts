import { LockTimeoutError, StorageError, ValidationError } from '../../errors.js';
import { isThenable } from '../../values/thenable.js';
import { GroupCommitQueue, type QueuedJob } from '../group-commit-queue.js';
import type { Statement, StatementResult } from './protocol.js';
import type { PgTx } from './tx.js';

type Job = QueuedJob<PgTx>;

/** What the queue needs from its engine. */
export interface WriteLink {
  /** Runs statements on the write connection (async: for BEGIN, lock and COMMIT). */
  run(statements: Statement[], oneText?: boolean): Promise<StatementResult[]>;
  /** The write lock statement and the read of clock and last seq that must follow it. */
  readonly sql: { lock: string; clockAndSeq: string };
  /** A caller's own clock (tests), or undefined for the database's. */
  readonly clock: (() => number) | undefined;
  readonly lockTimeoutMs: number;
  readonly maxBatch: number;
  readonly maxEvents: number;
  /** Told the database's clock at each BEGIN (for reads, which estimate it). */
  observeClock(dbNow: number): void;
}

const ROLLBACK: Statement = { sql: 'ROLLBACK' };
/** The database's clock in Unix ms, whole and exact. */
export const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::int8';
/** The same with its microseconds, for measuring waits. */
export const NOW_MS_EXACT = '(extract(epoch from clock_timestamp()) * 1000)::float8';
/** An uncontended advisory lock takes microseconds: anything longer was a wait for another node. */
const WAIT_THRESHOLD_MS = 0.2;

/**
 * Group commit over one PostgreSQL connection: writes queued while a transaction is being begun
 * (or waits for the schema's advisory lock) share the next one. Every writer of the schema, on
 * every node, takes that lock before it reads anything, so writes are serializable across the
 * fleet and seqs are assigned — and committed — in one order.
 */
export class PgWriteQueue extends GroupCommitQueue<PgTx> {
  constructor(
    private readonly tx: PgTx,
    private readonly link: WriteLink,
  ) {
    super(link.lockTimeoutMs, 'the write lock (PostgreSQL advisory lock)');
  }

  protected async drain(): Promise<void> {
    while (this.pending.length > 0) {
      this.expire(performance.now());
      if (this.pending.length === 0) break;
      const began = await this.begin();
      if (began === undefined) continue;
      await this.runBatch(this.pending.splice(0, this.link.maxBatch), began);
    }
  }

  /** BEGIN and the write lock; the seq and clock read after it. Undefined when nothing began. */
  private async begin(): Promise<{ seq: number; now: number; at: number } | undefined> {
    const started = performance.now();
    const waitMs = Math.max(1, Math.ceil(this.nextDeadline() - started));
    const { lock, clockAndSeq } = this.link.sql;
    try {
      // No parameters: one simple-protocol text, one round trip, waiting (bounded by lock_timeout)
      // when another node holds the lock. The seq is read by a later statement than the lock, so
      // its snapshot sees every commit of the previous holder; the database's clock before and
      // after the lock says how long this node waited.
      const r = await this.link.run([
        { sql: `BEGIN; SET LOCAL lock_timeout = '${waitMs}ms'; SELECT ${NOW_MS_EXACT} AS t0; ${lock}; ${clockAndSeq}` },
      ]);
      this.lock.acquisitions++;
      const waited = (r[4]!.rows[0]!.t1 as number) - (r[2]!.rows[0]!.t0 as number);
      if (waited >= WAIT_THRESHOLD_MS) this.waited(waited);
      const row = r[r.length - 1]!.rows[0] as { now: number; seq: number };
      this.link.observeClock(row.now);
      return { seq: row.seq, now: row.now, at: performance.now() };
    } catch (e) {
      await this.link.run([ROLLBACK]).catch(() => undefined);
      if (e instanceof LockTimeoutError) {
        this.expire(performance.now() + 1);
        return undefined;
      }
      for (const j of this.pending.splice(0)) j.reject(e);
      return undefined;
    }
  }

  private async runBatch(batch: Job[], began: { seq: number; now: number; at: number }): Promise<void> {
    const tx = this.tx;
    tx.beginBatch(began.seq, batch.length > 1);
    const startSeq = began.seq;
    const done: { job: Job; value: unknown }[] = [];
    const failed: { job: Job; error: unknown }[] = [];
    let broken: { job: Job; error: unknown } | undefined;
    let i = 0;
    for (; i < batch.length; i++) {
      const job = batch[i]!;
      tx.beginJob(this.link.clock ? this.link.clock() : Math.round(began.now + (performance.now() - began.at)));
      try {
        const value = job.fn(tx);
        if (isThenable(value)) throw new ValidationError('fn', 'a transaction callback must be synchronous, not return a promise');
        tx.endJob(true);
        done.push({ job, value });
      } catch (error) {
        const unprotected = tx.jobWroteUnprotected;
        tx.endJob(false);
        if (tx.aborted !== undefined || unprotected) {
          broken = { job, error: tx.aborted ?? error };
          break;
        }
        failed.push({ job, error });
      }
    }
    if (broken) {
      await this.link.run([ROLLBACK]).catch(() => undefined);
      broken.job.reject(broken.error);
      for (const f of failed) f.job.reject(f.error);
      // The others did nothing wrong: they run again in a transaction of their own (once).
      const again = [...done.map((d) => d.job), ...batch.slice(i + 1)];
      for (const j of again.filter((j) => j.requeued)) j.reject(broken.error);
      const retry = again.filter((j) => !j.requeued);
      for (const j of retry) j.requeued = true;
      this.pending.unshift(...retry);
      return;
    }
    await this.finish(done, failed, tx.seq > startSeq ? tx.seq : undefined);
  }

  private async finish(done: { job: Job; value: unknown }[], failed: { job: Job; error: unknown }[], lastSeq: number | undefined): Promise<void> {
    try {
      if (done.length === 0) await this.link.run([ROLLBACK]);
      else {
        const trim = lastSeq !== undefined && lastSeq > this.link.maxEvents ? lastSeq - this.link.maxEvents : undefined;
        // The last writes and COMMIT in one round trip.
        await this.link.run([...this.tx.finalStatements(trim), { sql: 'COMMIT' }], true);
        this.commits++;
      }
    } catch (e) {
      await this.link.run([ROLLBACK]).catch(() => undefined);
      const err = e instanceof StorageError ? e : new StorageError(`commit failed: ${(e as Error).message}`, undefined, { cause: e });
      for (const d of done) d.job.reject(err);
      for (const f of failed) f.job.reject(f.error);
      return;
    }
    this.writes += done.length;
    for (const d of done) d.job.resolve(d.value);
    for (const f of failed) f.job.reject(f.error);
  }
}
