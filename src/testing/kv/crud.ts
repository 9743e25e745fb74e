import { describe, expect, it } from 'vitest';
import { caught, conflict, invalid, must, listAll, keysOf, snapshot, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvCrud({ open, withClock }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('get / getEntry / has / set', () => {
    it('an absent key reads as undefined / false', async () => {
      const { kv } = await open();
      expect(await kv.get('nope')).toBeUndefined();
      expect(await kv.getEntry('nope')).toBeUndefined();
      expect(await kv.has('nope')).toBe(false);
    });

    it('set then get round-trips every kind of JSON value (null and falsy values included)', async () => {
      const { kv } = await open();
      const values: unknown[] = [null, 0, -1.5, 1e300, '', 'text', true, false, [], {}, [1, 'a', null, [2]], { a: { b: [1, { c: 'd' }] }, e: null }];
      for (const [i, v] of values.entries()) await kv.set(`k${i}`, v);
      for (const [i, v] of values.entries()) {
        expect(await kv.get(`k${i}`)).toEqual(v);
        expect(await kv.has(`k${i}`)).toBe(true);
      }
    });

    it('getEntry returns { key, value, version, updatedAt, expiresAt } with the clock of the write', async () => {
      const { kv, clock } = await withClock();
      const t0 = clock.nowMs;
      const { version } = await kv.set('plain', { n: 1 });
      clock.advance(10);
      const r2 = await kv.set('ttl', 'x', { ttlMs: 5000 });
      const plain = must(await kv.getEntry('plain'));
      expect(plain).toEqual({ key: 'plain', value: { n: 1 }, version, updatedAt: t0, expiresAt: null });
      const ttl = must(await kv.getEntry('ttl'));
      expect(ttl).toEqual({ key: 'ttl', value: 'x', version: r2.version, updatedAt: t0 + 10, expiresAt: t0 + 10 + 5000 });
      clock.advance(5);
      await kv.set('plain', { n: 2 });
      expect(must(await kv.getEntry('plain')).updatedAt).toBe(t0 + 15);
    });

    it('the version changes on every write (same value included) and set returns the stored version', async () => {
      const { kv } = await open();
      const versions: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { version } = await kv.set('k', 'same');
        expect(Number.isSafeInteger(version)).toBe(true);
        expect(version).toBeGreaterThan(0);
        expect(must(await kv.getEntry('k')).version).toBe(version);
        versions.push(version);
      }
      expect(new Set(versions).size).toBe(5);
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
      await kv.update('k', () => 'same');
      const afterUpdate = must(await kv.getEntry('k')).version;
      expect(afterUpdate).toBeGreaterThan(versions.at(-1)!);
    });

    it('a version never repeats for a key, even after delete and re-create', async () => {
      const { kv } = await open();
      const seen = new Set<number>();
      for (let round = 0; round < 5; round++) {
        const { version } = await kv.set('k', round);
        expect(seen.has(version)).toBe(false);
        seen.add(version);
        expect(await kv.delete('k')).toBe(true);
      }
      const first = Math.min(...seen);
      // A stale version from a previous life of the key must never match again.
      await conflict(kv.set('k', 'stale', { ifVersion: first }));
      expect(await kv.get('k')).toBeUndefined();
      const { version } = await kv.set('k', 'again', { ifVersion: 0 });
      expect(seen.has(version)).toBe(false);
      expect(version).toBeGreaterThan(Math.max(...seen));
    });

    it('set overwrites the value', async () => {
      const { kv } = await open();
      await kv.set('k', { a: 1 });
      await kv.set('k', [1, 2]);
      expect(await kv.get('k')).toEqual([1, 2]);
      expect(keysOf(await listAll(kv))).toEqual(['k']);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('compare-and-set (ifVersion) and delete', () => {
    it('set with a matching ifVersion writes and returns a new version', async () => {
      const { kv } = await open();
      const { version: v1 } = await kv.set('k', 1);
      const { version: v2 } = await kv.set('k', 2, { ifVersion: v1 });
      expect(v2).not.toBe(v1);
      expect(await kv.getEntry('k')).toMatchObject({ value: 2, version: v2 });
    });

    it('a mismatching ifVersion throws ConflictError (version_conflict) and writes nothing', async () => {
      const mx = await open();
      const store = mx.kv;
      const { version: v1 } = await store.set('k', 'one', { ttlMs: 60_000 });
      const { version: v2 } = await store.set('k', 'two', { ttlMs: 60_000 });
      const before = await snapshot(mx);
      for (const bad of [v1, v2 + 1000, 0]) {
        await conflict(store.set('k', 'three', { ifVersion: bad }), `ifVersion ${bad}`);
        await conflict(store.set('k', 'three', { ifVersion: bad, ttlMs: 5 }), `ifVersion ${bad} with ttl`);
      }
      expect(await snapshot(mx)).toEqual(before);
      expect(await store.getEntry('k')).toMatchObject({ value: 'two', version: v2 });
    });

    it('ifVersion 0 writes only if the key is absent', async () => {
      const { kv } = await open();
      const { version } = await kv.set('k', 'first', { ifVersion: 0 });
      await conflict(kv.set('k', 'second', { ifVersion: 0 }));
      expect(await kv.getEntry('k')).toMatchObject({ value: 'first', version });
    });

    it('a non-zero ifVersion on an absent key conflicts', async () => {
      const { kv } = await open();
      const { version } = await kv.set('other', 1);
      await conflict(kv.set('k', 1, { ifVersion: version }));
      await conflict(kv.set('k', 1, { ifVersion: 1 }));
      expect(await kv.has('k')).toBe(false);
    });

    it('delete resolves true when the key existed and false when it did not', async () => {
      const { kv } = await open();
      await kv.set('k', 1);
      expect(await kv.delete('k')).toBe(true);
      expect(await kv.has('k')).toBe(false);
      expect(await kv.delete('k')).toBe(false);
      expect(await kv.delete('never')).toBe(false);
    });

    it('delete with ifVersion: match deletes, mismatch throws ConflictError and deletes nothing', async () => {
      const mx = await open();
      const { version: v1 } = await mx.kv.set('k', 1);
      const { version: v2 } = await mx.kv.set('k', 2);
      const before = await snapshot(mx);
      await conflict(mx.kv.delete('k', { ifVersion: v1 }));
      await conflict(mx.kv.delete('k', { ifVersion: 0 }));
      await conflict(mx.kv.delete('k', { ifVersion: v2 + 1 }));
      expect(await snapshot(mx)).toEqual(before);
      expect(await mx.kv.delete('k', { ifVersion: v2 })).toBe(true);
      expect(await mx.kv.has('k')).toBe(false);
      // ifVersion 0 on an absent key matches "absent": nothing to delete.
      expect(await mx.kv.delete('k', { ifVersion: 0 })).toBe(false);
      await conflict(mx.kv.delete('k', { ifVersion: v2 }));
      expect(await mx.kv.has('k')).toBe(false);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('getMany / setMany', () => {
    it('getMany is aligned with its keys, undefined for missing ones, duplicates allowed', async () => {
      const { kv } = await open();
      await kv.set('a', 1);
      await kv.set('c', { x: 3 });
      expect(await kv.getMany(['a', 'b', 'c', 'a', 'zz'])).toEqual([1, undefined, { x: 3 }, 1, undefined]);
      expect(await kv.getMany([])).toEqual([]);
      expect(await kv.getMany(['missing'])).toEqual([undefined]);
    });

    it('getEntries is aligned with its keys: each record as getEntry returns it, undefined for missing ones', async () => {
      const { kv } = await open();
      await kv.set('a', 1);
      await kv.set('c', { x: 3 }, { ttlMs: 60_000 });
      const one = await Promise.all(['a', 'b', 'c'].map((k) => kv.getEntry(k)));
      expect(await kv.getEntries(['a', 'b', 'c', 'a'])).toEqual([...one, one[0]]);
      expect(await kv.getEntries([])).toEqual([]);
      expect((await invalid(kv.getEntries('a' as never))).field).toBe('keys');
    });

    it('setMany writes every entry with its own ttl and returns the stored versions', async () => {
      const { kv, clock } = await withClock();
      await kv.set('b', 'old');
      const { versions } = await kv.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: [2], ttlMs: 1000 },
        { key: 'c', value: { c: 3 }, ifVersion: 0 },
      ]);
      expect(versions).toHaveLength(3);
      expect(new Set(versions).size).toBe(3);
      const entries = await Promise.all(['a', 'b', 'c'].map(async (k) => must(await kv.getEntry(k))));
      expect(entries.map((e) => e.version)).toEqual(versions);
      expect(entries.map((e) => e.value)).toEqual([1, [2], { c: 3 }]);
      expect(entries.map((e) => e.expiresAt)).toEqual([null, clock.nowMs + 1000, null]);
    });

    it('setMany is all or nothing: one failing ifVersion aborts the whole batch', async () => {
      const mx = await open();
      const kv = mx.kv;
      const { version: va } = await kv.set('a', 'a0');
      const { version: vb } = await kv.set('b', 'b0');
      const before = await snapshot(mx);
      // The bad entry is last, first and in the middle: none of the others may land.
      const batches = [
        [
          { key: 'a', value: 'a1', ifVersion: va },
          { key: 'new1', value: 'n' },
          { key: 'b', value: 'b1', ifVersion: vb + 999 },
        ],
        [
          { key: 'b', value: 'b1', ifVersion: 0 },
          { key: 'a', value: 'a1', ifVersion: va },
          { key: 'new1', value: 'n' },
        ],
        [
          { key: 'new1', value: 'n' },
          { key: 'new2', value: 'n', ifVersion: 7 },
          { key: 'a', value: 'a1' },
        ],
      ];
      for (const b of batches) await conflict(kv.setMany(b));
      expect(await snapshot(mx)).toEqual(before);
    });

    it('setMany rejects duplicate keys and non-JSON values with ValidationError and writes nothing', async () => {
      const mx = await open();
      await mx.kv.set('a', 0);
      const before = await snapshot(mx);
      const dup = await invalid(
        mx.kv.setMany([
          { key: 'x', value: 1 },
          { key: 'a', value: 2 },
          { key: 'x', value: 3 },
        ]),
      );
      expect(dup.field).toContain('entries[2]');
      const bad = await invalid(
        mx.kv.setMany([
          { key: 'x', value: 1 },
          { key: 'y', value: { n: Number.NaN } },
        ]),
      );
      expect(bad.field).toContain('entries[1]');
      await invalid(mx.kv.setMany([{ key: '', value: 1 }]));
      await invalid(mx.kv.setMany([{ key: 'x', value: 1, ttlMs: -1 }]));
      await invalid(mx.kv.setMany([null as unknown as { key: string; value: unknown }]));
      await invalid(mx.kv.setMany('nope' as unknown as []));
      expect(await snapshot(mx)).toEqual(before);
    });

    it('setMany of an empty array writes nothing', async () => {
      const mx = await open();
      const before = await snapshot(mx);
      await mx.kv.setMany([]);
      expect(await snapshot(mx)).toEqual(before);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('update', () => {
    it('on an absent key fn receives undefined; the result is stored and returned', async () => {
      const { kv } = await open();
      const seen: unknown[] = [];
      const out = await kv.update<{ n: number }>('k', (cur) => {
        seen.push(cur);
        return { n: 1 };
      });
      expect(seen).toEqual([undefined]);
      expect(out).toEqual({ n: 1 });
      expect(await kv.get('k')).toEqual({ n: 1 });
    });

    it('fn receives the current value, and every update makes a new version', async () => {
      const { kv } = await open();
      const { version } = await kv.set('k', { n: 41, tags: ['a'] });
      const out = await kv.update<{ n: number; tags: string[] }>('k', (cur) => ({ n: must(cur).n + 1, tags: [...must(cur).tags, 'b'] }));
      expect(out).toEqual({ n: 42, tags: ['a', 'b'] });
      const e = must(await kv.getEntry('k'));
      expect(e.value).toEqual({ n: 42, tags: ['a', 'b'] });
      expect(e.version).toBeGreaterThan(version);
    });

    it('returning undefined deletes the key', async () => {
      const mx = await open();
      await mx.kv.set('k', 1);
      const from = await mx.events.lastSeq();
      expect(await mx.kv.update('k', () => undefined)).toBeUndefined();
      expect(await mx.kv.has('k')).toBe(false);
      const ev = await mx.events.since(from);
      expect(ev.map((e) => [e.op, e.key])).toEqual([['delete', 'k']]);
      // On an absent key, returning undefined writes nothing at all.
      const before = await snapshot(mx);
      expect(await mx.kv.update('absent', () => undefined)).toBeUndefined();
      expect(await snapshot(mx)).toEqual(before);
    });

    it('a throwing fn writes nothing and its error reaches the caller unchanged', async () => {
      const mx = await open();
      await mx.kv.set('k', { n: 1 });
      const before = await snapshot(mx);
      class Boom extends Error {}
      const boom = new Boom('boom');
      expect(
        await caught(
          mx.kv.update('k', () => {
            throw boom;
          }),
        ),
      ).toBe(boom);
      expect(
        await caught(
          mx.kv.update('absent', () => {
            throw boom;
          }),
        ),
      ).toBe(boom);
      expect(await snapshot(mx)).toEqual(before);
    });

    it('an fn that returns a promise (async fn) is refused with ValidationError and nothing is written', async () => {
      const mx = await open();
      await mx.kv.set('k', 1);
      const before = await snapshot(mx);
      await invalid(mx.kv.update('k', () => Promise.resolve(2) as unknown as number));
      await invalid(mx.kv.update('k', (async () => 3) as unknown as () => number));
      await invalid(mx.kv.update('absent', () => Promise.resolve(2) as unknown as number));
      expect(await snapshot(mx)).toEqual(before);
    });

    it('an fn that returns a non-JSON value is refused with ValidationError and nothing is written', async () => {
      const mx = await open();
      await mx.kv.set('k', 1);
      const before = await snapshot(mx);
      await invalid(mx.kv.update('k', () => ({ f: () => 1 })));
      await invalid(mx.kv.update('k', () => Number.NaN));
      await invalid(mx.kv.update('k', () => 10n));
      expect(await snapshot(mx)).toEqual(before);
    });

    it('update with a non-function fn is refused', async () => {
      const mx = await open();
      const before = await snapshot(mx);
      await invalid(mx.kv.update('k', 42 as unknown as () => number));
      expect(await snapshot(mx)).toEqual(before);
    });
  });
}
