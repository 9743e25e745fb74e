import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../../errors.js';
import { APPLICATION_ID } from '../../engine/sqlite/schema.js';
import { out, withStore, type LookFlags } from './look.js';

/** A full integrity check of a Memex SQLite file; throws a StorageError that says what is wrong. */
export function verifyCopy(file: string): { records: number } {
  if (!existsSync(file)) throw new StorageError(`${file} does not exist`, 'ENOENT');
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw new StorageError(`${file} is not a Memex database`, 'SQLITE_NOTADB');
    const r = String(db.pragma('integrity_check', { simple: true }));
    if (r !== 'ok') throw new StorageError(`${file} is corrupt (integrity_check: ${r})`, 'SQLITE_CORRUPT');
    return { records: (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n };
  } catch (e) {
    if (e instanceof StorageError) throw e;
    throw new StorageError(`${file} cannot be read as a database: ${(e as Error).message}`, (e as { code?: string }).code);
  } finally {
    db?.close();
  }
}

/**
 * `memex backup FILE`: SQLite's online backup (consistent while other processes write), then
 * the copy is opened and fully checked. PostgreSQL has no file to copy: that is refused with
 * the alternatives named.
 */
export const backup = (file: string, o: LookFlags) =>
  withStore(o, async (_s, mx) => {
    if (!mx.capabilities.backup) {
      throw new StorageError(
        'this store has no file to copy (PostgreSQL): take a Memex export with `memex export --out FILE`, or use pg_dump for the schema',
        'MEMEX_NO_BACKUP',
      );
    }
    if (existsSync(file)) throw new StorageError(`${file} already exists; give a new file name`, 'EEXIST');
    await mx.backup(file);
    const { records } = verifyCopy(file);
    const bytes = statSync(file).size;
    out(o, { file, bytes, records, integrity: 'ok' }, `backed up ${records} records to ${file} (${bytes} bytes, integrity ok)`);
  });

/** Whether another connection has `path` open: only a connection alone may leave WAL mode. */
function inUse(path: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    return String(db.pragma('journal_mode = DELETE', { simple: true })) !== 'delete';
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    // A corrupt or foreign target is what a restore is for; a busy one is in use.
    return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  } finally {
    db?.close();
  }
}

/**
 * `memex restore BACKUP --path TARGET`: the backup is checked first, a target some process has
 * open is refused, and the target is replaced by a rename (never half written). The saved vector
 * index beside the target belonged to the old records; it is removed and rebuilt on open.
 */
export function restore(backupFile: string, o: LookFlags): void {
  if (o.url !== undefined)
    throw new StorageError('restore writes a SQLite file: give --path, not --url (PostgreSQL: memex import)', 'MEMEX_NO_BACKUP');
  const target = o.path ?? './memex.db';
  const { records } = verifyCopy(backupFile);
  if (existsSync(target) && inUse(target)) {
    throw new StorageError(`${target} is open in another process; stop it before restoring (nothing was changed)`, 'SQLITE_BUSY');
  }
  const tmp = `${target}.restoring`;
  copyFileSync(backupFile, tmp);
  const fd = openSync(tmp, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  for (const f of [`${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, target);
  const dir = openSync(dirname(target), 'r');
  fsyncSync(dir);
  closeSync(dir);
  rmSync(`${target}-vectors`, { recursive: true, force: true });
  out(o, { target, records, integrity: 'ok' }, `restored ${records} records into ${target} (integrity ok)`);
}
