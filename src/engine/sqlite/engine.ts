import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { ClosedError, LockTimeoutError, StorageError } from '../../errors.js';
import type { Engine, EngineCapabilities, EngineOpenOptions, EngineStats, HealthCheck, ReadTx, WriteTx } from '../types.js';
import { diskCheck } from './disk.js';
import { isBusy, toMemexError } from './errors.js';
import { openDatabase } from './open.js';
import { removeOpenLockFile, withOpenLock } from './open-lock.js';
import type { ResolvedSqliteSettings } from './options.js';
import { SqliteTx } from './tx.js';
import { WaitBoard } from './wait-board.js';
import { WalGuard } from './wal-guard.js';
import { WriteGate } from './write-gate.js';
import { WriteQueue } from './write-queue.js';

const canWrite = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether the database can be written again. SQLite made its -wal and -shm files with the
 * database's mode of the time, so after an operator's `chmod` of the database they are still
 * read-only (and a read-only -shm makes every connection read-only): ours get the database's
 * mode back, as SQLite would give them now.
 */
function writableAgain(path: string): boolean {
  if (!canWrite(path) || !canWrite(dirname(path))) return false;
  try {
    const { mode } = statSync(path);
    for (const f of [`${path}-wal`, `${path}-shm`]) {
      const s = statSync(f, { throwIfNoEntry: false });
      if (!s || canWrite(f)) continue;
      if (s.uid !== process.getuid?.()) return false;
      chmodSync(f, mode & 0o777);
    }
    return true;
  } catch {
    return false;
  }
}

export type SqliteEngineOptions = ResolvedSqliteSettings &
  EngineOpenOptions & {
    /** SQLite's busy timeout while opening (what is left of `lockTimeoutMs`); default `lockTimeoutMs`. */
    readonly busyTimeoutMs?: number;
  };

/** Internal seams for tests: fault injection wraps the connection before anything prepares on it. */
export interface SqliteEngineHooks {
  readonly wrapDatabase?: (db: Database.Database) => Database.Database;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const RECENT_TIMEOUT_WINDOW_MS = 60_000;
/** A connection defers to another waiter only when that one has waited this much longer. */
const FAIRNESS_GRACE_MS = 2;
/** With durability 'normal', how often a commit looks for removed WAL files ('full': every commit). */
const WAL_CHECK_EVERY_MS = 100;
const RECONNECT_EVERY_MS = 1000;
/** The longest pause between two tries of an open that SQLite answered with SQLITE_BUSY. */
const OPEN_RETRY_MAX_MS = 50;
/**
 * How long SQLite's own busy handler may block the thread in one try of an open: it sleeps on
 * the event loop's thread, where lease renewals and the caller's other work run, so the open is
 * retried on timers instead of waiting there for the whole `lockTimeoutMs`.
 */
const OPEN_BUSY_SLICE_MS = 50;

/** A file refused because it is not ours (or corrupt): the lock file made beside it goes again. */
const refusedAsForeign = (e: unknown): boolean =>
  e instanceof StorageError && (e.driverCode === 'SQLITE_NOTADB' || e.driverCode === 'SQLITE_CORRUPT' || e.driverCode === 'SQLITE_SCHEMA');

/**
 * The embedded engine: one better-sqlite3 connection per process or worker thread, WAL mode,
 * every write under BEGIN IMMEDIATE with group commit.
 */
export class SqliteEngine implements Engine {
  readonly kind = 'sqlite';
  readonly clockSource = 'given';
  readonly capabilities: EngineCapabilities;
  private db: Database.Database;
  private tx: SqliteTx;
  private readonly queue: WriteQueue;
  private readonly board: WaitBoard | undefined;
  private readonly gate: WriteGate | undefined;
  private readonly walGuard: WalGuard | undefined;
  private begin: Database.Statement;
  private commit: Database.Statement;
  private reads = 0;
  private lastReconnect = -Infinity;
  private closed = false;

  private constructor(
    private readonly o: SqliteEngineOptions,
    private readonly hooks: SqliteEngineHooks,
  ) {
    const file = o.path !== ':memory:';
    // durableFull is what this store, as opened, promises: 'normal' may lose the last commits on power loss.
    this.capabilities = {
      multiProcess: file,
      multiHost: false,
      durableFull: file && o.durability === 'full',
      backup: true,
      persistent: file,
      fullText: true,
    };
    ({ db: this.db, tx: this.tx, begin: this.begin, commit: this.commit } = this.connect(o));
    this.board = file ? WaitBoard.tryOpen(o.path, FAIRNESS_GRACE_MS) : undefined;
    this.gate = file ? WriteGate.tryOpen(o.path) : undefined;
    const guard = (this.walGuard = file ? new WalGuard(o.path, o.durability === 'full' ? 0 : WAL_CHECK_EVERY_MS) : undefined);
    this.queue = new WriteQueue(this.db, this.tx, {
      ...o,
      board: this.board,
      gate: this.gate,
      afterCommit: guard && (() => guard.afterCommit(this.db)),
      reconnect: file ? () => this.reconnect() : undefined,
    });
  }

  /** A connection with what reads prepare on it. */
  private connect(o: SqliteEngineOptions) {
    const opened = openDatabase(o);
    const db = this.hooks.wrapDatabase ? this.hooks.wrapDatabase(opened) : opened;
    return { db, tx: new SqliteTx(db), begin: db.prepare('BEGIN'), commit: db.prepare('COMMIT') };
  }

  /**
   * A connection SQLite opened read-only (the file or its directory was not writable then) stays
   * read-only for good. After a write failed with SQLITE_READONLY, once the file can be written
   * again, a new connection replaces it between two transactions — no restart.
   */
  private reconnect(): boolean {
    // access() is two cheap syscalls; opening is not, so a file that says it is writable but
    // still opens read-only (a read-only mount seen as root) is tried at most once a second.
    if (!writableAgain(this.o.path) || performance.now() - this.lastReconnect < RECONNECT_EVERY_MS) return false;
    this.lastReconnect = performance.now();
    // The old connection goes first: SQLite shares one shared-memory (-shm) mapping per file among
    // a process's connections, and the read-only one would make the new one read-only too.
    this.db.close();
    const reopen = () => this.connect({ ...this.o, checkOnOpen: 'none', busyTimeoutMs: undefined });
    let c: ReturnType<SqliteEngine['connect']>;
    try {
      c = reopen();
    } catch {
      c = reopen(); // once more; if this throws the waiting writes fail with its StorageError
    }
    ({ db: this.db, tx: this.tx, begin: this.begin, commit: this.commit } = c);
    this.queue.rebind(c.db, c.tx);
    return true;
  }

  /**
   * Opens the file under the open lock (see `withOpenLock`), and tries again with backoff while
   * SQLite still answers SQLITE_BUSY (a writer outside Memex, WAL recovery by another process),
   * until `lockTimeoutMs` has passed: then `LockTimeoutError`, never a "database is locked". Each
   * try lets SQLite's busy handler block for at most {@link OPEN_BUSY_SLICE_MS}.
   */
  static async open(o: SqliteEngineOptions, hooks: SqliteEngineHooks = {}): Promise<SqliteEngine> {
    const started = performance.now();
    const deadline = started + o.lockTimeoutMs;
    return withOpenLock(o.path, deadline, async ({ created }) => {
      for (let delay = 1; ; delay = Math.min(delay * 2, OPEN_RETRY_MAX_MS)) {
        try {
          return new SqliteEngine({ ...o, busyTimeoutMs: Math.max(1, Math.min(OPEN_BUSY_SLICE_MS, deadline - performance.now())) }, hooks);
        } catch (e) {
          if (created && refusedAsForeign(e)) removeOpenLockFile(o.path);
          if (!(e instanceof StorageError && isBusy({ code: e.driverCode }))) throw e;
          if (performance.now() + delay >= deadline) {
            throw new LockTimeoutError(`${o.path} to be opened (SQLite stayed busy)`, performance.now() - started);
          }
          await sleep(delay);
        }
      }
    });
  }

  derivedPath(name: string): string | undefined {
    return this.o.path === ':memory:' ? undefined : `${this.o.path}-${name}`;
  }

  read<T>(fn: (tx: ReadTx) => T): Promise<T> {
    return this.reading(fn, false);
  }

  snapshot<T>(fn: (tx: ReadTx) => T): Promise<T> {
    return this.reading(fn, true);
  }

  private reading<T>(fn: (tx: ReadTx) => T, snapshot: boolean): Promise<T> {
    try {
      return Promise.resolve(this.readOnce(fn, snapshot));
    } catch (e) {
      return isBusy(e) ? this.readRetrying(fn, snapshot) : Promise.reject(toMemexError(e, 'read failed'));
    }
  }

  /** A reader meets SQLITE_BUSY only while another connection recovers the WAL: retry briefly. */
  private async readRetrying<T>(fn: (tx: ReadTx) => T, snapshot: boolean): Promise<T> {
    const deadline = performance.now() + this.o.lockTimeoutMs;
    for (;;) {
      await sleep(1);
      try {
        return this.readOnce(fn, snapshot);
      } catch (e) {
        if (!isBusy(e)) throw toMemexError(e, 'read failed');
        if (performance.now() > deadline) throw new LockTimeoutError('a consistent read (WAL recovery)', this.o.lockTimeoutMs);
      }
    }
  }

  private readOnce<T>(fn: (tx: ReadTx) => T, snapshot: boolean): T {
    this.assertOpen();
    this.reads++;
    this.tx.now = this.o.clock();
    if (!snapshot) return fn(this.tx);
    // Synchronous from BEGIN to COMMIT: a snapshot never spans an await, so it never pins the WAL.
    this.begin.run();
    try {
      return fn(this.tx);
    } finally {
      if (this.db.inTransaction) this.commit.run();
    }
  }

  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    this.assertOpen();
    return this.queue.enqueue(fn);
  }

  stats(): EngineStats {
    return this.queue.statsWith(this.reads);
  }

  async health(): Promise<HealthCheck[]> {
    this.assertOpen();
    const checks: HealthCheck[] = [];
    const attempt = (name: string, f: () => HealthCheck) => {
      try {
        checks.push(f());
      } catch (e) {
        checks.push({ name, ok: false, detail: (e as Error).message });
      }
    };
    attempt('storage', () => {
      this.db.prepare('SELECT 1').get();
      // The pragmas durability depends on, read back from the connection (not from the options).
      const journal = String(this.db.pragma('journal_mode', { simple: true }));
      const sync = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][Number(this.db.pragma('synchronous', { simple: true }))] ?? 'unknown';
      return { name: 'storage', ok: true, detail: `sqlite ${this.sqliteVersion()} at ${this.o.path}, journal_mode=${journal}, synchronous=${sync}` };
    });
    attempt('durability', () => {
      // Read back from the connection: what a commit's acknowledgement means on this file.
      const journal = String(this.db.pragma('journal_mode', { simple: true }));
      const sync = Number(this.db.pragma('synchronous', { simple: true }));
      const settings = `journal_mode=${journal}, synchronous=${['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync] ?? sync}`;
      if (this.o.path === ':memory:') return { name: 'durability', ok: true, detail: `none: an in-memory store (${settings})` };
      const full = journal === 'wal' && sync >= 2;
      return {
        name: 'durability',
        ok: full === (this.o.durability === 'full'),
        detail: full
          ? `full: every commit is flushed before it is acknowledged (${settings})`
          : `normal: the last commits may be lost on power loss, not on a crash (${settings})`,
      };
    });
    attempt('integrity', () => {
      const r = this.db.pragma('quick_check', { simple: true });
      return { name: 'integrity', ok: r === 'ok', detail: `quick_check: ${String(r)}` };
    });
    attempt('wal', () => {
      const size = this.walBytes();
      const files = this.walGuard?.status();
      const detail = `WAL ${size} bytes (warn above ${this.o.walWarnBytes})${files ? `; ${files.detail}` : ''}`;
      return { name: 'wal', ok: size <= this.o.walWarnBytes && (files?.ok ?? true), detail };
    });
    if (this.o.path !== ':memory:') attempt('disk', () => diskCheck(dirname(this.o.path), this.o.minFreeBytes));
    const cutoff = Date.now() - RECENT_TIMEOUT_WINDOW_MS;
    const recent = this.queue.recentTimeouts.filter((t) => t >= cutoff).length;
    checks.push({ name: 'lockTimeouts', ok: recent === 0, detail: `${recent} lock timeouts in the last 60 s` });
    return checks;
  }

  async backup(path: string): Promise<void> {
    this.assertOpen();
    try {
      // After the first step the rest goes in one: SQLite restarts a stepped backup whenever
      // another connection writes between steps, so under steady writes it never finished.
      await this.db.backup(path, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    } catch (e) {
      throw toMemexError(e, `backup to ${path} failed`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    this.board?.close();
    this.gate?.close();
    this.db.close();
  }

  private walBytes(): number {
    if (this.o.path === ':memory:') return 0;
    try {
      return statSync(`${this.o.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  private sqliteVersion(): string {
    return (this.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}
