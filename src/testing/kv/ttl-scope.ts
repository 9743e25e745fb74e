import { describe, expect, it } from 'vitest';
import { ValidationError, type KvStore, type MemexEvent, type MemexScope } from '../../index.js';
import { caught, conflict, must, listAll, keysOf, snapshot, waitFor, isDeeplyFrozen, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvTtlScope({ open, withClock }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('TTL (with a manual clock)', () => {
    it('an expired key is invisible at once to get / getEntry / has / getMany / list / update / tx', async () => {
      const { kv, clock } = await withClock();
      await kv.set('t', 'temp', { ttlMs: 1000 });
      await kv.set('p', 'perm');
      clock.advance(999);
      expect(await kv.get('t')).toBe('temp');
      expect(await kv.has('t')).toBe(true);
      clock.advance(1);
      expect(await kv.get('t')).toBeUndefined();
      expect(await kv.getEntry('t')).toBeUndefined();
      expect(await kv.has('t')).toBe(false);
      expect(await kv.getMany(['t', 'p'])).toEqual([undefined, 'perm']);
      expect(keysOf(await listAll(kv))).toEqual(['p']);
      expect(keysOf(await listAll(kv, 't'))).toEqual([]);
      await kv.transaction((tx) => {
        expect(tx.get('t')).toBeUndefined();
        expect(tx.has('t')).toBe(false);
      });
      const seen: unknown[] = [];
      await kv.update('t', (cur) => {
        seen.push(cur);
        return 'fresh';
      });
      expect(seen).toEqual([undefined]);
      // The fresh value has no expiry (update on an absent key with no ttlMs).
      expect(await kv.getEntry('t')).toMatchObject({ value: 'fresh', expiresAt: null });
    });

    it('an expired key counts as absent for ifVersion and delete', async () => {
      const { kv, clock } = await withClock();
      const { version } = await kv.set('t', 1, { ttlMs: 100 });
      clock.advance(100);
      await conflict(kv.set('t', 2, { ifVersion: version }));
      await conflict(kv.delete('t', { ifVersion: version }));
      expect(await kv.delete('t')).toBe(false);
      await kv.set('u', 1, { ttlMs: 100 });
      clock.advance(500);
      const r = await kv.set('u', 'again', { ifVersion: 0 });
      expect(await kv.getEntry('u')).toMatchObject({ value: 'again', version: r.version, expiresAt: null });
      const { version: vt } = await kv.set('t', 'back', { ifVersion: 0, ttlMs: 50 });
      expect(vt).toBeGreaterThan(version);
    });

    it('sweep() purges expired records of every namespace and returns the count', async () => {
      const { mx, kv, clock } = await withClock();
      await kv.set('e1', 1, { ttlMs: 100 });
      await kv.set('e2', 2, { ttlMs: 200 });
      await mx.scope('s').kv.set('e3', 3, { ttlMs: 100 });
      await kv.set('live', 4, { ttlMs: 10_000 });
      await kv.set('perm', 5);
      expect((await mx.sweep()).purged).toBe(0);
      clock.advance(200);
      expect((await mx.sweep()).purged).toBe(3);
      expect((await mx.sweep()).purged).toBe(0);
      expect(keysOf(await listAll(kv))).toEqual(['live', 'perm']);
      clock.advance(10_000);
      expect((await mx.sweep()).purged).toBe(1);
      expect(keysOf(await listAll(kv))).toEqual(['perm']);
    });

    it('update keeps the expiry when ttlMs is omitted and resets it when given', async () => {
      const { kv, clock } = await withClock();
      const t0 = clock.nowMs;
      await kv.set('k', 1, { ttlMs: 1000 });
      clock.advance(600);
      await kv.update<number>('k', (n = 0) => n + 1);
      expect(await kv.getEntry('k')).toMatchObject({ value: 2, expiresAt: t0 + 1000 });
      clock.advance(399);
      expect(await kv.get('k')).toBe(2);
      await kv.update<number>('k', (n = 0) => n + 1, { ttlMs: 500 });
      expect(await kv.getEntry('k')).toMatchObject({ value: 3, expiresAt: t0 + 999 + 500 });
      clock.advance(2);
      // Past the original expiry: the reset one is what counts.
      expect(await kv.get('k')).toBe(3);
      clock.advance(498);
      expect(await kv.get('k')).toBeUndefined();
      // Inside a transaction too.
      await kv.set('j', 1, { ttlMs: 100 });
      const expiresAt = must(await kv.getEntry('j')).expiresAt;
      await kv.transaction((tx) => tx.update<number>('j', (n = 0) => n + 1));
      expect(must(await kv.getEntry('j')).expiresAt).toBe(expiresAt);
    });

    it('set without ttlMs removes a previous expiry; set with ttlMs replaces it', async () => {
      const { kv, clock } = await withClock();
      await kv.set('k', 1, { ttlMs: 100 });
      await kv.set('k', 2);
      expect(must(await kv.getEntry('k')).expiresAt).toBeNull();
      clock.advance(1000);
      expect(await kv.get('k')).toBe(2);
      await kv.set('k', 3, { ttlMs: 50 });
      expect(must(await kv.getEntry('k')).expiresAt).toBe(clock.nowMs + 50);
      await kv.setMany([{ key: 'k', value: 4 }]);
      expect(must(await kv.getEntry('k')).expiresAt).toBeNull();
    });

    it('clear counts only live records', async () => {
      const { kv, clock } = await withClock();
      await kv.set('a', 1, { ttlMs: 10 });
      await kv.set('b', 1);
      await kv.set('c', 1, { ttlMs: 1000 });
      clock.advance(10);
      expect(await kv.clear()).toBe(2);
      clock.advance(-10);
      // Clearing removed the expired record as well: turning the clock back does not revive it.
      expect(await kv.get('a')).toBeUndefined();
    });

    it('stats counts only live kv records', async () => {
      const { mx, kv, clock } = await withClock();
      await kv.set('a', 1, { ttlMs: 10 });
      await kv.set('b', 1);
      expect((await mx.stats()).stores.kv?.records).toBe(2);
      clock.advance(10);
      expect((await mx.stats()).stores.kv?.records).toBe(1);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('namespaces (scope isolation)', () => {
    it("mx.scope('a/b'), mx.scope('a') and the root ('default') never see each other's keys", async () => {
      const mx = await open();
      const handles: [string, KvStore][] = [
        ['default', mx.kv],
        ['a', mx.scope('a').kv],
        ['a/b', mx.scope('a/b').kv],
        ['a.b', mx.scope('a.b').kv],
        ['b', mx.scope('b').kv],
      ];
      for (const [ns, kv] of handles) {
        await kv.set('shared', ns);
        await kv.set(`only-${ns}`, ns);
      }
      for (const [ns, kv] of handles) {
        expect(await kv.get('shared')).toBe(ns);
        expect(await kv.getMany(['shared', ...handles.map(([n]) => `only-${n}`)])).toEqual([
          ns,
          ...handles.map(([n]) => (n === ns ? ns : undefined)),
        ]);
        expect(keysOf(await listAll(kv))).toEqual([`only-${ns}`, 'shared']);
        expect(keysOf(await listAll(kv, 'only-'))).toEqual([`only-${ns}`]);
        for (const [n] of handles) if (n !== ns) expect(await kv.has(`only-${n}`)).toBe(false);
      }
      // Writes through one handle never touch another namespace's record of the same key.
      const a = mx.scope('a').kv;
      await a.update('shared', () => 'changed');
      await mx.scope('a/b').kv.delete('shared');
      expect(await mx.kv.get('shared')).toBe('default');
      expect(await a.get('shared')).toBe('changed');
      expect(await mx.scope('b').kv.get('shared')).toBe('b');
      // ifVersion is per namespace too: a version from another namespace never matches.
      const vDefault = must(await mx.kv.getEntry('shared')).version;
      await conflict(mx.scope('b').kv.set('shared', 'x', { ifVersion: vDefault }));
    });

    it("the root handle is the namespace 'default'", async () => {
      const mx = await open();
      await mx.kv.set('k', 'root');
      expect(mx.ns).toBe('default');
      expect(await mx.scope('default').kv.get('k')).toBe('root');
      expect(mx.scope('x').ns).toBe('x');
    });

    it('namespaces() lists each namespace that holds records, in name order, with counts per store', async () => {
      const mx = await open();
      await mx.kv.set('k', 1);
      await mx.scope('b/x').kv.setMany([
        { key: 'k1', value: 1 },
        { key: 'k2', value: 2 },
      ]);
      await mx.scope('a').profiles.set('u1', { name: 'Ada' });
      const list = await mx.namespaces();
      expect(list.map((n) => n.ns)).toEqual(['a', 'b/x', 'default']);
      expect(list.find((n) => n.ns === 'b/x')!.records.kv).toBe(2);
      expect(list.find((n) => n.ns === 'a')!.records).toEqual({ profiles: 1 });
      expect(list.find((n) => n.ns === 'default')!.records.kv).toBe(1);
    });

    it('transactions and clear stay inside their namespace', async () => {
      const mx = await open();
      const a = mx.scope('a').kv;
      await mx.kv.set('k', 'root');
      await a.transaction((tx) => {
        expect(tx.get('k')).toBeUndefined();
        tx.set('k', 'a');
      });
      expect(await mx.kv.get('k')).toBe('root');
      expect(await mx.scope('a/b').kv.clear()).toBe(0);
      expect(await a.get('k')).toBe('a');
    });

    it('events of one namespace are not visible from another (since and watch)', async () => {
      const mx = await open();
      const from = await mx.events.lastSeq();
      await mx.kv.set('k', 1);
      await mx.scope('a').kv.set('k', 2);
      await mx.scope('a/b').kv.set('k', 3);
      const nsOf = async (s: MemexScope) => (await s.events.since(from)).map((e) => e.ns);
      expect(await nsOf(mx)).toEqual(['default']);
      expect(await nsOf(mx.scope('a'))).toEqual(['a']);
      expect(await nsOf(mx.scope('a/b'))).toEqual(['a/b']);
      expect(await nsOf(mx.scope('b'))).toEqual([]);

      const got: MemexEvent[] = [];
      const w = waitFor(() => got.length >= 1);
      const fromWatch = await mx.events.lastSeq();
      const stop = mx.scope('a').events.watch(
        (e) => {
          got.push(e);
          w.poke();
        },
        { intervalMs: 5, fromSeq: fromWatch },
      );
      try {
        await mx.kv.set('k', 'root-not-seen');
        await mx.scope('a/b').kv.set('k', 'child-not-seen');
        await mx.scope('a').kv.set('k', 'seen');
        await w.promise;
      } finally {
        stop();
      }
      expect(got[0]).toMatchObject({ ns: 'a', key: 'k', op: 'set' });
      expect(got.every((e) => e.ns === 'a')).toBe(true);
    });

    it('invalid namespaces are refused with ValidationError', async () => {
      const mx = await open();
      for (const ns of ['', 'a//b', '/a', 'a/', 'a b', '../x', 'a/../b', '.', 'a/./b', 'ä', 'a\0', 'a/b/c/d/e/f/g/h/i', 'x'.repeat(300)]) {
        expect(() => mx.scope(ns), JSON.stringify(ns)).toThrow(ValidationError);
      }
      expect(() => mx.scope(42 as unknown as string)).toThrow(ValidationError);
      for (const ns of ['a', 'A-b_c.d', 'a/b/c/d/e/f/g/h', 'x'.repeat(200)]) expect(mx.scope(ns).ns).toBe(ns);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('immutable reads', () => {
    type Doc = { a: { list: number[]; s: string }; n: number };
    const doc: Doc = { a: { list: [1, 2], s: 'x' }, n: 1 };

    it('values returned by get / getEntry / getMany / list / update / tx are deeply frozen', async () => {
      const { kv } = await open();
      await kv.set('k', doc);
      const fromGet = must(await kv.get<Doc>('k'));
      const entry = must(await kv.getEntry<Doc>('k'));
      const [fromMany] = await kv.getMany<Doc>(['k']);
      const listed = (await kv.list<Doc>()).items;
      const fromUpdate = must(await kv.update<Doc>('k', (cur) => ({ ...(must(cur) as Doc), n: 2 })));
      let fromTx: unknown;
      let entryTx: unknown;
      let updTx: unknown;
      await kv.transaction((tx) => {
        fromTx = tx.get('k');
        entryTx = tx.getEntry('k');
        updTx = tx.update<Doc>('k', (cur) => must(cur));
      });
      for (const [label, v] of Object.entries({ fromGet, entry, fromMany, listedItem: listed[0], fromUpdate, fromTx, entryTx, updTx })) {
        expect(v, label).toBeTypeOf('object');
        expect(isDeeplyFrozen(v), label).toBe(true);
      }
    });

    it('mutating a returned value throws in strict mode and never reaches the store', async () => {
      const { kv } = await open();
      await kv.set('k', doc);
      const v = must(await kv.get<Doc>('k'));
      const mutable = v as unknown as Doc;
      expect(() => {
        // @ts-expect-error reads are typed DeepReadonly
        v.n = 99;
      }).toThrow(TypeError);
      expect(() => mutable.a.list.push(3)).toThrow(TypeError);
      expect(() => {
        mutable.a.s = 'changed';
      }).toThrow(TypeError);
      expect(() => {
        delete (mutable as Partial<Doc>).n;
      }).toThrow(TypeError);
      const e = must(await kv.getEntry<Doc>('k'));
      expect(() => {
        (e as unknown as { version: number }).version = 1;
      }).toThrow(TypeError);
      expect(() => {
        (e.value as unknown as Doc).a.list[0] = 7;
      }).toThrow(TypeError);
      const [m] = await kv.getMany<Doc>(['k']);
      expect(() => (must(m) as unknown as Doc).a.list.pop()).toThrow(TypeError);
      expect(await kv.get('k')).toEqual(doc);
    });

    it('update hands fn a frozen value: mutating it throws and nothing is written', async () => {
      const mx = await open();
      await mx.kv.set('k', doc);
      const before = await snapshot(mx);
      const e = await caught(
        mx.kv.update<Doc>('k', (cur) => {
          (must(cur) as Doc).a.list.push(3);
          return must(cur);
        }),
      );
      expect(e).toBeInstanceOf(TypeError);
      expect(await snapshot(mx)).toEqual(before);
    });

    it('a value passed to set / setMany / update / tx.set and mutated afterwards does not change the store', async () => {
      const { kv } = await open();
      const fresh = (): Doc => ({ a: { list: [1, 2], s: 'x' }, n: 1 });
      const mutate = (d: Doc) => {
        d.a.list.push(99);
        d.a.s = 'mutated';
        d.n = -1;
      };
      // Mutated after the call resolved...
      const v1 = fresh();
      await kv.set('k1', v1);
      mutate(v1);
      // ...and while the call is still in flight: the value is captured when the call is made.
      const v2 = fresh();
      const p2 = kv.set('k2', v2);
      mutate(v2);
      await p2;
      const v3 = fresh();
      const p3 = kv.setMany([{ key: 'k3', value: v3 }]);
      mutate(v3);
      await p3;
      const v4 = fresh();
      await kv.update('k4', () => v4);
      mutate(v4);
      const v5 = fresh();
      await kv.transaction((tx) => {
        tx.set('k5', v5);
        mutate(v5);
      });
      mutate(v5);
      expect(await kv.getMany(['k1', 'k2', 'k3', 'k4', 'k5'])).toEqual(Array.from({ length: 5 }, fresh));
    });
  });
}
