import { describe, expect, it } from 'vitest';
import { ClosedError, type MemexEvent } from '../../index.js';
import { ManualClock } from '../clock.js';
import { caught, rejectsWith, conflict, invalid, must, listAll, snapshot, waitFor, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvEvents({ open, withClock, factory }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('events', () => {
    it('every mutation appends exactly one event { seq, at, ns, store, key, op, version }', async () => {
      const { mx, kv, clock } = await withClock();
      const from = await mx.events.lastSeq();
      const t0 = clock.nowMs;
      const s1 = await kv.set('a', 1);
      clock.advance(1);
      const s2 = await kv.set('b', 2, { ttlMs: 1000 });
      clock.advance(1);
      await kv.update<number>('a', (n = 0) => n + 1);
      const vUpd = must(await kv.getEntry('a')).version;
      clock.advance(1);
      await kv.delete('b');
      clock.advance(1);
      const { versions } = await kv.setMany([
        { key: 'c', value: 3 },
        { key: 'd', value: 4 },
      ]);
      clock.advance(1);
      let txVersion = 0;
      await kv.transaction((tx) => {
        txVersion = tx.set('e', 5).version;
        tx.delete('c');
      });
      clock.advance(1);
      await kv.update('d', () => undefined);
      clock.advance(1);
      expect(await kv.clear()).toBe(2);
      const ev = await mx.events.since(from);
      expect(ev.map((e) => [e.op, e.key])).toEqual([
        ['set', 'a'],
        ['set', 'b'],
        ['set', 'a'],
        ['delete', 'b'],
        ['set', 'c'],
        ['set', 'd'],
        ['set', 'e'],
        ['delete', 'c'],
        ['delete', 'd'],
        ['clear', null],
      ]);
      expect(ev.map((e) => e.at)).toEqual([t0, t0 + 1, t0 + 2, t0 + 3, t0 + 4, t0 + 4, t0 + 5, t0 + 5, t0 + 6, t0 + 7]);
      for (const e of ev) {
        expect(e).toMatchObject({ ns: 'default', store: 'kv' });
        expect(Object.keys(e).sort()).toEqual(['at', 'key', 'ns', 'op', 'seq', 'store', 'version']);
        expect(Number.isSafeInteger(e.seq)).toBe(true);
        expect(e.seq).toBeGreaterThan(from);
        expect(Object.isFrozen(e)).toBe(true);
      }
      for (let i = 1; i < ev.length; i++) expect(ev[i]!.seq).toBeGreaterThan(ev[i - 1]!.seq);
      // The event of a write carries the version that write produced.
      expect(ev.filter((e) => e.op === 'set').map((e) => e.version)).toEqual([s1.version, s2.version, vUpd, ...versions, txVersion]);
      expect(await mx.events.lastSeq()).toBe(ev.at(-1)!.seq);
    });

    it('failed, conflicting, refused and no-op writes append no event', async () => {
      const { mx, kv, clock } = await withClock();
      const { version } = await kv.set('a', 1);
      await kv.set('gone', 1, { ttlMs: 10 });
      clock.advance(10);
      const before = await snapshot(mx);
      await conflict(kv.set('a', 2, { ifVersion: version + 1 }));
      await conflict(kv.set('a', 2, { ifVersion: 0 }));
      await conflict(kv.delete('a', { ifVersion: version + 1 }));
      await conflict(
        kv.setMany([
          { key: 'b', value: 1 },
          { key: 'a', value: 2, ifVersion: 0 },
        ]),
      );
      await caught(
        kv.update('a', () => {
          throw new Error('no');
        }),
      );
      await invalid(kv.update('a', () => Promise.resolve(1) as unknown as number));
      await caught(
        kv.transaction((tx) => {
          tx.set('x', 1);
          tx.delete('a');
          throw new Error('no');
        }),
      );
      await invalid(kv.set('a', Number.NaN));
      await invalid(kv.set('', 1));
      expect(await kv.delete('never-there')).toBe(false);
      expect(await kv.delete('gone')).toBe(false);
      expect(await kv.update('never-there', () => undefined)).toBeUndefined();
      expect(await mx.scope('empty').kv.clear()).toBe(0);
      expect(await snapshot(mx)).toEqual(before);
    });

    it('since(seq, { limit, store }) pages the feed in seq order and filters by store', async () => {
      const mx = await open();
      const from = await mx.events.lastSeq();
      const written: number[] = [];
      for (let i = 0; i < 12; i++) written.push((await mx.kv.set(`k${i}`, i)).version);
      const all = await mx.events.since(from);
      expect(all.map((e) => e.version)).toEqual(written);
      const first5 = await mx.events.since(from, { limit: 5 });
      expect(first5).toEqual(all.slice(0, 5));
      const next5 = await mx.events.since(first5.at(-1)!.seq, { limit: 5 });
      expect(next5).toEqual(all.slice(5, 10));
      expect(await mx.events.since(all.at(-1)!.seq)).toEqual([]);
      expect(await mx.events.since(from, { store: 'kv' })).toEqual(all);
      expect(await mx.events.since(from, { store: 'cache' })).toEqual([]);
      expect(await mx.events.since(from, { store: 'kv', limit: 2 })).toEqual(all.slice(0, 2));
      await invalid(mx.events.since(-1));
      await invalid(mx.events.since(0, { limit: 0 }));
      await invalid(mx.events.since(0, { limit: 10_001 }));
    });

    it('retention keeps only the newest maxEvents events', async () => {
      const mx = await open({ events: { maxEvents: 10 } });
      const versions: number[] = [];
      for (let i = 0; i < 25; i++) versions.push((await mx.kv.set(`k${i}`, i)).version);
      const ev = await mx.events.since(0, { limit: 1000 });
      expect(ev.map((e) => e.version)).toEqual(versions.slice(-10));
      expect(ev.map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${15 + i}`));
      // Versions keep increasing after old events were dropped.
      const { version } = await mx.kv.set('k0', 'again');
      expect(version).toBeGreaterThan(versions.at(-1)!);
      expect((await mx.events.since(0, { limit: 1000 })).map((e) => e.version)).toEqual([...versions.slice(-9), version]);
    });

    it('retention keeps the newest maxEvents events when a failed write shares their commit', async () => {
      const mx = await open({ events: { maxEvents: 10 } });
      // Issued together, so an engine that batches commits runs them in one transaction; the
      // failing transaction wrote (then rolled back) 50 records: its events must not count.
      const sets = Array.from({ length: 25 }, (_, i) => mx.kv.set(`k${i}`, i));
      const failing = caught(
        mx.kv.transaction((tx) => {
          for (let j = 0; j < 50; j++) tx.set(`x${j}`, j);
          throw new Error('rolled back');
        }),
      );
      const versions = (await Promise.all(sets)).map((r) => r.version);
      expect(((await failing) as Error).message).toBe('rolled back');
      expect(await mx.kv.has('x0')).toBe(false);
      const ev = await mx.events.since(0, { limit: 1000 });
      expect(ev.map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${15 + i}`));
      expect(ev.map((e) => e.version)).toEqual(versions.slice(-10));
    });

    it('watch() delivers every new event in order, and stop() stops the delivery', async () => {
      const mx = await open();
      await mx.kv.set('before', 0);
      const fromSeq = await mx.events.lastSeq();
      const got: MemexEvent[] = [];
      const three = waitFor(() => got.length >= 3);
      const stop = mx.events.watch(
        (e) => {
          got.push(e);
          three.poke();
        },
        { intervalMs: 5, fromSeq },
      );
      const s1 = await mx.kv.set('a', 1);
      const s2 = await mx.kv.set('b', 2);
      await mx.kv.delete('a');
      await three.promise;
      stop();
      expect(got.map((e) => [e.op, e.key])).toEqual([
        ['set', 'a'],
        ['set', 'b'],
        ['delete', 'a'],
      ]);
      expect(got.map((e) => e.version).slice(0, 2)).toEqual([s1.version, s2.version]);
      // After stop(): a second watcher sees later events (so they were published), the first does not.
      const later: MemexEvent[] = [];
      const two = waitFor(() => later.length >= 2);
      const stop2 = mx.events.watch(
        (e) => {
          later.push(e);
          two.poke();
        },
        { intervalMs: 5, fromSeq: got.at(-1)!.seq },
      );
      try {
        await mx.kv.set('c', 3);
        await mx.kv.set('d', 4);
        await two.promise;
      } finally {
        stop2();
      }
      expect(later.map((e) => e.key)).toEqual(['c', 'd']);
      expect(got).toHaveLength(3);
    });

    it('a listener that throws does not stop the feed', async () => {
      const mx = await open();
      const fromSeq = await mx.events.lastSeq();
      const keys: (string | null)[] = [];
      const two = waitFor(() => keys.length >= 2);
      const stop = mx.events.watch(
        (e) => {
          keys.push(e.key);
          two.poke();
          throw new Error('listener bug');
        },
        { intervalMs: 5, fromSeq },
      );
      try {
        await mx.kv.set('a', 1);
        await mx.kv.set('b', 2);
        await two.promise;
      } finally {
        stop();
      }
      expect(keys).toEqual(['a', 'b']);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('durability', () => {
    it('everything acknowledged is there after close and reopen', async ({ skip }) => {
      const clock = new ManualClock();
      const fx = await factory({ clock: clock.now });
      // Only engines with persistent storage offer reopen (sqlite always does).
      skip(fx.reopen === undefined, 'this engine keeps nothing across instances');
      const reopen = must(fx.reopen, 'reopen');
      const mx = fx.mx;
      const kv = mx.kv;
      await kv.set('plain', { a: [1, 2, 3] });
      await kv.set('ttl', 'soon', { ttlMs: 60_000 });
      await kv.setMany([
        { key: 'm1', value: 1 },
        { key: 'm2', value: 2 },
      ]);
      await kv.transaction((tx) => {
        tx.set('t1', 't');
        tx.update<number>('m1', (n = 0) => n + 10);
      });
      await kv.set('deleted', 1);
      await kv.delete('deleted');
      await mx.scope('ns/x').kv.set('scoped', 'yes');
      for (let i = 0; i < 50; i++) await kv.update<number>('counter', (n = 0) => n + 1);
      const beforeEntries = await listAll(kv);
      const beforeScoped = await listAll(mx.scope('ns/x').kv);
      const beforeEvents = await mx.events.since(0, { limit: 10_000 });
      // Writes still in flight when close is called: close() finishes them, and each survives.
      // They are issued in the same synchronous turn as reopen()'s close(), so none can have
      // settled before it (no assertion could observe otherwise: settling needs a later turn).
      const inflight = Array.from({ length: 20 }, (_, i) => kv.set(`late${i}`, i));
      const mx2 = await reopen();
      const settled = await Promise.allSettled(inflight);
      const acked = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ key: `late${i}`, version: s.value.version }] : []));
      expect(
        settled.map((s) => s.status),
        'every write in flight at close resolves',
      ).toEqual(inflight.map(() => 'fulfilled'));

      // The old handle is closed.
      await rejectsWith(kv.get('plain'), ClosedError, 'closed');

      const afterEntries = await listAll(mx2.kv);
      const notLate = afterEntries.filter((e) => !e.key.startsWith('late'));
      expect(notLate).toEqual(beforeEntries.filter((e) => !e.key.startsWith('late')));
      for (const a of acked) expect(await mx2.kv.getEntry(a.key), a.key).toMatchObject({ version: a.version });
      expect(await mx2.kv.get('counter')).toBe(50);
      expect(await mx2.kv.get('m1')).toBe(11);
      expect(await mx2.kv.has('deleted')).toBe(false);
      expect(await listAll(mx2.scope('ns/x').kv)).toEqual(beforeScoped);
      const afterEvents = await mx2.events.since(0, { limit: 10_000 });
      expect(afterEvents.slice(0, beforeEvents.length)).toEqual(beforeEvents);
      // TTLs survive too, and versions keep increasing: never reused after a reopen.
      clock.advance(60_000);
      expect(await mx2.kv.get('ttl')).toBeUndefined();
      const maxBefore = Math.max(...afterEntries.map((e) => e.version), ...afterEvents.map((e) => e.version ?? 0));
      const { version } = await mx2.kv.set('deleted', 'recreated', { ifVersion: 0 });
      expect(version).toBeGreaterThan(maxBefore);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('stats and health', () => {
    it('stats() counts writes, reads and conflicts, and the kv records stored', async () => {
      const mx = await open();
      const kv = mx.kv;
      const s0 = await mx.stats();
      const { version } = await kv.set('a', 1);
      await kv.set('b', 2);
      await kv.update<number>('a', (n = 0) => n + 1);
      await kv.delete('b');
      await conflict(kv.set('a', 0, { ifVersion: version }));
      await conflict(kv.set('a', 0, { ifVersion: 0 }));
      await conflict(kv.delete('a', { ifVersion: version }));
      await kv.get('a');
      await kv.has('a');
      await kv.getMany(['a', 'b']);
      await mx.scope('other').kv.set('c', 3);
      const s1 = await mx.stats();
      expect(s1.writes - s0.writes).toBe(5);
      expect(s1.conflicts - s0.conflicts).toBe(3);
      expect(s1.reads - s0.reads).toBeGreaterThanOrEqual(3);
      const k0 = s0.stores.kv ?? { reads: 0, writes: 0, conflicts: 0, records: 0 };
      const k1 = must(s1.stores.kv, 'stats.stores.kv');
      expect(k1.writes - k0.writes).toBe(5);
      expect(k1.reads - k0.reads).toBe(3);
      expect(k1.conflicts - k0.conflicts).toBe(3);
      expect(k1.records).toBe(2);
      expect(s1.lastSeq).toBe(await mx.events.lastSeq());
      expect(s1.lock.acquisitions).toBeGreaterThan(0);
    });

    it('health() is ok, with a storage check, and every check has a detail', async () => {
      const mx = await open();
      await mx.kv.set('a', 1);
      const h = await mx.health();
      expect(h.ok).toBe(true);
      expect(h.checks.map((c) => c.name)).toContain('storage');
      for (const c of h.checks) {
        expect(c.ok, c.name).toBe(true);
        expect(c.detail, c.name).toBeTypeOf('string');
      }
    });
  });
}
