import Database from 'better-sqlite3';
import { StorageError } from '../../errors.js';
import { driverCode, toMemexError } from './errors.js';
import { preflight } from './preflight.js';
import { APPLICATION_ID, SCHEMA_VERSION, migrate } from './schema.js';

export interface OpenOptions {
  readonly path: string;
  readonly durability: 'full' | 'normal';
  readonly lockTimeoutMs: number;
  readonly checkOnOpen: 'quick' | 'none';
  /** SQLite's busy timeout while opening; default `lockTimeoutMs`. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (or creates) a Memex SQLite file and brings its schema up to date.
 * A file that is not a Memex database, or is corrupt, is refused with a StorageError and left
 * byte-for-byte as it was: nothing is written before the file is known to be ours.
 */
export function openDatabase(o: OpenOptions): Database.Database {
  const memory = o.path === ':memory:';
  const state = memory ? 'absent' : preflight(o.path);
  let db: Database.Database;
  try {
    db = new Database(o.path);
  } catch (e) {
    throw toMemexError(e, `cannot open ${o.path}`);
  }
  try {
    // SQLite's own busy handler only while opening: several processes may open at once, and the
    // WAL switch and migration need brief exclusive access. Afterwards the write queue waits.
    db.pragma(`busy_timeout = ${Math.max(1, Math.round(o.busyTimeoutMs ?? o.lockTimeoutMs))}`);
    if (state === 'sqlite') assertOurs(db, o.path);
    if (state === 'sqlite' && o.checkOnOpen === 'quick') {
      const r = db.pragma('quick_check', { simple: true });
      if (r !== 'ok') throw new StorageError(`${o.path} is corrupt (quick_check: ${String(r)}); it was left untouched`, 'SQLITE_CORRUPT');
    }
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // Keeps the WAL file from staying huge after a burst once it has been checkpointed.
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    ensureSchema(db, o.path);
    db.pragma('busy_timeout = 0');
    return db;
  } catch (e) {
    db.close();
    const err = toMemexError(e, `cannot open ${o.path}`);
    if (err instanceof StorageError && (driverCode(e) === 'SQLITE_CORRUPT' || driverCode(e) === 'SQLITE_NOTADB')) {
      throw new StorageError(`${o.path} is corrupt or not a database; it was left untouched`, driverCode(e), { cause: e });
    }
    throw err;
  }
}

function assertOurs(db: Database.Database, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId === APPLICATION_ID) return;
  const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  if (appId !== 0 || objects > 0) {
    throw new StorageError(`${path} is an SQLite database but not a Memex database; it was left untouched`, 'SQLITE_NOTADB');
  }
}

function ensureSchema(db: Database.Database, path: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new StorageError(`${path} has schema version ${from}, newer than this Memex (${SCHEMA_VERSION}); upgrade Memex`, 'SQLITE_SCHEMA');
    }
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (from === 0 && appId !== 0 && appId !== APPLICATION_ID) throw new StorageError(`${path} is not a Memex database`, 'SQLITE_NOTADB');
    migrate(db, from);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
