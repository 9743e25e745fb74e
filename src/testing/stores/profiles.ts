import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../index.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

export function profilesSuite(env: SuiteEnv): void {
  type Profile = { name: string; visits: number; prefs: { lang: string; topics: string[] } };

  const { open } = env.useStores();

  describe('profiles', () => {
    it('get returns a deeply frozen snapshot; mutating it throws and never reaches the store', async () => {
      const mx = await open();
      await mx.profiles.set('u1', { name: 'Ada', visits: 0, prefs: { lang: 'en', topics: ['math'] } });
      const p = (await mx.profiles.get<Profile>('u1'))!;
      expect(() => {
        // @ts-expect-error DeepReadonly: the compiler refuses the write too
        p.prefs.lang = 'fr';
      }).toThrow(TypeError);
      expect(() => (p.prefs.topics as string[]).push('x')).toThrow(TypeError);
      expect(await mx.profiles.get<Profile>('u1')).toEqual({ name: 'Ada', visits: 0, prefs: { lang: 'en', topics: ['math'] } });
    });

    it('the object passed to set is copied: changing it afterwards changes nothing', async () => {
      const mx = await open();
      const input = { name: 'Ada', visits: 1, prefs: { lang: 'en', topics: [] as string[] } };
      await mx.profiles.set('u1', input);
      input.prefs.lang = 'de';
      expect((await mx.profiles.get<Profile>('u1'))!.prefs.lang).toBe('en');
    });

    it('update is atomic across concurrent callers, and versions give compare-and-set', async () => {
      const mx = await open();
      await Promise.all(Array.from({ length: 100 }, () => mx.profiles.update<{ visits: number }>('u1', (p) => ({ visits: (p?.visits ?? 0) + 1 }))));
      const e = (await mx.profiles.getEntry<{ visits: number }>('u1'))!;
      expect(e.profile.visits).toBe(100);
      expect(e.userId).toBe('u1');
      await expect(mx.profiles.set('u1', { visits: 0 }, { ifVersion: e.version - 1 })).rejects.toBeInstanceOf(ConflictError);
      const { version } = await mx.profiles.set('u1', { visits: 0 }, { ifVersion: e.version });
      expect(version).toBeGreaterThan(e.version);
      expect(await mx.profiles.update('u1', () => undefined)).toBeUndefined();
      expect(await mx.profiles.get('u1')).toBeUndefined();
    });

    it('list pages through profiles in userId order; delete removes; scopes are isolated', async () => {
      const mx = await open();
      for (let i = 0; i < 25; i++) await mx.profiles.set(`u${String(i).padStart(2, '0')}`, { i });
      await mx.scope('other').profiles.set('u00', { other: true });
      const ids: string[] = [];
      let page = await mx.profiles.list({ limit: 10 });
      ids.push(...page.items.map((p) => p.userId));
      while (page.cursor) {
        page = await mx.profiles.list({ limit: 10, cursor: page.cursor });
        ids.push(...page.items.map((p) => p.userId));
      }
      expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, '0')}`));
      expect(await mx.profiles.delete('u00')).toBe(true);
      expect(await mx.profiles.get('u00')).toBeUndefined();
      expect(await mx.scope('other').profiles.get('u00')).toEqual({ other: true });
      // Profiles live in their own store: kv does not see them.
      expect(await mx.kv.get('u01')).toBeUndefined();
    });

    it('bad input is a ValidationError naming the field and writes nothing', async () => {
      const mx = await open();
      await mx.profiles.set('u1', { a: 1 });
      const before = await mx.events.lastSeq();
      const cases: [() => Promise<unknown>, string][] = [
        [() => mx.profiles.get(''), 'userId'],
        [() => mx.profiles.set('', { a: 1 }), 'userId'],
        [() => mx.profiles.set('u2', 'text' as unknown as object), 'profile'],
        [() => mx.profiles.set('u2', [1]), 'profile'],
        [() => mx.profiles.set('u2', null as unknown as object), 'profile'],
        [() => mx.profiles.set('u2', { d: new Date() }), 'value.d'],
        [() => mx.profiles.set('u2', { a: 1 }, { ttlMs: 5 } as { ifVersion?: number }), 'options.ttlMs'],
        [() => mx.profiles.set('u2', { a: 1 }, { ifVersion: -1 }), 'options.ifVersion'],
        [() => mx.profiles.update('u1', () => 'str' as unknown as object), 'profile returned by fn'],
        [() => mx.profiles.update('u1', async () => ({ a: 2 })), 'fn'],
        [() => mx.profiles.update('u1', 5 as unknown as () => object), 'fn'],
        [() => mx.profiles.delete('a\0b'), 'userId'],
        [() => mx.profiles.list({ limit: 0 }), 'options.limit'],
      ];
      await expectInvalidFields(cases);
      expect(await mx.events.lastSeq()).toBe(before);
      expect(await mx.profiles.get('u1')).toEqual({ a: 1 });
    });
  });
}
