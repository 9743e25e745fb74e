import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { tryLock, unlock, waitForLock } from 'fs-native-extensions';
import { LockTimeoutError } from '../../errors.js';

/**
 * The byte of `<db>-mxwait` that opening locks: past the wait board's slots (first 1 KiB) and the
 * write gate's byte (4096), so an open never waits for a writer, only for another open.
 */
export const OPEN_OFFSET = 4097;

/** What the caller learns about the lock file, so a refused foreign file leaves no sibling behind. */
export interface OpenLockInfo {
  /** This open created `<db>-mxwait` (it did not exist before). */
  readonly created: boolean;
}

/**
 * Runs `fn` (creating the file, switching it to WAL, migrating, checking) while no other Memex
 * connection — another process, worker thread or store in this process — is opening the same
 * file. SQLite does not call its busy handler in every case while a file is being created or
 * switched to WAL (it returns SQLITE_BUSY at once to avoid a deadlock), so concurrent opens of a
 * new file failed with "database is locked" (issue 36). An open-file-description lock queues in
 * the kernel, the wait runs on a thread-pool thread, and the kernel drops the lock of a process
 * that dies mid-open.
 *
 * Waits until `deadline` (a `performance.now()` time), then throws `LockTimeoutError`. The native
 * wait cannot be cancelled: a grant that comes after the caller gave up is released at once.
 * Where the lock file cannot be made (read-only directory, `:memory:`) `fn` runs unguarded and the
 * caller's retry on SQLITE_BUSY is what remains.
 */
export async function withOpenLock<T>(dbPath: string, deadline: number, fn: (info: OpenLockInfo) => Promise<T>): Promise<T> {
  const file = dbPath === ':memory:' ? undefined : openLockFile(`${dbPath}-mxwait`);
  if (!file) return fn({ created: false });
  const { fd, created } = file;
  let locked: boolean;
  try {
    locked = tryLock(fd, OPEN_OFFSET, 1) || (await waitUntil(fd, deadline, dbPath));
  } catch (e) {
    if (e instanceof LockTimeoutError) throw e;
    // Locks unsupported here (some network file systems): open unguarded, as before the lock.
    closeSync(fd);
    return fn({ created });
  }
  try {
    return await fn({ created });
  } finally {
    if (locked) unlock(fd, OPEN_OFFSET, 1);
    closeSync(fd);
  }
}

/** Removes the lock file this open created, after the file turned out not to be a Memex store. */
export function removeOpenLockFile(dbPath: string): void {
  try {
    unlinkSync(`${dbPath}-mxwait`);
  } catch {
    // Already gone, or not ours to remove: harmless either way.
  }
}

function openLockFile(path: string): { fd: number; created: boolean } | undefined {
  try {
    return { fd: openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    return { fd: openSync(path, constants.O_RDWR), created: false };
  } catch {
    return undefined;
  }
}

/** Waits for the open lock on the thread pool until `deadline`; true once granted. */
async function waitUntil(fd: number, deadline: number, dbPath: string): Promise<boolean> {
  const started = performance.now();
  let gaveUp = false;
  let granted = false;
  const wait = waitForLock(fd, OPEN_OFFSET, 1).then(() => {
    granted = true;
    // Granted after the caller gave up: nobody will use it, so let the next opener in.
    if (gaveUp) {
      unlock(fd, OPEN_OFFSET, 1);
      closeSync(fd);
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now()))));
  await Promise.race([wait, timeout]);
  clearTimeout(timer);
  if (granted) return true;
  gaveUp = true;
  // The fd stays open until the abandoned wait ends (closing it under a pending wait is unsafe).
  wait.catch(() => closeSync(fd));
  throw new LockTimeoutError(`another process to finish opening ${dbPath}`, performance.now() - started);
}
