import { closeSync, constants, openSync } from 'node:fs';
import { tryLock, unlock, waitForLock } from 'fs-native-extensions';

/** The byte of `<db>-mxwait` the gate locks: past the wait board's slots, which it never touches. */
export const GATE_OFFSET = 4096;

/**
 * A kernel-queued lock taken around every `BEGIN IMMEDIATE … COMMIT`, so that a writer waiting
 * for another process wakes the moment the holder releases instead of on its next poll.
 *
 * SQLite's write lock has no queue: a connection that finds it taken can only try again later,
 * and every hand-over costs at least the polling interval of idle lock. The gate is an
 * open-file-description lock (Linux `F_OFD_SETLKW`; whole-file `flock` on macOS) on one byte of the
 * wait board's file: each connection opens the file itself, so connections of one process
 * (worker threads, two stores on one file) exclude each other too, and the kernel drops the lock
 * of a process that dies. The wait runs on a libuv thread-pool thread, off the event loop.
 *
 * It is advisory, like the board: the transaction is still SQLite's. A writer that does not use
 * the gate (the sqlite3 shell) is met by the busy path as before, and a gate that cannot be
 * opened or fails leaves the store on that path alone.
 *
 * A native wait cannot be cancelled, so there is at most one per connection: a writer that gives
 * up (its deadline passed) leaves it running, and when it is granted with nobody left to use it
 * the lock is released at once. The thread is blocked only while another writer holds the lock,
 * which is the length of one transaction.
 */
export class WriteGate {
  private holding = false;
  /** When the gate was taken (`performance.now()`), while held. */
  private since = 0;
  private pending: Promise<void> | undefined;
  /** Whether a caller is waiting for `pending` now (otherwise a grant is released at once). */
  private wanted = false;
  private failed = false;
  private closing = false;

  private constructor(private readonly fd: number) {}

  /** The gate beside `dbPath`, or none when its file cannot be opened (another user's, read-only). */
  static tryOpen(dbPath: string): WriteGate | undefined {
    try {
      return new WriteGate(openSync(`${dbPath}-mxwait`, constants.O_RDWR | constants.O_CREAT, 0o644));
    } catch {
      return undefined;
    }
  }

  /** Whether this connection holds the gate. */
  get held(): boolean {
    return this.holding;
  }

  /** How long this connection has held the gate (0 when it does not). */
  heldMs(): number {
    return this.holding ? performance.now() - this.since : 0;
  }

  /** Takes the gate if it is free (or already held, or out of use); never waits. */
  tryEnter(): boolean {
    if (this.holding || this.failed) return true;
    if (this.pending) return false;
    try {
      if (tryLock(this.fd, GATE_OFFSET, 1)) this.take();
    } catch {
      this.failed = true;
      return true;
    }
    return this.holding;
  }

  /**
   * Waits for the gate until it is granted (true) or `until` (a `performance.now()` time) has
   * come (false; the wait goes on, and a later call picks it up).
   */
  async enter(until: number): Promise<boolean> {
    if (this.holding || this.failed) return true;
    this.pending ??= waitForLock(this.fd, GATE_OFFSET, 1).then(
      () => this.granted(),
      () => this.granted(true),
    );
    this.wanted = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pending, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, until - performance.now()))))]);
    clearTimeout(timer);
    this.wanted = false;
    // The grant may have come between the timer and this line: then the caller holds the gate.
    return this.holding || this.failed;
  }

  /** Lets the next writer in (no-op when not held). */
  leave(): void {
    if (!this.holding) return;
    this.holding = false;
    unlock(this.fd, GATE_OFFSET, 1);
  }

  /** Closes the file; a wait still under way keeps it open until it is granted, then releases. */
  close(): void {
    this.leave();
    this.closing = true;
    if (!this.pending) closeSync(this.fd);
  }

  private take(): void {
    this.holding = true;
    this.since = performance.now();
  }

  private granted(error = false): void {
    this.pending = undefined;
    if (error) this.failed = true;
    else if (this.wanted && !this.closing) this.take();
    else unlock(this.fd, GATE_OFFSET, 1);
    if (this.closing) closeSync(this.fd);
  }
}
