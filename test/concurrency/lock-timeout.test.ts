import { afterEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, openMemex } from '../../src/index.js';
import { here, spawnUntil } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

const LOCK_HOLDER = here(import.meta.url, '../fixtures/lock-holder.ts');

describe('bounded waiting', () => {
  it('callers fail with LockTimeoutError after lockTimeoutMs (and well before + 1 s) while another process holds the write lock, and nothing changes', async () => {
    const path = tempDbPath();
    const setup = await openMemex({ path });
    await setup.kv.set('k', 'before');
    await setup.close();

    const { child: holder, exited } = await spawnUntil(LOCK_HOLDER, [path], 'locked', 'it took the write lock');

    const timeoutMs = 300;
    const mx = await openMemex({ path, lockTimeoutMs: timeoutMs });
    const ops: [string, () => Promise<unknown>][] = [
      ['set', () => mx.kv.set('k', 'after')],
      ['update', () => mx.kv.update('k', () => 'after')],
      [
        'setMany',
        () =>
          mx.kv.setMany([
            { key: 'k', value: 'after' },
            { key: 'k2', value: 1 },
          ]),
      ],
      ['delete', () => mx.kv.delete('k')],
      ['transaction', () => mx.kv.transaction((tx) => tx.set('k', 'after'))],
      ['clear', () => mx.kv.clear()],
    ];
    const results = await Promise.all(
      ops.map(async ([name, op]) => {
        const t0 = performance.now();
        const err = await op().then(
          () => undefined,
          (e: unknown) => e,
        );
        return { name, err, ms: performance.now() - t0 };
      }),
    );
    for (const r of results) {
      expect(r.err, r.name).toBeInstanceOf(LockTimeoutError);
      expect((r.err as LockTimeoutError).code).toBe('lock_timeout');
      expect(r.ms, r.name).toBeGreaterThanOrEqual(timeoutMs - 1);
      // The SPEC's bound (timeout + 50 ms) is held as a p99 by test/timing/lock-timeout-bound.test.ts;
      // here, six calls at once on a shared 2-core runner, only a bound that load cannot break.
      expect(r.ms, r.name).toBeLessThanOrEqual(timeoutMs + 1000);
    }
    // Reads still work while the lock is held (WAL readers never wait for writers).
    expect(await mx.kv.get('k')).toBe('before');
    const stats = await mx.stats();
    expect(stats.lock.timeouts).toBe(ops.length);
    expect((await mx.health()).checks.find((c) => c.name === 'lockTimeouts')?.ok).toBe(false);

    holder.stdin!.end('rollback\n');
    await exited;
    expect(await mx.kv.get('k')).toBe('before');
    expect(await mx.kv.get('k2')).toBeUndefined();
    // Once the holder is gone, writes go through again.
    await mx.kv.set('k', 'after');
    expect(await mx.kv.get('k')).toBe('after');
    await mx.close();
  });

  it('a holder killed with SIGKILL releases the write lock at once (no stale lock files)', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const { child: holder, exited } = await spawnUntil(LOCK_HOLDER, [path], 'locked', 'it took the write lock');
    holder.kill('SIGKILL');
    await exited;
    const mx = await openMemex({ path, lockTimeoutMs: 1000 });
    await mx.kv.set('k', 1);
    expect(await mx.kv.get('k')).toBe(1);
    await mx.close();
  });
});
