/**
 * Locks: exclusion, shared admission, fairness, fencing tokens, timeouts and errors. No sleeps:
 * holders are held open by promises the test resolves, and overlap is proven with barriers.
 */
import { describe, expect, it } from 'vitest';
import { LockTimeoutError, type Memex } from '../../index.js';
import type { Lease } from '../../stores/locks/locks.js';
import { gate } from '../gate.js';
import type { SuiteEnv } from '../target.js';

export function locksSuite(env: SuiteEnv): void {
  const stores = env.useStores();
  const open = (path = env.location()): Promise<Memex> => stores.open({}, path);

  /** Resolves once `n` callers have arrived; fails after `failMs` (a guard, not a synchronizer). */
  function barrier(n: number, failMs = 5000): () => Promise<void> {
    let arrived = 0;
    const all = gate();
    const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`barrier: only ${arrived} of ${n} arrived`)), failMs).unref());
    return () => {
      if (++arrived === n) all.open();
      return Promise.race([all.promise, guard]);
    };
  }

  /** Holds `name` until the returned `release` is called; resolves once it holds. */
  async function hold(mx: Memex, name: string, mode: 'exclusive' | 'shared' = 'exclusive') {
    const held = gate();
    const g = gate();
    let lease: Lease | undefined;
    const done = mx.locks.withLock(
      name,
      async (l) => {
        lease = l;
        held.open();
        await g.promise;
      },
      { mode },
    );
    await held.promise;
    return { lease: lease!, release: async () => (g.open(), await done) };
  }

  describe('locks: exclusion and sharing', () => {
    it('an exclusive lock admits one holder at a time, across two Memex instances on one file', async () => {
      const a = await open();
      const b = await open(env.location());
      const path = env.location();
      const [x, y] = [await open(path), await open(path)];
      let inside = 0;
      let maxInside = 0;
      const run = (mx: Memex) =>
        mx.locks.withLock('crit', async () => {
          maxInside = Math.max(maxInside, ++inside);
          await new Promise((r) => setTimeout(r, 2)); // simulated work inside the lock
          inside--;
        });
      await Promise.all(Array.from({ length: 24 }, (_, i) => run(i % 2 ? x : y)));
      expect(maxInside).toBe(1);
      expect((await x.stats()).stores.locks?.acquisitions).toBe(12);
      // Different names and different namespaces are different locks.
      const h = await hold(a, 'n');
      await a.locks.withLock('other', () => undefined, { timeoutMs: 0 });
      await a.scope('team').locks.withLock('n', () => undefined, { timeoutMs: 0 });
      await b.locks.withLock('n', () => undefined, { timeoutMs: 0 }); // another file
      await h.release();
    });

    it('shared mode admits many holders at once (they all meet at a barrier inside the lock)', async () => {
      const mx = await open();
      const meet = barrier(5);
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 5 }, () =>
          mx.locks.withLock(
            'cfg',
            async () => {
              await meet();
              seen.push((await mx.locks.inspect('cfg')).holders.length);
            },
            { mode: 'shared', timeoutMs: 3000 },
          ),
        ),
      );
      expect(seen).toEqual([5, 5, 5, 5, 5]);
    });

    it('an exclusive caller waits for the shared holders to drain', async () => {
      const mx = await open();
      const s1 = await hold(mx, 'doc', 'shared');
      const s2 = await hold(mx, 'doc', 'shared');
      const t0 = performance.now();
      await expect(mx.locks.withLock('doc', () => 'no', { timeoutMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(99);
      let sharedInside = 2;
      const excl = mx.locks.withLock('doc', async () => sharedInside, { timeoutMs: 3000 });
      await s1.release();
      sharedInside--;
      await s2.release();
      sharedInside--;
      expect(await excl).toBe(0);
    });

    it('is FIFO-ish: a shared caller that arrives after a waiting exclusive one does not overtake it', async () => {
      const mx = await open();
      const s1 = await hold(mx, 'q', 'shared');
      const order: string[] = [];
      const excl = mx.locks.withLock('q', () => void order.push('exclusive'), { timeoutMs: 3000 });
      const late = mx.locks.withLock('q', () => void order.push('late shared'), { mode: 'shared', timeoutMs: 3000 });
      await mx.kv.set('after-both-first-attempts', 1); // queued behind both first attempts
      const info = await mx.locks.inspect('q');
      // The holder's token survived the later writes to the record (the waiters joining the line).
      expect(info.holders).toEqual([expect.objectContaining({ mode: 'shared', token: s1.lease.token })]);
      expect(info.waiters.map((w) => w.mode)).toEqual(['exclusive', 'shared']);
      expect(Object.isFrozen(info) && Object.isFrozen(info.holders[0])).toBe(true);
      await s1.release();
      await Promise.all([excl, late]);
      expect(order).toEqual(['exclusive', 'late shared']);
    });
  });

  describe('locks: fencing tokens', () => {
    it('increase strictly with every grant, across locks and across two instances on one file', async () => {
      const path = env.location();
      const [a, b] = [await open(path), await open(path)];
      const tokens: number[] = [];
      for (let i = 0; i < 20; i++) {
        const mx = i % 2 ? a : b;
        tokens.push(await mx.locks.withLock(i % 3 ? 'x' : 'y', (l) => l.token, { mode: i % 4 ? 'exclusive' : 'shared' }));
        await a.kv.set('noise', i); // other writes in between do not matter
      }
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
      const h = await hold(a, 'x');
      expect((await b.locks.inspect('x')).holders).toEqual([expect.objectContaining({ mode: 'exclusive', token: h.lease.token })]);
      await h.release();
      expect(await b.locks.withLock('x', (l) => l.token)).toBeGreaterThan(h.lease.token);
    });
  });

  describe('locks: timeouts and errors', () => {
    it('throws LockTimeoutError after timeoutMs (well within + 1 s), never runs fn and leaves nothing behind', async () => {
      const mx = await open();
      const h = await hold(mx, 'busy');
      for (const timeoutMs of [150, 300]) {
        let ran = false;
        const t0 = performance.now();
        const err = await mx.locks.withLock('busy', () => (ran = true), { timeoutMs }).catch((e: unknown) => e);
        const ms = performance.now() - t0;
        expect(err).toBeInstanceOf(LockTimeoutError);
        expect((err as LockTimeoutError).code).toBe('lock_timeout');
        expect(ms).toBeGreaterThanOrEqual(timeoutMs - 1);
        // Only a bound load cannot break here; the SPEC's + 50 ms is a p99 in Memex's own timing step
        // (test/timing/lock-timeout-bound.test.ts), not a hard bound in a suite others run.
        expect(ms).toBeLessThanOrEqual(timeoutMs + 1000);
        expect(ran).toBe(false);
      }
      const info = await mx.locks.inspect('busy');
      expect(info.holders).toHaveLength(1);
      expect(info.waiters).toHaveLength(0);
      await expect(mx.locks.withLock('busy', () => 1, { timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
      const c = (await mx.stats()).stores.locks;
      expect(c?.timeouts).toBe(3);
      await h.release();
      expect(await mx.locks.withLock('busy', () => 'free', { timeoutMs: 0 })).toBe('free');
    });

    it("propagates fn's error unchanged (async and sync) and releases the lock", async () => {
      const mx = await open();
      const boom = new RangeError('boom');
      await expect(mx.locks.withLock('e', async () => Promise.reject(boom))).rejects.toBe(boom);
      const odd = { not: 'an Error' };
      await expect(
        mx.locks.withLock('e', () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error must pass through unchanged too
          throw odd;
        }),
      ).rejects.toBe(odd);
      expect((await mx.locks.inspect('e')).holders).toEqual([]);
      expect(await mx.locks.withLock('e', () => 42, { timeoutMs: 0 })).toBe(42);
      const c = (await mx.stats()).stores.locks;
      expect(c).toMatchObject({ acquisitions: 3, timeouts: 0, lost: 0, records: 0 });
    });

    it('counts waits and wait times', async () => {
      const mx = await open();
      const h = await hold(mx, 'w');
      const waiter = mx.locks.withLock('w', () => 'got it', { timeoutMs: 3000 });
      await mx.kv.set('after-first-attempt', 1);
      await h.release();
      expect(await waiter).toBe('got it');
      const c = (await mx.stats()).stores.locks!;
      expect(c.acquisitions).toBe(2);
      expect(c.waits).toBe(1);
      expect(c.totalWaitMs).toBeGreaterThan(0);
      expect(c.maxWaitMs).toBe(c.totalWaitMs);
    });
  });
}
