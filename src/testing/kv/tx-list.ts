import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, type KvTransaction } from '../../index.js';
import { caught, conflict, invalid, must, listAll, keysOf, snapshot, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvTxList({ open }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('transaction', () => {
    it('writes several keys atomically and resolves the callback result', async () => {
      const mx = await open();
      await mx.kv.set('alice', 100);
      await mx.kv.set('gone', 'x');
      const out = await mx.kv.transaction((tx) => {
        const a = tx.get<number>('alice') ?? 0;
        tx.set('alice', a - 30);
        tx.update<number>('bob', (b = 0) => b + 30);
        tx.delete('gone');
        return { moved: 30 };
      });
      expect(out).toEqual({ moved: 30 });
      expect(await mx.kv.getMany(['alice', 'bob', 'gone'])).toEqual([70, 30, undefined]);
    });

    it('a throwing callback rolls back every write and its error reaches the caller unchanged', async () => {
      const mx = await open();
      await mx.kv.set('a', 1);
      await mx.kv.set('b', 2);
      const before = await snapshot(mx);
      const boom = new Error('boom');
      const e = await caught(
        mx.kv.transaction((tx) => {
          tx.set('a', 10);
          tx.delete('b');
          tx.update<number>('c', () => 3);
          tx.set('d', 4, { ttlMs: 1000 });
          throw boom;
        }),
      );
      expect(e).toBe(boom);
      expect(await snapshot(mx)).toEqual(before);
    });

    it('sees its own writes', async () => {
      const { kv } = await open();
      await kv.set('k', 'committed');
      await kv.transaction((tx) => {
        expect(tx.get('k')).toBe('committed');
        const { version } = tx.set('k', 'mine');
        expect(tx.get('k')).toBe('mine');
        expect(tx.getEntry('k')).toMatchObject({ key: 'k', value: 'mine', version });
        expect(tx.update<string>('k', (cur) => `${cur}!`)).toBe('mine!');
        expect(tx.get('k')).toBe('mine!');
        expect(tx.delete('k')).toBe(true);
        expect(tx.has('k')).toBe(false);
        expect(tx.get('k')).toBeUndefined();
        expect(tx.delete('k')).toBe(false);
        tx.set('n', 1);
        expect(tx.has('n')).toBe(true);
        const v = must(tx.getEntry('n')).version;
        tx.set('n', 2, { ifVersion: v });
      });
      expect(await kv.getMany(['k', 'n'])).toEqual([undefined, 2]);
    });

    it('a ConflictError inside rolls everything back when it propagates; caught, the tx goes on', async () => {
      const mx = await open();
      const { version } = await mx.kv.set('a', 1);
      const before = await snapshot(mx);
      await conflict(
        mx.kv.transaction((tx) => {
          tx.set('x', 1);
          tx.set('a', 2, { ifVersion: version + 1 });
        }),
      );
      expect(await snapshot(mx)).toEqual(before);
      await mx.kv.transaction((tx) => {
        tx.set('x', 1);
        expect(() => tx.set('a', 2, { ifVersion: 0 })).toThrow(ConflictError);
        expect(() => tx.delete('a', { ifVersion: version + 5 })).toThrow(ConflictError);
      });
      expect(await mx.kv.getMany(['x', 'a'])).toEqual([1, 1]);
      expect(must(await mx.kv.getEntry('a')).version).toBe(version);
    });

    it('a tx handle used after its callback ended throws and writes nothing', async () => {
      const mx = await open();
      let leaked: KvTransaction | undefined;
      await mx.kv.transaction((tx) => {
        leaked = tx;
        tx.set('a', 1);
      });
      const tx = must(leaked, 'tx');
      const before = await snapshot(mx);
      expect(() => tx.get('a')).toThrow(ValidationError);
      expect(() => tx.has('a')).toThrow(ValidationError);
      expect(() => tx.getEntry('a')).toThrow(ValidationError);
      expect(() => tx.set('b', 2)).toThrow(ValidationError);
      expect(() => tx.delete('a')).toThrow(ValidationError);
      expect(() => tx.update('a', () => 5)).toThrow(ValidationError);
      expect(await snapshot(mx)).toEqual(before);
    });

    it('an async callback is refused with ValidationError and nothing is written', async () => {
      const mx = await open();
      await mx.kv.set('a', 1);
      const before = await snapshot(mx);
      await invalid(
        mx.kv.transaction(async (tx) => {
          tx.set('a', 2);
          tx.set('b', 3);
          return 'done';
        }),
      );
      await invalid(
        mx.kv.transaction((tx) => {
          tx.delete('a');
          return Promise.resolve(1);
        }),
      );
      await invalid(mx.kv.transaction(42 as unknown as () => void));
      expect(await snapshot(mx)).toEqual(before);
    });

    it('tx writes validate their input like the store methods', async () => {
      const mx = await open();
      await mx.kv.transaction((tx) => {
        expect(() => tx.set('', 1)).toThrow(ValidationError);
        expect(() => tx.set('a', Number.NaN)).toThrow(ValidationError);
        expect(() => tx.set('a', 1, { ttlMs: 0 })).toThrow(ValidationError);
        expect(() => tx.update('a', () => ({ f: () => 1 }))).toThrow(ValidationError);
        expect(() => tx.update('a', () => Promise.resolve(1) as unknown)).toThrow(ValidationError);
        tx.set('ok', 1);
      });
      expect(keysOf(await listAll(mx.kv))).toEqual(['ok']);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('list', () => {
    it('lists entries in key order with their values and versions', async () => {
      const { kv } = await open();
      const versions = new Map<string, number>();
      for (const k of ['b', 'a', 'c/1', 'c', 'a0']) versions.set(k, (await kv.set(k, k.toUpperCase())).version);
      const page = await kv.list();
      expect(page.cursor).toBeUndefined();
      expect(keysOf(page.items)).toEqual(['a', 'a0', 'b', 'c', 'c/1']);
      for (const e of page.items) expect(e).toMatchObject({ value: e.key.toUpperCase(), version: versions.get(e.key) });
      expect((await kv.list({ prefix: 'zzz' })).items).toEqual([]);
    });

    it('a prefix that is a prefix of other prefixes matches exactly the keys that start with it', async () => {
      const { kv } = await open();
      const keys = ['use', 'user', 'user:1', 'user:10', 'user:2', 'user:2:x', 'users:1', 'usera', 'uses', 'v'];
      for (const k of keys) await kv.set(k, 1);
      for (const prefix of ['u', 'us', 'use', 'user', 'user:', 'user:1', 'user:2', 'users', 'user:3', 'v', 'w']) {
        const expected = keys.filter((k) => k.startsWith(prefix)).sort();
        expect(keysOf(await listAll(kv, prefix)), `prefix ${prefix}`).toEqual(expected);
        expect(keysOf(await listAll(kv, prefix, 1)), `prefix ${prefix}, limit 1`).toEqual(expected);
      }
    });

    it('prefix characters that are wildcards elsewhere (% _ * ? [ \\) match literally', async () => {
      const { kv } = await open();
      const keys = ['a%b', 'a%c', 'axb', 'a_b', 'acb', 'a*b', 'azzb', 'a?b', 'aqb', 'a[b', 'a\\b', 'abc'];
      for (const k of keys) await kv.set(k, k);
      for (const prefix of ['a%', 'a_', 'a*', 'a?', 'a[', 'a\\']) {
        expect(keysOf(await listAll(kv, prefix)), `prefix ${prefix}`).toEqual(keys.filter((k) => k.startsWith(prefix)).sort());
      }
    });

    it('cursor paging through 250 keys returns each exactly once, and only keys under the prefix', async () => {
      const { kv } = await open();
      const entries = Array.from({ length: 250 }, (_, i) => ({ key: `item:${String(i).padStart(4, '0')}`, value: i }));
      await kv.setMany(entries);
      await kv.setMany([
        { key: 'item', value: 'no' },
        { key: 'item;', value: 'no' },
        { key: 'iteM:1', value: 'no' },
        { key: 'a', value: 'no' },
        { key: 'j', value: 'no' },
      ]);
      for (const limit of [1, 7, 50, 125, 249, 250, 1000]) {
        const got: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await kv.list({ prefix: 'item:', limit, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          if (page.cursor !== undefined) expect(page.items.length).toBe(limit);
          got.push(...keysOf(page.items));
          cursor = page.cursor;
          pages++;
        } while (cursor !== undefined);
        expect(got, `limit ${limit}`).toEqual(entries.map((e) => e.key));
        expect(pages, `limit ${limit}`).toBe(Math.ceil(250 / limit));
      }
    });

    it('no cursor is returned when the last page is exactly full', async () => {
      const { kv } = await open();
      await kv.setMany(Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: i })));
      const p1 = await kv.list({ limit: 5 });
      expect(p1.items).toHaveLength(5);
      const p2 = await kv.list({ limit: 5, cursor: must(p1.cursor, 'cursor') });
      expect(p2.items).toHaveLength(5);
      expect(p2.cursor).toBeUndefined();
    });

    it('paging while others write: untouched keys come exactly once, deleted keys never after deletion', async () => {
      const { kv } = await open();
      const keys = Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      await kv.setMany(keys.map((key) => ({ key, value: 0 })));
      const got: string[] = [];
      let cursor: string | undefined;
      let round = 0;
      do {
        const page = await kv.list({ limit: 10, ...(cursor ? { cursor } : {}) });
        got.push(...keysOf(page.items));
        cursor = page.cursor;
        // Between pages: delete a key not yet seen, re-write one already seen, add one behind the cursor.
        if (round === 0) {
          await kv.delete('k055');
          await kv.set('k000', 1);
          await kv.set('k000a', 1);
        }
        round++;
      } while (cursor !== undefined);
      expect(new Set(got).size).toBe(got.length);
      expect(got).not.toContain('k055');
      for (const k of keys) if (k !== 'k055') expect(got).toContain(k);
    });

    it('unicode keys are distinct (no normalization), round-trip and are listed exactly once', async () => {
      const { kv } = await open();
      const keys = ['é', 'e\u0301', 'ключ', '键', '🔑', '🔑🔑', 'a\u{1F600}b', '\uFFFD', '\uE000', 'Z', 'ß', 'ss', 'x y', 'tab\tkey', 'new\nline'];
      for (const [i, k] of keys.entries()) await kv.set(k, i);
      for (const [i, k] of keys.entries()) expect(await kv.get(k), JSON.stringify(k)).toBe(i);
      for (const limit of [1, 3, 100]) {
        const listed = keysOf(await listAll(kv, undefined, limit));
        expect([...listed].sort(), `limit ${limit}`).toEqual([...keys].sort());
      }
      expect(keysOf(await listAll(kv, '🔑'))).toEqual(['🔑', '🔑🔑']);
      expect(keysOf(await listAll(kv, 'e'))).toEqual(['e\u0301']);
      expect(keysOf(await listAll(kv, '\u{1F511}\u{1F511}'))).toEqual(['🔑🔑']);
    });

    it('bad list options are refused with ValidationError', async () => {
      const { kv } = await open();
      await kv.set('a', 1);
      await invalid(kv.list({ limit: 0 }));
      await invalid(kv.list({ limit: -1 }));
      await invalid(kv.list({ limit: 1.5 }));
      await invalid(kv.list({ limit: '5' as unknown as number }));
      await invalid(kv.list({ cursor: 'not a cursor!' }));
      await invalid(kv.list({ cursor: 5 as unknown as string }));
      await invalid(kv.list({ prefix: 'a\0' }));
      await invalid(kv.list({ limt: 5 } as unknown as { limit: number }));
      await invalid(kv.list('a' as never));
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('clear', () => {
    it('removes every key of its namespace, returns the count and leaves other namespaces alone', async () => {
      const mx = await open();
      const a = mx.scope('a').kv;
      const ab = mx.scope('a/b').kv;
      const other = mx.scope('ab').kv;
      await mx.kv.setMany([
        { key: 'r1', value: 1 },
        { key: 'r2', value: 2 },
      ]);
      await a.setMany([
        { key: 'x', value: 1 },
        { key: 'y', value: 2 },
        { key: 'z', value: 3 },
      ]);
      await ab.setMany([{ key: 'x', value: 'ab' }]);
      await other.setMany([{ key: 'x', value: 'other' }]);
      const from = await mx.events.lastSeq();
      expect(await a.clear()).toBe(3);
      expect(await listAll(a)).toEqual([]);
      expect(await a.get('x')).toBeUndefined();
      expect(keysOf(await listAll(mx.kv))).toEqual(['r1', 'r2']);
      expect(await ab.get('x')).toBe('ab');
      expect(await other.get('x')).toBe('other');
      const ev = await mx.scope('a').events.since(from);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ ns: 'a', store: 'kv', key: null, op: 'clear' });
      expect(await a.clear()).toBe(0);
      expect(await mx.kv.clear()).toBe(2);
      expect(await ab.get('x')).toBe('ab');
    });

    it('a key can be written again after clear, with a fresh version', async () => {
      const { kv } = await open();
      const { version } = await kv.set('k', 1);
      await kv.clear();
      await conflict(kv.set('k', 2, { ifVersion: version }));
      const r = await kv.set('k', 2, { ifVersion: 0 });
      expect(r.version).toBeGreaterThan(version);
    });
  });
}
