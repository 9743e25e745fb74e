import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const SLOTS = 64;
const SLOT_BYTES = 16;
const BOARD_BYTES = SLOTS * SLOT_BYTES;
/** A waiter that has not polled for this long is dead or stuck; nobody defers to it. */
const STALE_MS = 25;

const QUIET_MS = 1;

/** Wall-clock ms with sub-ms precision, comparable across processes on one host. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Fairness for SQLite's write lock, which has no queue: whoever polls at the right moment wins,
 * so under load one process can lose for tens of ms while others re-acquire at once.
 *
 * Each connection that is waiting writes `[waitStart, lastPoll]` into its slot of a small side
 * file (`<db>-mxwait`). Before trying to begin, a connection reads the board and defers if
 * another live waiter has been waiting `graceMs` longer than itself — so the oldest waiter gets
 * the lock next. It is advisory only: correctness never depends on it, a lost or stale slot just
 * means less fairness, and a dead waiter stops mattering after {@link STALE_MS}.
 */
export class WaitBoard {
  private readonly fd: number;
  private readonly slot: number;
  private readonly buf = Buffer.alloc(BOARD_BYTES);
  private readonly mine = Buffer.alloc(SLOT_BYTES);
  private waiting = false;
  private quietUntil = 0;

  constructor(
    dbPath: string,
    private readonly graceMs: number,
  ) {
    this.fd = openSync(`${dbPath}-mxwait`, constants.O_RDWR | constants.O_CREAT, 0o644);
    if (fstatSync(this.fd).size < BOARD_BYTES) ftruncateSync(this.fd, BOARD_BYTES);
    this.slot = (process.pid * 31 + threadId) % SLOTS;
  }

  /**
   * The board beside `dbPath`, or none when its file cannot be opened (made by another user, a
   * read-only directory): fairness is advisory, so the store works without it.
   */
  static tryOpen(dbPath: string, graceMs: number): WaitBoard | undefined {
    try {
      return new WaitBoard(dbPath, graceMs);
    } catch {
      return undefined;
    }
  }

  /**
   * Whether another live waiter has been waiting clearly (`graceMs`) longer than one that started
   * at `since`.
   * A board found quiet is not read again for {@link QUIET_MS}: the read is a syscall on every
   * transaction otherwise, and starvation only matters at the scale of `graceMs`.
   */
  shouldDefer(since: number, now: number, graceMs = this.graceMs): boolean {
    if (now < this.quietUntil) return false;
    readSync(this.fd, this.buf, 0, BOARD_BYTES, 0);
    for (let i = 0; i < SLOTS; i++) {
      if (i === this.slot) continue;
      const start = this.buf.readDoubleLE(i * SLOT_BYTES);
      if (start === 0 || now - this.buf.readDoubleLE(i * SLOT_BYTES + 8) > STALE_MS) continue;
      if (start < since - graceMs) return true;
    }
    this.quietUntil = now + QUIET_MS;
    return false;
  }

  /** Announces (or refreshes) that this connection has been waiting since `since`. */
  poll(since: number, now: number): void {
    this.mine.writeDoubleLE(since, 0);
    this.mine.writeDoubleLE(now, 8);
    writeSync(this.fd, this.mine, 0, SLOT_BYTES, this.slot * SLOT_BYTES);
    this.waiting = true;
  }

  /** Withdraws this connection's announcement (it got the lock or gave up). */
  done(): void {
    if (!this.waiting) return;
    this.mine.fill(0);
    writeSync(this.fd, this.mine, 0, SLOT_BYTES, this.slot * SLOT_BYTES);
    this.waiting = false;
  }

  close(): void {
    this.done();
    closeSync(this.fd);
  }
}
