/**
 * Guarantee 6 for locks: a holder (or a waiter) killed with SIGKILL never blocks the others for
 * longer than its lease (or its place in line). No sleeps: the test waits for the child's output,
 * for the change feed, and for its own lock calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { WAITER_TTL_MS } from '../../src/stores/locks/lease-state.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const opened: Memex[] = [];
afterEach(async () => {
  for (const mx of opened.splice(0)) await mx.close();
  cleanupTemp();
});

const FIXTURE = here(import.meta.url, '../fixtures/lock-lease-holder.ts');

function startHolder(path: string, name: string, leaseMs: number) {
  const child = spawnScript(FIXTURE, [path, name, String(leaseMs)]);
  let onLocked: (token: number) => void = () => {};
  const locked = new Promise<number>((r) => (onLocked = r));
  const exited = watchChild(child, (line) => line.startsWith('locked ') && onLocked(Number(line.slice(7))));
  return { child, locked, exited };
}

describe('locks: SIGKILLed holders and waiters', () => {
  it('a holder killed with SIGKILL loses the lock when its lease ends (not before, and within leaseMs + 1 s)', async () => {
    const leaseMs = 500;
    const path = tempDbPath();
    const mx = await openMemex({ path, durability: 'normal' });
    opened.push(mx);
    const h = startHolder(path, 'job', leaseMs);
    const deadToken = await unlessExited(h.locked, h.exited, 'it took the lock');
    h.child.kill('SIGKILL');
    const killedAt = performance.now();
    expect((await h.exited).signal).toBe('SIGKILL');

    const { holders } = await mx.locks.inspect('job'); // the dead holder's lease, not yet over
    expect(holders).toEqual([expect.objectContaining({ mode: 'exclusive', token: deadToken })]);
    const leaseEnd = holders[0]!.expiresAt;
    const got = await mx.locks.withLock('job', (l) => ({ token: l.token, at: Date.now() }), { timeoutMs: 3000 });
    const waited = performance.now() - killedAt;
    expect(got.at).toBeGreaterThanOrEqual(leaseEnd); // waited until the lease could have expired
    expect(waited).toBeLessThanOrEqual(leaseMs + 1000);
    expect(got.token).toBeGreaterThan(deadToken);
    expect((await mx.stats()).stores.locks).toMatchObject({ acquisitions: 1, waits: 1, timeouts: 0 });
  });

  it('a waiter killed while in line holds up the queue only until its place lapses (WAITER_TTL_MS)', async () => {
    const path = tempDbPath();
    const mx = await openMemex({ path, durability: 'normal' });
    opened.push(mx);
    // Hold the lock here, and let a child queue for it.
    let release: () => void = () => {};
    let holding: () => void = () => {};
    const isHeld = new Promise<void>((r) => (holding = r));
    const held = mx.locks.withLock('q', () => new Promise<void>((r) => (holding(), (release = r))));
    await isHeld;
    let queued: () => void = () => {};
    const isQueued = new Promise<void>((r) => (queued = r));
    const stop = mx.events.watch(
      (e) => {
        if (e.store === 'locks' && e.key === 'q') void mx.locks.inspect('q').then((i) => i.waiters.length === 1 && queued());
      },
      { intervalMs: 5 },
    );
    const w = startHolder(path, 'q', 30_000);
    await unlessExited(isQueued, w.exited, 'it queued for the lock');
    stop();
    w.child.kill('SIGKILL');
    const killedAt = performance.now();
    await w.exited;

    // A live contender queues behind the dead waiter; once the holder releases, the dead
    // waiter's place lapses and the contender gets in.
    const contender = mx.locks.withLock('q', () => performance.now(), { timeoutMs: 5000 });
    await mx.kv.set('after-first-attempt', 1);
    expect((await mx.locks.inspect('q')).waiters).toHaveLength(2);
    release();
    await held;
    const gotAt = await contender;
    expect(gotAt - killedAt).toBeLessThanOrEqual(WAITER_TTL_MS + 500);
    expect((await mx.locks.inspect('q')).waiters).toEqual([]);
  });
});
