// health() tells the truth while writes fail (issue 13's first finding: a full disk left health
// ok: true). The fault is injected at the driver (test/helpers/driver-faults.ts) and only after
// the write's own statements ran: its COMMIT fails with the SQLITE_FULL a full disk gives, or its
// second statement does. The engine's rollback is then what keeps anything from being half
// written, which the test checks, rather than a fault that came before anything was written.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, StorageError } from '../../src/index.js';
import { DriverFaults } from '../helpers/driver-faults.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

describe('health while writes fail', () => {
  it('is not ok while writes fail, names the code, counts it in stats, leaves nothing half written, and recovers by itself', async () => {
    const faults = new DriverFaults();
    const mx = await openMemex({ engine: faults.engine({ path: tempDbPath(), durability: 'normal' }) });
    await mx.kv.set('a', 1);
    await mx.conversations.append('t', { role: 'user', content: 'kept' });
    expect((await mx.health()).checks.find((c) => c.name === 'writes')).toMatchObject({ ok: true, detail: 'no write has failed' });

    // Every COMMIT fails: each write's statements run first (counted), then the disk is full.
    faults.failAll(['commit'], 'SQLITE_FULL');
    const written = faults.byKind.write;
    await expect(mx.kv.set('b', 2)).rejects.toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_FULL' });
    await expect(mx.conversations.append('t', { role: 'user', content: 'lost?' })).rejects.toBeInstanceOf(StorageError);
    expect(faults.byKind.write - written, 'statements the failing writes ran before their commit').toBeGreaterThanOrEqual(4);
    faults.clear();
    // A batch whose second statement fails, its first already run.
    faults.failNth(2, ['write'], 'SQLITE_FULL');
    await expect(
      mx.kv.setMany([
        { key: 'c', value: 3 },
        { key: 'd', value: 4 },
      ]),
    ).rejects.toMatchObject({ driverCode: 'SQLITE_FULL' });
    expect(faults.thrown).toBe(3);
    faults.clear(); // (reads commit too: a snapshot read is a transaction)

    const failing = await mx.health();
    expect(failing.ok).toBe(false);
    expect(failing.checks.find((c) => c.name === 'writes')).toMatchObject({ ok: false, value: 3 });
    expect(failing.checks.find((c) => c.name === 'writes')!.detail).toContain('SQLITE_FULL');
    expect((await mx.stats()).storageErrors).toEqual({ SQLITE_FULL: 3 });
    // Reads keep working, and nothing of the failed writes is there: no 'b', neither key of the
    // batch, no second message (nor its thread's count moved).
    expect(await mx.kv.get('a')).toBe(1);
    expect(await mx.kv.getMany(['b', 'c', 'd'])).toEqual([undefined, undefined, undefined]);
    expect((await mx.conversations.recent('t')).map((m) => m.content)).toEqual(['kept']);
    expect((await mx.conversations.get('t'))?.messageCount).toBe(1);

    // Space freed: the next write succeeds and health turns ok again.
    await mx.kv.set('b', 2);
    expect(await mx.kv.getMany(['b', 'c', 'd'])).toEqual([2, undefined, undefined]);
    const healed = await mx.health();
    expect(healed.ok).toBe(true);
    expect(healed.checks.find((c) => c.name === 'writes')!.detail).toContain('SQLITE_FULL x3');
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
