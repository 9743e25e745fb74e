import { describe, expect, it } from 'vitest';
import type { SuiteEnv } from '../target.js';

/**
 * Typed arrays as values (or parts of values) of kv, cache and profiles: what a caller caching
 * embeddings expects. Read back as a fresh typed array of the same type and contents, every read
 * its own copy (typed arrays cannot be frozen), the object around it still frozen.
 */
export function typedValuesSuite(env: SuiteEnv): void {
  const { open } = env.useStores();
  const embedding = () => Float32Array.from({ length: 384 }, (_, i) => Math.sin(i) / 3);

  describe('typed arrays in values', () => {
    it('kv: a Float32Array, alone or inside an object, comes back as a fresh Float32Array', async () => {
      const mx = await open();
      const v = embedding();
      await mx.kv.set('emb', v);
      await mx.kv.set('doc', { text: 'hello', vector: v, shape: Int16Array.of(-1, 2, 300), bytes: Uint8Array.of(0, 255) });
      const got = (await mx.kv.get<Float32Array>('emb'))!;
      expect(got).toBeInstanceOf(Float32Array);
      expect(Array.from(got)).toEqual(Array.from(v));
      got[0] = 42; // a reader's copy: the stored value does not change
      expect((await mx.kv.get<Float32Array>('emb'))![0]).toBe(v[0]);
      const doc = (await mx.kv.get<{ text: string; vector: Float32Array; shape: Int16Array; bytes: Uint8Array }>('doc'))!;
      expect(Object.isFrozen(doc)).toBe(true);
      expect(doc.vector).toBeInstanceOf(Float32Array);
      expect(doc.shape).toEqual(Int16Array.of(-1, 2, 300));
      expect(doc.bytes).toEqual(Uint8Array.of(0, 255));
      const [a] = await mx.kv.getMany<Float32Array>(['emb']);
      expect(a).toBeInstanceOf(Float32Array);
      const next = await mx.kv.update<Float32Array>('emb', (cur) => cur!.map((x) => x * 2));
      expect(next![1]).toBeCloseTo(v[1]! * 2, 6);
      await mx.kv.transaction((tx) => {
        const cur = tx.get<Float32Array>('emb')!;
        expect(cur).toBeInstanceOf(Float32Array);
        tx.set('emb-copy', { v: cur });
      });
      expect((await mx.kv.get<{ v: Float32Array }>('emb-copy'))!.v[1]).toBeCloseTo(v[1]! * 2, 6);
    });

    it('cache: an embedding cached under its text, through set and getOrSet', async () => {
      const mx = await open();
      const v = embedding();
      await mx.cache.set(['embedding', 'hello world'], v, { ttlMs: 86_400_000 });
      const got = await mx.cache.get<Float32Array>(['embedding', 'hello world']);
      expect(got).toBeInstanceOf(Float32Array);
      expect(Array.from(got!)).toEqual(Array.from(v));
      const computed = await mx.cache.getOrSet(['embedding', 'other'], () => Float64Array.of(0.5, -0.25));
      expect(computed).toEqual(Float64Array.of(0.5, -0.25));
      expect(await mx.cache.get(['embedding', 'other'])).toBeInstanceOf(Float64Array);
    });

    it('profiles: a profile may hold typed arrays', async () => {
      const mx = await open();
      await mx.profiles.set('u1', { name: 'Ada', taste: Float32Array.of(0.25, 0.5) });
      const p = (await mx.profiles.get<{ name: string; taste: Float32Array }>('u1'))!;
      expect(p.taste).toEqual(Float32Array.of(0.25, 0.5));
      const q = await mx.profiles.update<{ name: string; taste: Float32Array }>('u1', (cur) => ({ ...cur!, taste: Float32Array.of(1) }));
      expect(q!.taste).toEqual(Float32Array.of(1));
    });

    it('still refused: NaN inside a float array, other views, and the reserved tag key', async () => {
      const mx = await open();
      await expect(mx.kv.set('k', Float32Array.of(1, NaN))).rejects.toMatchObject({ code: 'invalid_input', field: 'value[1]' });
      await expect(mx.kv.set('k', new DataView(new ArrayBuffer(2)))).rejects.toMatchObject({ code: 'invalid_input', field: 'value' });
      await expect(mx.kv.set('k', { $typedArray: 'Float32Array', base64: '' })).rejects.toMatchObject({ field: 'value.$typedArray' });
      await expect(mx.conversations.append('t', { role: 'user', content: Float32Array.of(1) })).rejects.toMatchObject({ code: 'invalid_input' });
      expect(await mx.kv.has('k')).toBe(false);
    });
  });
}
