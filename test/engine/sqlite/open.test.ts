import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, StorageError, openMemex } from '../../../src/index.js';
import { tryLock, unlock } from 'fs-native-extensions';
import { OPEN_OFFSET } from '../../../src/engine/sqlite/open-lock.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../../src/engine/sqlite/schema.js';
import { here, spawnScript, watchChild } from '../../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../../helpers/tmp.js';

afterEach(cleanupTemp);

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Opening must fail with StorageError and leave the file (and its neighbours) exactly as they were. */
async function refused(path: string, driverCode: string): Promise<StorageError> {
  const before = digest(path);
  const hadLockFile = existsSync(`${path}-mxwait`);
  const err = await openMemex({ path }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  const se = err as StorageError;
  expect(se.code).toBe('storage_error');
  expect(se.driverCode).toBe(driverCode);
  expect(se.message).toContain('left untouched');
  expect(digest(path)).toBe(before);
  expect(existsSync(`${path}-wal`)).toBe(false);
  // The open lock's file made beside it goes again: a refused file gets no new neighbour.
  expect(existsSync(`${path}-mxwait`)).toBe(hadLockFile);
  return se;
}

describe('opening files that are not ours', () => {
  it('a JSON dump is refused and left byte-for-byte untouched', async () => {
    const path = tempDbPath('memory.json');
    writeFileSync(path, JSON.stringify({ sessions: Array.from({ length: 100 }, (_, i) => ({ id: i, text: 'x'.repeat(50) })) }));
    await refused(path, 'SQLITE_NOTADB');
  });

  it('random bytes are refused and left untouched', async () => {
    const path = tempDbPath();
    writeFileSync(path, randomFillSync(Buffer.alloc(8192)));
    await refused(path, 'SQLITE_NOTADB');
  });

  it("another application's SQLite database is refused and left untouched", async () => {
    const path = tempDbPath('other.db');
    const db = new Database(path);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');");
    db.close();
    const e = await refused(path, 'SQLITE_NOTADB');
    expect(e.message).toContain('not a Memex database');
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT body FROM notes').pluck().get()).toBe('keep me');
    check.close();
  });

  it('a corrupt Memex database is refused (quick_check) and left untouched', async () => {
    const path = tempDbPath();
    const mx = await openMemex({ path });
    await mx.kv.setMany(Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: { i, pad: 'p'.repeat(200) } })));
    await mx.close();
    // Scribble over pages 3 and 4 (b-tree pages), keeping the file header and schema page intact.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 8192);
    closeSync(fd);
    await refused(path, 'SQLITE_CORRUPT');
  });

  it('a Memex database written by a newer schema is refused', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    const before = digest(path);
    const err = await openMemex({ path }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain('newer');
    expect(digest(path)).toBe(before);
  });
});

describe('opening our own files', () => {
  it('a database of schema version 1 is migrated to the current version with its data intact', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    db.exec(MIGRATIONS[0]!);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO events (at, ns, store, key, op) VALUES (1, 'default', 'kv', 'old', 'set')").run();
    db.prepare(
      "INSERT INTO records (ns, store, key, value, version, created_at, updated_at) VALUES ('default', 'kv', 'old', '\"kept\"', 1, 1, 1)",
    ).run();
    db.close();
    const mx = await openMemex({ path });
    expect(await mx.kv.get('old')).toBe('kept');
    const { version } = await mx.kv.set('new', 1);
    expect(version).toBe(2);
    await mx.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('an empty file becomes a Memex database', async () => {
    const path = tempDbPath();
    writeFileSync(path, '');
    const mx = await openMemex({ path });
    await mx.kv.set('k', 1);
    await mx.close();
    const again = await openMemex({ path });
    expect(await again.kv.get('k')).toBe(1);
    expect((await again.health()).ok).toBe(true);
    await again.close();
  });

  it('four processes creating the same new file at once all succeed and none loses a write', async () => {
    const path = tempDbPath();
    const racer = here(import.meta.url, '../../fixtures/cas-racer.ts');
    // All four start at once and open the new file together; each races as soon as it has opened
    // (its 'go' is waiting in the pipe).
    const outs = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const child = spawnScript(racer, [path, '2', '10']);
        child.stdin!.end('go\n');
        const lines: string[] = [];
        const exit = await watchChild(child, (l) => lines.push(l));
        expect(exit.code, exit.stderr).toBe(0);
        return lines;
      }),
    );
    const won = outs.flatMap((lines) => (JSON.parse(lines.at(-1)!) as { won: number[] }).won);
    const mx = await openMemex({ path });
    expect(await mx.kv.get('cas')).toBe(won.length);
    expect(won.length).toBeGreaterThan(0);
    await mx.close();
  });
});

describe('the open lock', () => {
  it('an open waits for another open of the same file, and gives up with LockTimeoutError after lockTimeoutMs', async () => {
    const path = tempDbPath();
    // Another opener holds the open lock (this fd is its own open file description).
    const fd = openSync(`${path}-mxwait`, 'a+');
    expect(tryLock(fd, OPEN_OFFSET, 1)).toBe(true);
    const started = performance.now();
    const err = await openMemex({ path, lockTimeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    // Nothing was created while it waited: the opener that holds the lock owns the creation.
    expect(existsSync(path)).toBe(false);
    // Released: the waiting open goes through.
    const waiting = openMemex({ path, lockTimeoutMs: 10_000 });
    unlock(fd, OPEN_OFFSET, 1);
    const mx = await waiting;
    await mx.kv.set('k', 1);
    await mx.close();
    closeSync(fd);
  });

  it('a file locked by a writer outside Memex makes an open wait, then LockTimeoutError — never SQLITE_BUSY', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const outside = new Database(path);
    outside.pragma('journal_mode = DELETE');
    outside.exec('BEGIN EXCLUSIVE');
    const err = await openMemex({ path, lockTimeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LockTimeoutError);
    // Let go while the next open waits: it goes through and switches the file back to WAL.
    const waiting = openMemex({ path, lockTimeoutMs: 10_000 });
    setTimeout(() => outside.exec('COMMIT'), 100);
    const mx = await waiting;
    await mx.kv.set('k', 1);
    await mx.close();
    outside.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();
  });
});
