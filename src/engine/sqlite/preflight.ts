import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StorageError } from '../../errors.js';

const MAGIC = 'SQLite format 3\0';

/**
 * Looks at an existing file before SQLite opens it, so a file that is not a database at all is
 * refused without the driver ever writing to it (opening a WAL database may write; we must not
 * do that to someone's JSON dump).
 */
export function preflight(path: string): 'absent' | 'empty' | 'sqlite' {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new StorageError(`${path} is not a regular file`, 'SQLITE_CANTOPEN');
    size = st.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    if (e instanceof StorageError) throw e;
    throw new StorageError(`cannot read ${path}: ${(e as Error).message}`, 'SQLITE_CANTOPEN', { cause: e });
  }
  if (size === 0) return 'empty';
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 512 || header.toString('latin1') !== MAGIC) {
    throw new StorageError(`${path} is not a Memex database (not an SQLite file); it was left untouched`, 'SQLITE_NOTADB');
  }
  return 'sqlite';
}
