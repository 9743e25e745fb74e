import { describe, expect, it } from 'vitest';
import { LimitError } from '../../index.js';
import { ManualClock } from '../clock.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

export function cacheSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('cache', () => {
    it('get, set, delete and clear; JSON keys are canonical (key order does not matter)', async () => {
      const mx = await open();
      const c = mx.cache;
      await c.set({ model: 'm', prompt: 'p', params: { t: 0, k: 1 } }, { text: 'answer' });
      expect(await c.get({ prompt: 'p', params: { k: 1, t: 0 }, model: 'm' })).toEqual({ text: 'answer' });
      expect(await c.get({ prompt: 'p', model: 'other' })).toBeUndefined();
      await c.set('plain', 1);
      expect(await c.get('plain')).toBe(1);
      expect(await c.get(['plain'])).toBeUndefined();
      expect(await c.delete('plain')).toBe(true);
      expect(await c.delete('plain')).toBe(false);
      expect(await c.clear()).toBe(1);
      expect((await c.stats()).size).toBe(0);
    });

    it('values are deeply frozen copies', async () => {
      const mx = await open();
      const v = { a: [1, 2] };
      await mx.cache.set('k', v);
      v.a.push(3);
      const got = (await mx.cache.get<{ a: number[] }>('k'))!;
      expect(got).toEqual({ a: [1, 2] });
      expect(() => (got.a as number[]).push(4)).toThrow(TypeError);
    });

    it('TTL: an expired entry is a miss at once', async () => {
      const clock = new ManualClock();
      const mx = await open({ clock: clock.now });
      await mx.cache.set('k', 'v', { ttlMs: 100 });
      clock.advance(99);
      expect(await mx.cache.get('k')).toBe('v');
      clock.advance(1);
      expect(await mx.cache.get('k')).toBeUndefined();
      await mx.sweep();
      expect((await mx.cache.stats()).size).toBe(0);
    });

    it('maxEntries evicts the least recently used inside the write', async () => {
      const mx = await open({ cache: { maxEntries: 5 } });
      for (let i = 0; i < 5; i++) await mx.cache.set(`k${i}`, i);
      expect(await mx.cache.get('k0')).toBe(0); // k0 is now the most recently used
      await mx.cache.flush();
      await mx.cache.set('k5', 5);
      await mx.cache.set('k6', 6);
      const present = await Promise.all(Array.from({ length: 7 }, (_, i) => mx.cache.get(`k${i}`)));
      expect(present).toEqual([0, undefined, undefined, 3, 4, 5, 6]);
      const s = await mx.cache.stats();
      expect(s.size).toBe(5);
      expect(s.evictions).toBe(2);
    });

    it('maxBytes bounds the stored bytes; a value larger than the whole cache is a LimitError', async () => {
      const mx = await open({ cache: { maxEntries: 1000, maxBytes: 1000 } });
      for (let i = 0; i < 10; i++) await mx.cache.set(`k${i}`, 'x'.repeat(198)); // 200 bytes of JSON each
      const s = await mx.cache.stats();
      expect(s.bytes).toBeLessThanOrEqual(1000);
      expect(s.size).toBe(5);
      await expect(mx.cache.set('big', 'y'.repeat(2000))).rejects.toBeInstanceOf(LimitError);
      expect(await mx.cache.get('big')).toBeUndefined();
    });

    it('stats count hits and misses', async () => {
      const mx = await open();
      await mx.cache.set('k', 1);
      await mx.cache.get('k');
      await mx.cache.get('k');
      await mx.cache.get('nope');
      const s = await mx.cache.stats();
      expect([s.hits, s.misses]).toEqual([2, 1]);
      expect(s.hitRate).toBeCloseTo(2 / 3);
      expect((await mx.stats()).stores.cache?.hits).toBe(2);
    });

    it('getOrSet: concurrent callers in one process run compute once and share its value', async () => {
      const mx = await open();
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const computing = new Promise<void>((r) => (entered = r));
      const calls = Array.from({ length: 50 }, () =>
        mx.cache.getOrSet('k', async () => {
          runs++;
          entered();
          await gate;
          return { v: 1 };
        }),
      );
      // Hold the compute until the other 49 callers are waiting on it: they overlap it, they do not
      // merely hit the cache after it finished.
      await computing;
      for (let turns = 0; (await mx.cache.stats()).waits < 49; turns++) {
        expect(turns, 'the other callers never started waiting on the compute').toBeLessThan(10_000);
        await new Promise((r) => setImmediate(r));
      }
      release();
      const values = await Promise.all(calls);
      expect(runs).toBe(1);
      expect((await mx.cache.stats()).waits).toBe(49);
      for (const v of values) expect(v).toEqual({ v: 1 });
      expect(await mx.cache.getOrSet('k', () => ({ v: 2 }))).toEqual({ v: 1 });
      expect(runs).toBe(1);
    });

    it("getOrSet: a caller waiting on another's compute gives up at its own timeoutMs; the compute goes on for the rest", async () => {
      const mx = await open();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const computing = new Promise<void>((r) => (entered = r));
      const first = mx.cache.getOrSet('slow', async () => (entered(), await gate, 'done'), { timeoutMs: 60_000 });
      await computing;
      // Released at 2 s whatever happens: a waiter that ignored its bound shows as a late answer, not a hang.
      const backstop = setTimeout(release, 2_000);
      const started = performance.now();
      const impatient = await mx.cache.getOrSet('slow', () => 'never run', { timeoutMs: 300 }).catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(impatient).toMatchObject({ code: 'lock_timeout' });
      expect(waited, 'gave up at its own bound, not the first caller’s').toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(1_300);
      clearTimeout(backstop);
      release();
      expect(await first).toBe('done');
      expect(await mx.cache.get('slow')).toBe('done');
    });

    it('getOrSet: a throwing compute caches nothing and every waiter gets its error', async () => {
      const mx = await open();
      let runs = 0;
      const boom = new Error('model unavailable');
      const calls = Array.from({ length: 20 }, () =>
        mx.cache
          .getOrSet('k', async () => {
            runs++;
            await Promise.resolve();
            throw boom;
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      );
      const errors = await Promise.all(calls);
      expect(runs).toBe(1);
      for (const e of errors) expect(e).toBe(boom);
      expect(await mx.cache.get('k')).toBeUndefined();
      expect(await mx.cache.getOrSet('k', () => 'second try')).toBe('second try');
    });

    it('bad input is a ValidationError naming the field and writes nothing', async () => {
      const mx = await open();
      const before = await mx.events.lastSeq();
      const cases: [() => Promise<unknown>, string][] = [
        [() => mx.cache.get(() => 1), 'key'],
        [() => mx.cache.get(undefined), 'key'],
        [() => mx.cache.set({ d: new Date() }, 1), 'key.d'],
        [() => mx.cache.set('k', BigInt(1)), 'value'],
        [() => mx.cache.set('k', 1, { ttlMs: 0 }), 'options.ttlMs'],
        [() => mx.cache.set('k', 1, { ttl: 5 } as { ttlMs?: number }), 'options.ttl'],
        [() => mx.cache.getOrSet('k', 'not a function' as unknown as () => number), 'compute'],
        [() => mx.cache.getOrSet('k', () => 1, { timeoutMs: -1 }), 'options.timeoutMs'],
        [() => mx.cache.getOrSet('k', () => Symbol('s')), 'value'],
        [() => mx.cache.delete(JSON.parse('{"__proto__":{"x":1}}')), 'key.__proto__'],
      ];
      await expectInvalidFields(cases);
      // getOrSet with an invalid computed value wrote its failure note, nothing else.
      const events = await mx.events.since(before);
      expect(events.map((e) => e.store)).toContain('cache.errors');
      expect(events.filter((e) => e.store !== 'cache.errors' && e.store !== 'locks')).toEqual([]);
      expect((await mx.cache.stats()).size).toBe(0);
    });
  });
}
