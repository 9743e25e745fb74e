import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';

const fileId = (path: string): string | undefined => {
  const s = statSync(path, { throwIfNoEntry: false });
  return s && `${s.dev}:${s.ino}`;
};

/**
 * Watches for the `-wal` and `-shm` files being deleted (or replaced) under an open connection —
 * a cleanup script, an operator "freeing space". SQLite does not notice: it goes on committing
 * into the unlinked WAL, so every write after that is acknowledged yet lost if the process dies,
 * and a process opening the file meanwhile meets a different WAL. Found after a commit (before
 * it is acknowledged), the WAL is checkpointed into the database file and the connection leaves
 * and re-enters WAL mode, which makes fresh files. If other connections keep the old ones open
 * the switch is refused; then each commit is checkpointed into the database before it is
 * acknowledged, and health says to restart the other processes.
 */
export class WalGuard {
  private ids: { wal: string | undefined; shm: string | undefined };
  private lastCheck = 0;
  private problem: string | undefined;
  private repaired: { at: number; count: number } | undefined;

  constructor(
    private readonly path: string,
    /** At most one look per this many ms (0: after every commit). */
    private readonly everyMs: number,
  ) {
    this.ids = this.current();
  }

  /** After each commit, before it is acknowledged. Never throws: the commit has happened. */
  afterCommit(db: Database.Database): void {
    const now = performance.now();
    if (this.problem === undefined && now - this.lastCheck < this.everyMs) return;
    this.lastCheck = now;
    if (this.problem === undefined && this.intact()) return;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const mode = String(db.pragma('journal_mode = DELETE', { simple: true }));
      if (mode !== 'delete') throw new Error(`journal_mode stayed ${mode}`);
      db.pragma('journal_mode = WAL');
      this.ids = this.current();
      this.problem = undefined;
      this.repaired = { at: Date.now(), count: (this.repaired?.count ?? 0) + 1 };
    } catch (e) {
      this.problem =
        `the WAL or shm file of ${this.path} was removed while open; each commit is checkpointed into the database until ` +
        `the other processes using it are restarted (${(e as Error).message})`;
    }
  }

  /** What the `wal` health check adds: undefined when nothing is wrong or was ever repaired. */
  status(): { ok: boolean; detail: string } | undefined {
    if (this.problem === undefined && !this.intact())
      return { ok: false, detail: `the WAL or shm file of ${this.path} was removed while open; the next commit repairs it` };
    if (this.problem !== undefined) return { ok: false, detail: this.problem };
    if (this.repaired)
      return {
        ok: true,
        detail: `WAL files removed while open were re-created ${this.repaired.count}x, last at ${new Date(this.repaired.at).toISOString()}`,
      };
    return undefined;
  }

  private intact(): boolean {
    const now = this.current();
    if (this.ids.wal === undefined && this.ids.shm === undefined) {
      this.ids = now; // not made yet when opened
      return true;
    }
    return now.wal === this.ids.wal && now.shm === this.ids.shm;
  }

  private current(): { wal: string | undefined; shm: string | undefined } {
    return { wal: fileId(`${this.path}-wal`), shm: fileId(`${this.path}-shm`) };
  }
}
