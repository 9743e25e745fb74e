// I/O errors, a read-only database and a failing commit, injected at the driver boundary
// (test/helpers/driver-faults.ts): each call fails with a StorageError naming SQLite's code,
// nothing acknowledged is lost, nothing is half written, reads go on, and the store recovers by
// itself once the fault is gone. A real full disk is in filesystem.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, StorageError, type Memex } from '../../src/index.js';
import { DriverFaults } from '../helpers/driver-faults.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

async function open(faults: DriverFaults, path = tempDbPath()): Promise<{ mx: Memex; path: string }> {
  return { mx: await openMemex({ engine: faults.engine({ path, durability: 'normal' }) }), path };
}

const writesCheck = async (mx: Memex) => (await mx.health()).checks.find((c) => c.name === 'writes')!;

describe('an I/O error on read', () => {
  it('fails that read with SQLITE_IOERR_READ; the next read works', async () => {
    const faults = new DriverFaults();
    const { mx } = await open(faults);
    await mx.kv.set('a', 1);
    faults.failNth(1, ['read'], 'SQLITE_IOERR_READ');
    const err = await mx.kv.get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_IOERR_READ' });
    expect(faults.thrown).toBe(1);
    expect(await mx.kv.get('a')).toBe(1);
    await mx.close();
  });

  it('a failing disk under reads shows in health (storage check) and clears by itself', async () => {
    const faults = new DriverFaults();
    const { mx } = await open(faults);
    faults.failAll(['read'], 'SQLITE_IOERR_SHORT_READ');
    const h = await mx.health();
    expect(h.ok).toBe(false);
    expect(h.checks.find((c) => c.name === 'storage')).toMatchObject({ ok: false });
    faults.clear();
    expect((await mx.health()).ok).toBe(true);
    await mx.close();
  });
});

describe('an I/O error on write', () => {
  // Every write statement of one kv.set, in turn, with SQLite leaving the transaction open and
  // with SQLite rolling it back by itself: either way the set fails whole and the next one works.
  for (const rollsBack of [false, true]) {
    it(`at each statement of a write (${rollsBack ? 'SQLite rolls back' : 'transaction left open'})`, async () => {
      const faults = new DriverFaults();
      const { mx, path } = await open(faults);
      const v1 = await mx.kv.set('k', 'before');
      const seq = await mx.events.lastSeq();
      let failures = 0;
      for (let n = 1; ; n++) {
        faults.clear();
        faults.failNth(n, ['write', 'commit'], 'SQLITE_IOERR_WRITE', rollsBack);
        const r = await mx.kv.set('k', `after ${n}`).then(
          () => 'ok',
          (e: unknown) => e,
        );
        if (r === 'ok') {
          faults.clear(); // n is past the last statement: the set went through
          break;
        }
        failures++;
        expect(r).toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_IOERR_WRITE' });
        expect(await mx.kv.getEntry('k')).toMatchObject({ value: 'before', version: v1.version });
        expect(await mx.events.lastSeq()).toBe(seq);
      }
      expect(failures).toBeGreaterThanOrEqual(3); // event, record, commit at least
      expect(await mx.kv.get('k')).toBe(`after ${failures + 1}`);
      await mx.close();
      const again = await openMemex({ path });
      expect(await again.kv.get('k')).toBe(`after ${failures + 1}`);
      expect(await again.events.since(seq, { store: 'kv' })).toHaveLength(1);
      await again.close();
    });
  }

  it('in a group commit, only the write whose statement failed fails; the others are kept', async () => {
    const faults = new DriverFaults();
    const { mx, path } = await open(faults);
    await mx.kv.set('warm', 0);
    faults.failNth(7, ['write'], 'SQLITE_IOERR_WRITE', true);
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => mx.kv.set(`g${i}`, i)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toHaveLength(1);
    expect((results[failed[0]!] as PromiseRejectedResult).reason).toMatchObject({ driverCode: 'SQLITE_IOERR_WRITE' });
    await mx.close();
    const again = await openMemex({ path });
    for (let i = 0; i < 16; i++) expect(await again.kv.get(`g${i}`)).toBe(failed.includes(i) ? undefined : i);
    await again.close();
  });

  it('a read inside a group that makes SQLite roll back fails only its own write; the rest run again', async () => {
    const faults = new DriverFaults();
    const { mx, path } = await open(faults);
    await mx.kv.set('warm', 0);
    // Compare-and-set reads before it writes: the 5th write's read fails, SQLite undoes the group.
    faults.failNth(5, ['read'], 'SQLITE_IOERR_READ', true);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => mx.kv.set(`c${i}`, i, { ifVersion: 0 })));
    expect(results.map((r) => r.status).filter((s) => s === 'rejected')).toHaveLength(1);
    const failed = results.findIndex((r) => r.status === 'rejected');
    expect((results[failed] as PromiseRejectedResult).reason).toMatchObject({ driverCode: 'SQLITE_IOERR_READ' });
    await mx.close();
    const again = await openMemex({ path });
    for (let i = 0; i < 12; i++) expect(await again.kv.get(`c${i}`)).toBe(i === failed ? undefined : i);
    await again.close();
  });

  it('remember() failing at any write leaves no message, no vector and no profile change', async () => {
    const faults = new DriverFaults();
    const { mx } = await open(faults);
    const input = { userId: 'u1', threadId: 't1', message: 'I like Python', response: 'Noted!' };
    let n = 1;
    for (; ; n++) {
      faults.clear();
      faults.failNth(n, ['write', 'commit'], 'SQLITE_IOERR_WRITE', n % 2 === 0);
      const ok = await mx.remember(input).then(
        () => true,
        (e: unknown) => {
          expect(e).toMatchObject({ driverCode: 'SQLITE_IOERR_WRITE' });
          return false;
        },
      );
      if (ok) {
        faults.clear();
        break;
      }
      expect(await mx.conversations.recent('t1')).toEqual([]);
      expect(await mx.vectors.count()).toBe(0);
      expect(await mx.profiles.get('u1')).toBeUndefined();
    }
    expect(n).toBeGreaterThan(4);
    expect((await mx.conversations.recent('t1')).map((m) => m.content)).toEqual(['I like Python', 'Noted!']);
    expect(await mx.vectors.count()).toBe(2);
    await mx.close();
  });

  it('a commit that fails (fsync) is not acknowledged and not visible', async () => {
    const faults = new DriverFaults();
    const { mx, path } = await open(faults);
    faults.failNth(1, ['commit'], 'SQLITE_IOERR_FSYNC');
    await expect(mx.kv.set('c', 1)).rejects.toMatchObject({ driverCode: 'SQLITE_IOERR_FSYNC' });
    expect(await mx.kv.has('c')).toBe(false);
    await mx.kv.set('d', 2);
    await mx.close();
    const again = await openMemex({ path });
    expect(await again.kv.has('c')).toBe(false);
    expect(await again.kv.get('d')).toBe(2);
    await again.close();
  });

  it('a failing BEGIN fails the waiting writes, and the next write works', async () => {
    const faults = new DriverFaults();
    const { mx } = await open(faults);
    faults.failNth(1, ['begin'], 'SQLITE_IOERR_READ');
    const r = await Promise.allSettled([mx.kv.set('x', 1), mx.kv.set('y', 2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(await mx.kv.has('x')).toBe(false);
    await mx.kv.set('x', 3);
    expect(await mx.kv.get('x')).toBe(3);
    await mx.close();
  });
});

describe('a database that became read-only', () => {
  it('writes fail with SQLITE_READONLY, health is red, reads work; writable again, it recovers', async () => {
    const faults = new DriverFaults();
    const { mx } = await open(faults);
    await mx.kv.set('a', 1);
    await mx.conversations.append('t', { role: 'user', content: 'hello' });
    faults.failAll(['write'], 'SQLITE_READONLY');
    await expect(mx.kv.set('b', 2)).rejects.toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_READONLY' });
    await expect(mx.conversations.append('t', { role: 'user', content: 'lost?' })).rejects.toMatchObject({ driverCode: 'SQLITE_READONLY' });
    await expect(mx.vectors.upsert({ id: 'v', vector: [1, 0, 0] })).rejects.toMatchObject({ driverCode: 'SQLITE_READONLY' });
    expect(await writesCheck(mx)).toMatchObject({ ok: false, value: 3 });
    expect((await mx.health()).ok).toBe(false);
    expect((await mx.stats()).storageErrors).toEqual({ SQLITE_READONLY: 3 });
    expect(await mx.kv.get('a')).toBe(1);
    expect((await mx.conversations.recent('t')).map((m) => m.content)).toEqual(['hello']);

    faults.clear();
    await mx.kv.set('b', 2);
    expect(await mx.kv.get('b')).toBe(2);
    expect((await mx.health()).ok).toBe(true);
    await mx.close();
  });
});
