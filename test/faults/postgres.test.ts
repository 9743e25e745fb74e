// Faults of the PostgreSQL engine, made real on the server .ci/run starts, each confined to a
// database of its own so that other tests' sessions are untouched: the store's sessions ended
// by the server (57P01, a restart or an operator), a database turned read-only (25006, what a
// failover to a standby looks like), and a full disk (53100) — a tablespace on a 4 MiB tmpfs
// the test mounts (CI runs as root). Each: a typed StorageError with the SQLSTATE, nothing
// acknowledged lost, reads go on where they can, health tells, and it recovers with no restart.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openMemex, StorageError, type Memex } from '../../src/index.js';
import pg from 'pg';
import { lockKeys, LOCK_CLASS } from '../../src/engine/postgres/schema.js';
import { adminQuery, PG_URL } from '../helpers/pg.js';

const opened: Memex[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const m of opened.splice(0)) await m.close().catch(() => undefined);
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let n = 0;
/** A database of its own, dropped after the test. */
async function freshDatabase(options = ''): Promise<{ name: string; url: string }> {
  const name = `memex_fault_${process.pid}_${n++}`;
  await adminQuery(`CREATE DATABASE ${name} ${options}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined));
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function open(url: string): Promise<Memex> {
  const mx = await openMemex({ url, schema: 'memex' });
  opened.push(mx);
  return mx;
}

/** Ends every session the store has open, as a server restart or an operator would. */
const endSessions = (db: string) =>
  adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db]);

const check = async (mx: Memex, name: string) => (await mx.health()).checks.find((c) => c.name === name)!;

describe('PostgreSQL faults', () => {
  it('sessions ended by the server: that call fails (57P01 or a reset), the pool reconnects by itself', async () => {
    const db = await freshDatabase();
    const mx = await open(db.url);
    await mx.kv.set('a', 1);
    // A write in flight when the sessions end: it waits in its session for the schema's write
    // lock, which another client holds, until the server ends that session under it.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    cleanups.push(() => holder.end().catch(() => undefined));
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, lockKeys('memex').write]);
    const inFlight = mx.kv.set('lost?', 0).catch((e: unknown) => e);
    const waiting = () =>
      adminQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = $1 AND l.locktype = 'advisory' AND NOT l.granted`,
        [db.name],
      ).then((r) => r[0]!.n);
    await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND pid <> pg_backend_pid()`, [
      db.name,
      holderPid,
    ]);
    const failures: string[] = [];
    const cut = await inFlight;
    expect(cut, 'the write whose session was ended').toBeInstanceOf(StorageError);
    failures.push((cut as StorageError).driverCode ?? '');
    await holder.query('ROLLBACK');
    // The first calls may meet the dead sessions; each fails typed and the next ones reconnect.
    for (let i = 0; i < 5; i++) {
      const r = await mx.kv.set(`b${i}`, i).then(
        () => 'ok',
        (e: unknown) => {
          expect(e).toBeInstanceOf(StorageError);
          return (e as StorageError).driverCode ?? '';
        },
      );
      if (r !== 'ok') failures.push(r);
    }
    for (const code of failures) expect(['57P01', 'ECONNRESET', '08006', '08003']).toContain(code);
    expect(await mx.kv.get('a')).toBe(1);
    expect(await mx.kv.has('lost?'), 'the write cut with its session left nothing').toBe(false);
    expect(await mx.kv.get('b4')).toBe(4);
    expect((await mx.health()).ok).toBe(true);
  });

  it('a read-only database (25006): writes fail typed, reads work, health red; writable again, it recovers', async () => {
    const db = await freshDatabase();
    const mx = await open(db.url);
    await mx.kv.set('a', 1);
    await mx.conversations.append('t', { role: 'user', content: 'hello' });
    await adminQuery(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    await endSessions(db.name); // new sessions take the setting, as after a failover

    let err: unknown;
    for (let i = 0; i < 5 && !(err instanceof StorageError && err.driverCode === '25006'); i++) {
      err = await mx.kv.set('b', 2).catch((e: unknown) => e);
    }
    expect(err).toMatchObject({ code: 'storage_error', driverCode: '25006' });
    await expect(mx.conversations.append('t', { role: 'user', content: 'refused' })).rejects.toMatchObject({ driverCode: '25006' });
    expect(await mx.kv.get('a')).toBe(1);
    expect((await mx.conversations.recent('t')).map((m) => m.content)).toEqual(['hello']);
    expect(await check(mx, 'writes')).toMatchObject({ ok: false });
    expect((await mx.stats()).storageErrors['25006']).toBeGreaterThanOrEqual(2);

    await adminQuery(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
    // A session that met 25006 is not reused, nor are the idle ones opened before it: the next
    // write opens a session that is writable. The refused writes left nothing behind.
    await mx.conversations.append('t', { role: 'user', content: 'after' });
    expect((await mx.conversations.recent('t')).map((m) => m.content)).toEqual(['hello', 'after']);
    expect(await mx.kv.has('b')).toBe(false);
    await mx.kv.set('b', 2);
    expect(await mx.kv.get('b')).toBe(2);
    expect((await mx.health()).ok).toBe(true);
  });

  it('a full disk (53100 on a 4 MiB tablespace): acknowledged writes kept, reads work; space freed, writes resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memex-pgfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', dir]);
    cleanups.push(() => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    const space = join(dir, 'pg');
    execFileSync('mkdir', [space]);
    chownSync(dir, uid, gid);
    chownSync(space, uid, gid);
    const ts = `memex_fault_ts_${process.pid}`;
    await adminQuery(`CREATE TABLESPACE ${ts} LOCATION '${space}'`);
    cleanups.push(() => adminQuery(`DROP TABLESPACE IF EXISTS ${ts}`).then(() => undefined));
    const db = await freshDatabase();
    await adminQuery(`ALTER DATABASE ${db.name} SET default_tablespace = ${ts}`);
    const filler = join(dir, 'filler');
    writeFileSync(filler, Buffer.alloc(1024 * 1024, 1));

    const mx = await open(db.url);
    const acked = new Map<string, string>();
    let failure: unknown;
    for (let i = 0; i < 2000 && failure === undefined; i++) {
      const value = randomBytes(24 * 1024).toString('base64'); // incompressible: TOAST takes real pages
      await mx.kv.set(`k${i}`, value).then(
        () => acked.set(`k${i}`, value),
        (e: unknown) => (failure = e),
      );
    }
    expect(failure).toBeInstanceOf(StorageError);
    expect(failure).toMatchObject({ code: 'storage_error', driverCode: '53100' });
    expect(acked.size).toBeGreaterThan(10);
    for (const [k, v] of acked) expect(await mx.kv.get(k)).toBe(v);
    expect(await check(mx, 'writes')).toMatchObject({ ok: false });

    rmSync(filler); // the operator frees space
    await mx.kv.set('after', 'space freed');
    expect(await mx.kv.get('after')).toBe('space freed');
    expect((await mx.health()).ok).toBe(true);
  });
});
