/**
 * Lock leases: renewal keeps a long `fn`'s lease, a lease found expired aborts `lease.signal`,
 * and `dispose()` stops renewals and waiters. No sleeps for synchronization; the holders' `fn`s
 * simulate work with a timer.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, type Memex, type MemexOptions } from '../../index.js';
import { LeaseLostError } from '../../errors.js';
import { ManualClock } from '../clock.js';
import { gate } from '../gate.js';
import type { SuiteEnv } from '../target.js';

export function locksLeaseSuite(env: SuiteEnv): void {
  const stores = env.useStores();
  const open = (path: string, extra: Partial<MemexOptions> = {}): Promise<Memex> => stores.open(extra, path);

  const aborted = (signal: AbortSignal): Promise<unknown> =>
    new Promise((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener('abort', () => resolve(signal.reason))));

  describe('locks: leases', () => {
    it('a holder whose fn outlives leaseMs keeps the lock: renewals extend it and a contender waits for the release', async () => {
      // The lease runs on a manual clock that moves only when the test moves it, so a loaded
      // runner that delays a renewal timer cannot make the lease lapse (a real 300 ms clock could).
      const clock = new ManualClock(Date.now());
      const path = env.location();
      const [a, b] = [await open(path, { clock: clock.now }), await open(path, { clock: clock.now })];
      const leaseMs = 300;
      const expiry = async () => (await a.locks.inspect('long')).holders[0]!.expiresAt;
      const log: string[] = [];
      let contender: Promise<number> | undefined;
      let firstExpiry = 0;
      let lastExpiry = 0;
      let contenderAt = 0;
      const holder = a.locks.withLock(
        'long',
        async (lease) => {
          log.push('holder in');
          firstExpiry = await expiry();
          contender = b.locks.withLock(
            'long',
            (l) => {
              log.push('contender in');
              contenderAt = clock.nowMs;
              return l.token;
            },
            { leaseMs, timeoutMs: 30_000 },
          );
          // ~3.3 lease periods of work: 5 steps of 200 ms (< leaseMs), each followed by the renewal
          // that must extend the lease before the next step could let it lapse.
          let seen = firstExpiry;
          for (let step = 0; step < 5; step++) {
            clock.advance(200);
            for (let polls = 0; (lastExpiry = await expiry()) <= seen; polls++) {
              expect(polls, 'no renewal extended the lease').toBeLessThan(20_000);
              await new Promise((r) => setTimeout(r, 5));
            }
            seen = lastExpiry;
          }
          expect(lease.signal.aborted).toBe(false);
          log.push('holder out');
          return lease.token;
        },
        { leaseMs },
      );
      const holderToken = await holder;
      const contenderToken = await contender!;
      // Handed over on release, not on expiry: after the holder let go, and at a time (read by the
      // contender once inside) when the holder's last renewed lease had not run out.
      expect(log).toEqual(['holder in', 'holder out', 'contender in']);
      expect(contenderAt).toBeLessThan(lastExpiry);
      expect(contenderToken).toBeGreaterThan(holderToken);
      expect(lastExpiry - firstExpiry).toBeGreaterThanOrEqual(1000);
      const ca = (await a.stats()).stores.locks!;
      expect(ca.renewals).toBeGreaterThanOrEqual(5);
      expect(ca.lost).toBe(0);
      expect((await b.stats()).stores.locks).toMatchObject({ acquisitions: 1, waits: 1, timeouts: 0 });
    });

    it('a lease found expired at renewal is lost: lease.signal aborts with LeaseLostError and the lock was free to take', async () => {
      const clock = new ManualClock(Date.now());
      const mx = await open(env.location(), { clock: clock.now });
      const inside = gate();
      const holder = mx.locks.withLock(
        'l',
        async (lease) => {
          inside.open();
          return { token: lease.token, reason: await aborted(lease.signal) };
        },
        { leaseMs: 300 },
      );
      await inside.promise;
      clock.advance(1000); // the holder's process "stalls" past its lease
      const next = await mx.locks.withLock('l', (l) => l.token, { timeoutMs: 0 });
      const { token, reason } = await holder; // its next renewal (<= 100 ms) finds the lease gone
      expect(reason).toBeInstanceOf(LeaseLostError);
      expect(next).toBeGreaterThan(token);
      expect((await mx.stats()).stores.locks).toMatchObject({ acquisitions: 2, lost: 1 });
    });

    it('dispose() aborts held leases, rejects waiters and later calls with ClosedError', async () => {
      const mx = await open(env.location());
      const inside = gate();
      const holder = mx.locks.withLock(
        'd',
        async (lease) => {
          inside.open();
          return aborted(lease.signal);
        },
        { leaseMs: 300 },
      );
      await inside.promise;
      const waiter = mx.locks.withLock('d', () => 'never', { timeoutMs: 10_000 });
      await mx.kv.set('after-first-attempt', 1);
      mx.locks.dispose();
      // Rejected by dispose (ClosedError), not by its own timeout (LockTimeoutError after 10 s): no
      // hard time bound here, which an HTTP or PostgreSQL round trip on a loaded runner could break.
      await expect(waiter).rejects.toBeInstanceOf(ClosedError);
      expect(await holder).toBeInstanceOf(ClosedError);
      await expect(mx.locks.withLock('d', () => 1)).rejects.toBeInstanceOf(ClosedError);
      await expect(mx.locks.inspect('d')).rejects.toBeInstanceOf(ClosedError);
      mx.locks.dispose(); // idempotent
      // The holder released on its way out; other namespaces' stores are unaffected.
      expect(await mx.scope('other').locks.withLock('d', () => 'ok', { timeoutMs: 0 })).toBe('ok');
    });
  });
}
