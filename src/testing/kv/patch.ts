import { describe, expect, it } from 'vitest';
import type { PatchOp } from '../../values/patch.js';
import { conflict, invalid, must, type KvSuiteEnv } from './helpers.js';

/** Part of the kv conformance suite: see suite.ts. */
export function kvPatch({ open }: KvSuiteEnv): void {
  // -----------------------------------------------------------------------------------------
  describe('patch', () => {
    it('applies each op in order in one write: increment, merge, append with a cap, setIfAbsent, set, remove', async () => {
      const mx = await open();
      const first = await mx.kv.patch('s', [{ op: 'increment', path: '/visits' }]);
      expect(first.value).toEqual({ visits: 1 });
      expect(first.version).toBe(must(await mx.kv.getEntry('s')).version);
      const ops: PatchOp[] = [
        { op: 'increment', path: '/visits', by: 2.5 },
        { op: 'merge', value: { user: { name: 'Ada', lang: 'en' }, drop: null } },
        { op: 'merge', path: '/user', value: { lang: null, city: 'Paris' } },
        { op: 'append', path: '/recent', value: 'a', max: 2 },
        { op: 'append', path: '/recent', value: 'b', max: 2 },
        { op: 'append', path: '/recent', value: 'c', max: 2 },
        { op: 'setIfAbsent', path: '/created', value: 1 },
        { op: 'setIfAbsent', path: '/created', value: 2 },
        { op: 'set', path: '/deep/er/a~1b', value: [1] },
        { op: 'remove', path: '/recent/0' },
      ];
      const r = await mx.kv.patch('s', ops);
      const want = { visits: 3.5, user: { name: 'Ada', city: 'Paris' }, recent: ['c'], created: 1, deep: { er: { 'a/b': [1] } } };
      expect(r.value).toEqual(want);
      expect(await mx.kv.get('s')).toEqual(want);
      expect(r.version).toBeGreaterThan(first.version);
      // Removing the value itself deletes the record.
      expect(await mx.kv.patch('s', [{ op: 'remove' }])).toEqual({ value: undefined, version: 0 });
      expect(await mx.kv.has('s')).toBe(false);
    });

    it('an op meeting the wrong type, a failed ifVersion or a malformed op writes nothing', async () => {
      const mx = await open();
      const { version } = await mx.kv.set('s', { name: 'x', n: 1 });
      const e = await invalid(
        mx.kv.patch('s', [
          { op: 'increment', path: '/n' },
          { op: 'increment', path: '/name' },
        ]),
      );
      expect(e.field).toBe('ops[1].path');
      await conflict(mx.kv.patch('s', [{ op: 'increment', path: '/n' }], { ifVersion: version + 1 }));
      for (const [ops, field] of [
        [[], 'ops'],
        [[{ op: 'add', path: '/n' }], 'ops[0].op'],
        [[{ op: 'increment', path: '/n', bye: 1 }], 'ops[0].bye'],
        [[{ op: 'increment', path: 'n' }], 'ops[0].path'],
        [[{ op: 'set', path: '/__proto__/x', value: 1 }], 'ops[0].path'],
        [[{ op: 'merge', value: { a: { constructor: 1 } } }], 'ops[0].value.a.constructor'],
        [[{ op: 'append', path: '/l', value: 1, max: 0 }], 'ops[0].max'],
      ] as [unknown, string][]) {
        expect((await invalid(mx.kv.patch('s', ops as PatchOp[]), JSON.stringify(ops))).field).toBe(field);
      }
      expect((await invalid(mx.kv.patch('s', [{ op: 'increment' }], { ifVersoin: 1 } as never))).field).toBe('options.ifVersoin');
      expect(must(await mx.kv.getEntry('s'))).toMatchObject({ value: { name: 'x', n: 1 }, version });
      // With the version it holds, it applies.
      expect((await mx.kv.patch('s', [{ op: 'increment', path: '/n' }], { ifVersion: version })).value).toEqual({ name: 'x', n: 2 });
    });

    it('concurrent patches of one key lose nothing: 50 callers at once', async () => {
      const a = await open();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          a.kv.patch('hot', [
            { op: 'increment', path: '/n' },
            { op: 'append', path: '/who', value: i, max: 1000 },
          ]),
        ),
      );
      const v = (await a.kv.get<{ n: number; who: number[] }>('hot'))!;
      expect(v.n).toBe(50);
      expect([...v.who].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('each of 60 concurrent patches answers its own value and version; one failing among them fails alone', async () => {
      const a = await open();
      const { version: v0 } = await a.kv.set('ctr', 0);
      const calls = Array.from({ length: 60 }, (_, i) =>
        // Caller 40 asks for a version that is gone by then: it alone fails, with nothing written.
        a.kv.patch<number>('ctr', [{ op: 'increment' }], i === 40 ? { ifVersion: v0 } : undefined),
      );
      const settled = await Promise.allSettled(calls);
      const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      expect(failed).toEqual([40]);
      expect((settled[40] as PromiseRejectedResult).reason).toMatchObject({ code: 'version_conflict' });
      const answers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      // Every caller saw the value its own increment made: 1..59 once each, versions all distinct.
      expect(answers.map((r) => r.value).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
      expect(new Set(answers.map((r) => r.version)).size).toBe(59);
      const last = answers.find((r) => r.value === 59)!;
      expect(await a.kv.getEntry('ctr')).toMatchObject({ value: 59, version: last.version });
    });
  });
}
