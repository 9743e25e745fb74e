import { describe, expect, it } from 'vitest';
import { ClosedError, ConflictError } from '../../index.js';
import { caught, rejectsWith, invalid, must, snapshot, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvState({ open, factory }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('closed', () => {
    it('every kv method rejects with ClosedError (code closed) after close, and nothing runs', async () => {
      const mx = await open();
      const scoped = mx.scope('s');
      await mx.kv.set('a', 1);
      await mx.close();
      await mx.close(); // idempotent
      let fnCalls = 0;
      const count = () => {
        fnCalls++;
        return 1;
      };
      for (const [label, kv] of [
        ['root', mx.kv],
        ['scoped', scoped.kv],
      ] as const) {
        const calls: [string, () => Promise<unknown>][] = [
          ['get', () => kv.get('a')],
          ['getEntry', () => kv.getEntry('a')],
          ['has', () => kv.has('a')],
          ['set', () => kv.set('a', 2)],
          ['set ifVersion', () => kv.set('a', 2, { ifVersion: 0 })],
          ['delete', () => kv.delete('a')],
          ['getMany', () => kv.getMany(['a'])],
          ['setMany', () => kv.setMany([{ key: 'a', value: 2 }])],
          ['update', () => kv.update('a', count)],
          ['transaction', () => kv.transaction(count)],
          ['list', () => kv.list()],
          ['clear', () => kv.clear()],
        ];
        for (const [name, call] of calls) await rejectsWith(call(), ClosedError, 'closed', `${label} kv.${name}`);
      }
      await rejectsWith(scoped.events.since(0), ClosedError, 'closed', 'events.since');
      await rejectsWith(mx.sweep(), ClosedError, 'closed', 'sweep');
      await rejectsWith(mx.stats(), ClosedError, 'closed', 'stats');
      await rejectsWith(mx.health(), ClosedError, 'closed', 'health');
      expect(() => mx.scope('t')).toThrow(ClosedError);
      expect(fnCalls).toBe(0);
    });

    it('writes queued before close finish; calls made after close are refused', async () => {
      const fx = await factory();
      const kv = fx.mx.kv;
      const queued = Array.from({ length: 10 }, (_, i) => kv.set(`q${i}`, i));
      const closing = fx.mx.close();
      await rejectsWith(kv.set('after', 1), ClosedError, 'closed');
      await closing;
      // close() is documented to finish what was queued: every queued write resolves.
      const settled = await Promise.allSettled(queued);
      expect(
        settled.map((s) => s.status),
        'every write queued before close resolves',
      ).toEqual(queued.map(() => 'fulfilled'));
      if (fx.reopen) {
        const mx2 = await fx.reopen();
        expect(await mx2.kv.getMany(queued.map((_, i) => `q${i}`))).toEqual(queued.map((_, i) => i));
        expect(await mx2.kv.has('after')).toBe(false);
      }
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('concurrency inside one process', () => {
    it('200 concurrent update() calls on one key give exactly 200, each seeing a distinct value', async () => {
      const { kv } = await open();
      const results = await Promise.all(Array.from({ length: 200 }, () => kv.update<number>('n', (n = 0) => n + 1)));
      expect(await kv.get('n')).toBe(200);
      expect([...results].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    });

    it('concurrent updates through different handles of one namespace are not lost', async () => {
      const mx = await open();
      const handles = [mx.scope('c').kv, mx.scope('c').kv, mx.scope('c').kv];
      await Promise.all(Array.from({ length: 150 }, (_, i) => handles[i % 3]!.update<number>('n', (n = 0) => n + 1)));
      expect(await mx.scope('c').kv.get('n')).toBe(150);
    });

    it('concurrent set with the same ifVersion: exactly one winner, every other call conflicts', async () => {
      const mx = await open();
      const kv = mx.kv;
      const { version } = await kv.set('k', 'start');
      const s0 = await mx.stats();
      const settled = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => kv.set('k', i, { ifVersion: version })));
      const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ i, version: s.value.version }] : []));
      expect(won).toHaveLength(1);
      for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ConflictError);
      expect(await kv.getEntry('k')).toMatchObject({ value: won[0]!.i, version: won[0]!.version });
      expect((await mx.stats()).conflicts - s0.conflicts).toBe(49);
    });

    it('concurrent create with ifVersion 0 and concurrent delete with ifVersion: exactly one winner', async () => {
      const { kv } = await open();
      const created = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => kv.set('new', i, { ifVersion: 0 })));
      const winners = created.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await kv.get('new')).toBe(winners[0]);
      const { version } = must(await kv.getEntry('new'));
      const deleted = await Promise.allSettled(Array.from({ length: 30 }, () => kv.delete('new', { ifVersion: version })));
      expect(deleted.filter((s) => s.status === 'fulfilled' && s.value === true)).toHaveLength(1);
      expect(deleted.filter((s) => s.status === 'rejected' && s.reason instanceof ConflictError)).toHaveLength(29);
      expect(await kv.has('new')).toBe(false);
    });

    it('optimistic read-modify-write loops with ifVersion lose no increment', async () => {
      const { kv } = await open();
      await kv.set('n', 0);
      const worker = async () => {
        for (;;) {
          const e = must(await kv.getEntry<number>('n'));
          try {
            await kv.set('n', e.value + 1, { ifVersion: e.version });
            return;
          } catch (err) {
            if (!(err instanceof ConflictError)) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 40 }, worker));
      expect(await kv.get('n')).toBe(40);
    });

    it('concurrent transfer transactions keep the total; every getMany and read-only transaction sees it whole', async () => {
      const { kv } = await open();
      await kv.setMany([
        { key: 'a', value: 100 },
        { key: 'b', value: 100 },
      ]);
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) {
        work.push(
          kv.transaction((tx) => {
            const a = tx.get<number>('a') ?? 0;
            const b = tx.get<number>('b') ?? 0;
            tx.set('a', a - 1);
            tx.set('b', b + 1);
          }),
        );
        work.push(kv.getMany<number>(['a', 'b']).then(([a, b]) => expect((a ?? 0) + (b ?? 0)).toBe(200)));
        work.push(kv.transaction((tx) => (tx.get<number>('a') ?? 0) + (tx.get<number>('b') ?? 0)).then((sum) => expect(sum).toBe(200)));
      }
      await Promise.all(work);
      expect(await kv.getMany(['a', 'b'])).toEqual([0, 200]);
    });

    it('a failing write among concurrent ones fails alone', async () => {
      const mx = await open();
      const kv = mx.kv;
      const ops = Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? caught(
              kv.update(`k${i}`, () => {
                throw new Error(`fail ${i}`);
              }),
            )
          : kv.set(`k${i}`, i),
      );
      await Promise.all(ops);
      const expected = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? undefined : i));
      expect(await kv.getMany(expected.map((_, i) => `k${i}`))).toEqual(expected);
    });

    // Regression: reads are served from a cache of frozen values keyed by version. A version seen
    // inside a transaction that is rolled back is handed to the next write; the cache must not
    // return the rolled-back value for it.
    it('a rolled-back value never comes back under a reused version', async () => {
      const mx = await open();
      const kv = mx.kv;
      await kv.set('k', 'first');
      const e = await caught(
        kv.transaction((tx) => {
          tx.set('k', 'phantom');
          expect(tx.get('k')).toBe('phantom');
          throw new Error('roll back');
        }),
      );
      expect((e as Error).message).toBe('roll back');
      const { version } = await kv.set('k', 'real');
      expect(await kv.get('k')).toBe('real');
      expect((await kv.getEntry('k'))?.version).toBe(version);
      expect(await kv.getMany(['k'])).toEqual(['real']);
    });

    // Regression: group commit runs writes without savepoints; a transaction that writes and
    // then throws must be undone without losing or duplicating the writes grouped with it.
    it('a transaction that throws after writing, grouped with other writes, leaves no trace and the others land once', async () => {
      const mx = await open();
      const kv = mx.kv;
      const ops = Array.from({ length: 40 }, (_, i) =>
        i % 5 === 2
          ? caught(
              kv.transaction((tx) => {
                tx.set(`t${i}`, 'half');
                tx.update<number>('counter', (n = 0) => n + 1000);
                throw new Error(`abort ${i}`);
              }),
            )
          : kv.update<number>('counter', (n = 0) => n + 1),
      );
      const results = await Promise.all(ops);
      results.forEach((r, i) => {
        if (i % 5 === 2) expect((r as Error).message).toBe(`abort ${i}`);
      });
      expect(await kv.get('counter')).toBe(32);
      const halves = await kv.getMany(Array.from({ length: 40 }, (_, i) => `t${i}`));
      expect(halves.every((v) => v === undefined)).toBe(true);
      const events = await mx.events.since(0, { limit: 1000 });
      expect(events.filter((e) => e.key === 'counter')).toHaveLength(32);
      expect(events.some((e) => e.key?.startsWith('t'))).toBe(false);
    });
  });

  // -----------------------------------------------------------------------------------------
  describe('fails closed on bad input', () => {
    const badKeys: [string, unknown][] = [
      ['empty', ''],
      ['NUL', 'a\0b'],
      ['lone high surrogate', 'a\uD800'],
      ['lone low surrogate', '\uDC00'],
      ['over 512 UTF-8 bytes', 'é'.repeat(257)],
      ['number', 42],
      ['null', null],
      ['undefined', undefined],
      ['object', { k: 1 }],
    ];

    it('invalid keys are refused by every method with ValidationError naming the key; nothing is written', async () => {
      const mx = await open();
      const kv = mx.kv;
      await kv.set('k'.repeat(512), 'longest key is fine');
      const before = await snapshot(mx);
      for (const [label, bad] of badKeys) {
        const k = bad as string;
        const calls: [string, () => Promise<unknown>, string][] = [
          ['get', () => kv.get(k), 'key'],
          ['getEntry', () => kv.getEntry(k), 'key'],
          ['has', () => kv.has(k), 'key'],
          ['set', () => kv.set(k, 1), 'key'],
          ['delete', () => kv.delete(k), 'key'],
          ['update', () => kv.update(k, () => 1), 'key'],
          ['getMany', () => kv.getMany(['ok', k]), 'keys[1]'],
          [
            'setMany',
            () =>
              kv.setMany([
                { key: 'ok', value: 1 },
                { key: k, value: 1 },
              ]),
            'entries[1].key',
          ],
          [
            'transaction',
            () =>
              kv.transaction((tx) => {
                tx.set('ok', 1);
                tx.set(k, 1);
              }),
            'key',
          ],
        ];
        for (const [name, call, field] of calls) {
          const e = await invalid(call(), `${name}(${label})`);
          expect(e.field, `${name}(${label})`).toBe(field);
        }
      }
      expect(await snapshot(mx)).toEqual(before);
    });

    it('non-JSON values are refused by set / setMany / update / tx.set; nothing is written', async () => {
      const mx = await open({ maxValueBytes: 64 });
      const kv = mx.kv;
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const sparse: unknown[] = [1];
      sparse[2] = 3;
      const badValues: [string, unknown][] = [
        ['undefined', undefined],
        ['function', () => 1],
        ['symbol', Symbol('s')],
        ['BigInt', 10n],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['-Infinity', Number.NEGATIVE_INFINITY],
        ['nested NaN', { a: { b: [1, Number.NaN] } }],
        ['nested function', { a: { f: () => 1 } }],
        ['nested BigInt', [1, 2n]],
        ['cycle', cyclic],
        ['Date', new Date(0)],
        ['Map', new Map([['a', 1]])],
        [
          'class instance',
          new (class Point {
            x = 1;
          })(),
        ],
        ['__proto__ key', JSON.parse('{"__proto__": {"polluted": true}}')],
        ['nested __proto__ key', JSON.parse('{"a": {"__proto__": {"polluted": true}}}')],
        ['undefined in array', [1, undefined]],
        ['sparse array', sparse],
        ['lone surrogate string', 'a\uD800'],
        ['oversize (65 bytes of JSON)', 'x'.repeat(63)],
        ['oversize in UTF-8 bytes, not chars', 'é'.repeat(32)],
      ];
      const before = await snapshot(mx);
      for (const [label, v] of badValues) {
        const e1 = await invalid(kv.set('k', v), `set ${label}`);
        expect(e1.field, `set ${label}`).toMatch(/^value/);
        const e2 = await invalid(
          kv.setMany([
            { key: 'ok', value: 1 },
            { key: 'k', value: v },
          ]),
          `setMany ${label}`,
        );
        expect(e2.field, `setMany ${label}`).toMatch(/^entries\[1\]\.value/);
        if (v !== undefined)
          await invalid(
            kv.update('k', () => v),
            `update ${label}`,
          );
        await invalid(
          kv.transaction((tx) => {
            tx.set('ok', 1);
            tx.set('k', v);
          }),
          `tx.set ${label}`,
        );
      }
      const nested = await invalid(kv.set('k', { a: { b: [1, Number.NaN] } }));
      expect(nested.field).toContain('a');
      expect(nested.field).toContain('b');
      expect(await snapshot(mx)).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // At the limit exactly: accepted.
      await kv.set('max', 'x'.repeat(62));
      await kv.set('max-utf8', 'é'.repeat(31));
      expect(await kv.get('max')).toBe('x'.repeat(62));
      expect(await kv.get('max-utf8')).toBe('é'.repeat(31));
    });

    it('invalid options are refused with ValidationError naming the option; nothing is written', async () => {
      const mx = await open();
      const kv = mx.kv;
      await kv.set('k', 1);
      const before = await snapshot(mx);
      const cases: [string, () => Promise<unknown>, string][] = [
        ['ttlMs 0', () => kv.set('k', 2, { ttlMs: 0 }), 'ttlMs'],
        ['ttlMs negative', () => kv.set('k', 2, { ttlMs: -5 }), 'ttlMs'],
        ['ttlMs fractional', () => kv.set('k', 2, { ttlMs: 1.5 }), 'ttlMs'],
        ['ttlMs NaN', () => kv.set('k', 2, { ttlMs: Number.NaN }), 'ttlMs'],
        ['ttlMs string', () => kv.set('k', 2, { ttlMs: '100' as unknown as number }), 'ttlMs'],
        ['ifVersion negative', () => kv.set('k', 2, { ifVersion: -1 }), 'ifVersion'],
        ['ifVersion fractional', () => kv.set('k', 2, { ifVersion: 1.5 }), 'ifVersion'],
        ['ifVersion string', () => kv.set('k', 2, { ifVersion: '1' as unknown as number }), 'ifVersion'],
        ['unknown set option', () => kv.set('k', 2, { ttl: 100 } as unknown as { ttlMs: number }), 'ttl'],
        ['set options not an object', () => kv.set('k', 2, 5 as never), 'options'],
        ['delete ifVersion negative', () => kv.delete('k', { ifVersion: -1 }), 'ifVersion'],
        ['unknown delete option', () => kv.delete('k', { force: true } as never), 'force'],
        ['update ttlMs 0', () => kv.update('k', () => 2, { ttlMs: 0 }), 'ttlMs'],
        ['unknown update option', () => kv.update('k', () => 2, { ifVersion: 1 } as never), 'ifVersion'],
        ['setMany ttlMs', () => kv.setMany([{ key: 'k', value: 2, ttlMs: -1 }]), 'ttlMs'],
        ['getMany not an array', () => kv.getMany('k' as unknown as string[]), 'keys'],
      ];
      for (const [label, call, field] of cases) {
        const e = await invalid(call(), label);
        expect(e.field, label).toContain(field);
        if (label.startsWith('setMany')) expect(e.field, label).toContain('entries[0]');
      }
      expect(await snapshot(mx)).toEqual(before);
    });
  });
}
