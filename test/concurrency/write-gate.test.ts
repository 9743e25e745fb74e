// The write gate (src/engine/sqlite/write-gate.ts): writers of other processes queue on a kernel
// lock and wake when the holder leaves. Its guarantees, with a real holder process: a bounded
// wait, a waiter that gives up leaves no wait behind once the holder leaves, a killed holder
// hands the lock over at once, reads never wait, and a gated waiter never polls SQLite's lock.
import { afterEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, openMemex } from '../../src/index.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

/** A child holding the gate and SQLite's write lock, once it says so. */
async function gateHolder(path: string) {
  const holder = spawnScript(here(import.meta.url, '../fixtures/gate-holder.ts'), [path]);
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((r) => (locked = r));
  const exited = watchChild(holder, (line) => line === 'locked' && locked());
  await unlessExited(isLocked, exited, 'it took the gate');
  return { holder, exited };
}

describe('the write gate', () => {
  it('a waiter on the gate times out with LockTimeoutError, reads meanwhile, and writes once the holder leaves — without polling SQLite', async () => {
    const path = tempDbPath();
    const setup = await openMemex({ path });
    await setup.kv.set('k', 'before');
    await setup.close();
    const { holder, exited } = await gateHolder(path);

    const mx = await openMemex({ path, lockTimeoutMs: 300 });
    const t0 = performance.now();
    const err = await mx.kv.set('k', 'after').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(ms).toBeGreaterThanOrEqual(299);
    expect(ms).toBeLessThan(300 + 1000); // the +50 ms bound under load: scripts/lock-timeout-bound.ts
    expect(await mx.kv.get('k')).toBe('before');

    const queued = mx.kv.set('k', 'after');
    holder.stdin!.end('release\n');
    await exited;
    await queued;
    expect(await mx.kv.get('k')).toBe('after');
    // Queued in the kernel, it began only once the gate was its own: SQLite never said busy.
    expect((await mx.stats()).lock.busyRetries).toBe(0);
    await mx.close();
  });

  it('a process whose writer gave up is not held up by its wait once the holder leaves (it ends by itself)', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const { holder, exited } = await gateHolder(path);
    const lines: string[] = [];
    const waiter = spawnScript(here(import.meta.url, '../fixtures/gate-waiter.ts'), [path, '200']);
    let reported: () => void = () => {};
    const isReported = new Promise<void>((r) => (reported = r));
    const waiterExited = watchChild(waiter, (line) => {
      lines.push(line);
      if (line === 'closed') reported();
    });
    await unlessExited(isReported, waiterExited, 'it gave up and closed the store');
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: 'lock_timeout' });
    holder.stdin!.end('release\n');
    await exited;
    // Its wait is granted, released at once, and the process ends with nothing left to do.
    expect(await waiterExited).toMatchObject({ code: 0 });
    const mx = await openMemex({ path, lockTimeoutMs: 1000 });
    await mx.kv.set('k', 'free'); // the waiter left no lock behind
    await mx.close();
  });

  it('a wait whose writer gave up, granted later, lets the gate go at once (the store stays open and idle)', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const { holder, exited } = await gateHolder(path);
    const gaveUp = await openMemex({ path, lockTimeoutMs: 100 });
    expect(await gaveUp.kv.set('k', 'late').catch((e: unknown) => e)).toBeInstanceOf(LockTimeoutError);
    holder.stdin!.end('release\n');
    await exited;
    // Another connection (its own open file description) gets the gate while gaveUp stays open.
    const other = await openMemex({ path, lockTimeoutMs: 5000 });
    await other.kv.set('k', 'other');
    expect(await gaveUp.kv.get('k')).toBe('other');
    await gaveUp.kv.set('k', 'again'); // and gaveUp itself can write again
    expect(await other.kv.get('k')).toBe('again');
    await other.close();
    await gaveUp.close();
  });

  it('a holder killed with SIGKILL wakes the writer queued behind it, long before its deadline', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const { holder, exited } = await gateHolder(path);
    const mx = await openMemex({ path, lockTimeoutMs: 20_000 });
    const write = mx.kv.set('k', 'after the kill');
    holder.kill('SIGKILL');
    await exited;
    const t0 = performance.now();
    await write;
    expect(performance.now() - t0).toBeLessThan(10_000); // not its 20 s deadline
    expect(await mx.kv.get('k')).toBe('after the kill');
    await mx.close();
  });
});
