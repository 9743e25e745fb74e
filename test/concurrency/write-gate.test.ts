// The write gate (src/engine/sqlite/write-gate.ts): writers of other processes queue on a kernel
// lock and wake when the holder leaves. Its guarantees, with a real holder process: a bounded
// wait, a waiter that gives up leaves no wait behind once the holder leaves, a killed holder
// hands the lock over at once, reads never wait, and a gated waiter never polls SQLite's lock.
import { afterEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, openMemex, type Memex } from '../../src/index.js';
import { here, spawnScript, spawnUntil, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { kernelWaiters } from '../helpers/proc-locks.js';
import { GATE_OFFSET } from '../../src/engine/sqlite/write-gate.js';

afterEach(cleanupTemp);

/** A store at a new path (`setup` writes to it first) and a child holding its gate and write lock. */
async function heldStore(setup: (mx: Memex) => Promise<unknown> = async () => {}) {
  const path = tempDbPath();
  const mx = await openMemex({ path });
  await setup(mx);
  await mx.close();
  const { child: holder, exited } = await spawnUntil(here(import.meta.url, '../fixtures/gate-holder.ts'), [path], 'locked', 'it took the gate');
  return { path, holder, exited };
}

describe('the write gate', () => {
  it('a waiter on the gate times out with LockTimeoutError, reads meanwhile, and writes once the holder leaves — without polling SQLite', async () => {
    const { path, holder, exited } = await heldStore((mx) => mx.kv.set('k', 'before'));

    const mx = await openMemex({ path, lockTimeoutMs: 300 });
    const t0 = performance.now();
    const err = await mx.kv.set('k', 'after').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(ms).toBeGreaterThanOrEqual(299);
    expect(ms).toBeLessThan(300 + 1000); // the + 50 ms bound, as a p99: test/timing/lock-timeout-bound.test.ts
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
    const { path, holder, exited } = await heldStore();
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
    const { path, holder, exited } = await heldStore();
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

  it('a holder killed with SIGKILL wakes the writer the kernel had queued behind it, long before its deadline', async () => {
    const { path, holder, exited } = await heldStore();
    const mx = await openMemex({ path, lockTimeoutMs: 20_000 });
    const write = mx.kv.set('k', 'after the kill');
    // Queued before the kill, seen from outside: the kernel lists the writer's blocked request on
    // the gate's byte (a writer that polled for the gate would never appear there).
    await expect.poll(() => kernelWaiters(`${path}-mxwait`, GATE_OFFSET), { timeout: 10_000 }).toBe(1);
    holder.kill('SIGKILL');
    await exited;
    const t0 = performance.now();
    await write;
    // Woken by the kernel's grant, not its 20 s deadline; the wait is gone from the kernel's queue,
    // and SQLite never answered busy (the writer began only once the gate was its own).
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(kernelWaiters(`${path}-mxwait`, GATE_OFFSET)).toBe(0);
    expect(await mx.kv.get('k')).toBe('after the kill');
    expect((await mx.stats()).lock).toMatchObject({ waits: 1, timeouts: 0, busyRetries: 0 });
    await mx.close();
  });
});
