// health() tells the truth while writes fail (issue 13's first finding: a full disk left health
// ok: true). The fault is injected at the seam — the engine's write rejects with the StorageError
// SQLite gives for a full disk — which is what every store sees of a real one.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, sqliteEngine, StorageError, type Engine, type EngineFactory } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

/** The SQLite engine, whose writes fail with SQLITE_FULL while `fault.on`. */
function faulty(path: string, fault: { on: boolean }): EngineFactory {
  const real = sqliteEngine({ path, durability: 'normal' });
  return {
    kind: 'sqlite',
    open: async (o) => {
      const e: Engine = await real.open(o);
      const write = e.write.bind(e);
      return Object.assign(Object.create(e) as Engine, {
        write: (fn: Parameters<Engine['write']>[0]) =>
          fault.on ? Promise.reject(new StorageError('database or disk is full', 'SQLITE_FULL')) : write(fn),
      });
    },
  };
}

describe('health while writes fail', () => {
  it('is not ok while writes fail, names the code, counts it in stats, and recovers by itself', async () => {
    const fault = { on: false };
    const mx = await openMemex({ engine: faulty(tempDbPath(), fault) });
    await mx.kv.set('a', 1);
    expect((await mx.health()).checks.find((c) => c.name === 'writes')).toMatchObject({ ok: true, detail: 'no write has failed' });

    fault.on = true;
    await expect(mx.kv.set('b', 2)).rejects.toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_FULL' });
    await expect(mx.conversations.append('t', { role: 'user', content: 'x' })).rejects.toBeInstanceOf(StorageError);
    const failing = await mx.health();
    expect(failing.ok).toBe(false);
    expect(failing.checks.find((c) => c.name === 'writes')).toMatchObject({ ok: false, value: 2 });
    expect(failing.checks.find((c) => c.name === 'writes')!.detail).toContain('SQLITE_FULL');
    expect((await mx.stats()).storageErrors).toEqual({ SQLITE_FULL: 2 });
    expect(await mx.kv.get('a')).toBe(1); // reads keep working
    expect(await mx.kv.has('b')).toBe(false); // nothing half written

    fault.on = false; // space freed
    await mx.kv.set('b', 2);
    const healed = await mx.health();
    expect(healed.ok).toBe(true);
    expect(healed.checks.find((c) => c.name === 'writes')!.detail).toContain('SQLITE_FULL x2');
    await mx.close();
  });

  it('a conflict or a bad input is not a storage failure', async () => {
    const mx = await openMemex({ path: tempDbPath() });
    await mx.kv.set('a', 1);
    await expect(mx.kv.set('a', 2, { ifVersion: 0 })).rejects.toMatchObject({ code: 'version_conflict' });
    await expect(mx.kv.set('', 2)).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await mx.health()).ok).toBe(true);
    expect((await mx.stats()).storageErrors).toEqual({});
    await mx.close();
  });
});
