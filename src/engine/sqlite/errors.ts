import { MemexError, StorageError } from '../../errors.js';

/** better-sqlite3's SqliteError carries the extended result code as a string. */
export function driverCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** SQLITE_BUSY and its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT): try again. */
export function isBusy(e: unknown): boolean {
  const c = driverCode(e);
  return c !== undefined && (c === 'SQLITE_BUSY' || c.startsWith('SQLITE_BUSY_') || c === 'SQLITE_LOCKED');
}

/** Driver errors become StorageError (code kept); Memex errors and a user callback's own errors pass through. */
export function toMemexError(e: unknown, what: string): Error {
  if (e instanceof MemexError) return e;
  const code = driverCode(e);
  if (code) return new StorageError(`${what}: ${(e as Error).message}`, code, { cause: e });
  return e instanceof Error ? e : new StorageError(`${what}: ${String(e)}`, undefined, { cause: e });
}
