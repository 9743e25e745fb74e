import { describe, expect, it } from 'vitest';
import { ConflictError, LimitError } from '../../errors.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

/** Memory blocks: compare-and-set writes, appends that are never lost, bounds. */
export function blocksSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('blocks', () => {
    it('set, get, list and delete; ifVersion never overwrites an edit it did not see', async () => {
      const mx = await open();
      const { version } = await mx.blocks.set('persona', 'I am a travel assistant.', { ifVersion: 0 });
      await expect(mx.blocks.set('persona', 'other', { ifVersion: 0 })).rejects.toBeInstanceOf(ConflictError);
      await mx.blocks.set('plan', { step: 1, todo: ['book hotel'] });
      expect(await mx.blocks.get('persona')).toMatchObject({ label: 'persona', value: 'I am a travel assistant.', version });
      expect((await mx.blocks.list()).map((b) => [b.label, b.value])).toEqual([
        ['persona', 'I am a travel assistant.'],
        ['plan', { step: 1, todo: ['book hotel'] }],
      ]);
      const v2 = await mx.blocks.set('persona', 'I am a careful travel assistant.', { ifVersion: version });
      await expect(mx.blocks.delete('persona', { ifVersion: version })).rejects.toBeInstanceOf(ConflictError);
      expect(await mx.blocks.delete('persona', { ifVersion: v2.version })).toBe(true);
      expect(await mx.blocks.get('persona')).toBeUndefined();
      expect(await mx.scope('other').blocks.list()).toEqual([]);
    });

    it('40 concurrent appends through two handles are all kept; replace edits in place', async () => {
      const location = env.location();
      const [m1, m2] = [await open({}, location), await open({}, location)];
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? m1 : m2).blocks.append('human', `fact ${i}`)));
      const lines = ((await m1.blocks.get('human'))!.value as string).split('\n');
      expect(lines.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `fact ${i}`).sort());
      await m2.blocks.replace('human', 'fact 7', 'fact seven');
      expect((await m1.blocks.get('human'))!.value).toContain('fact seven');
      await expect(m1.blocks.replace('human', 'fact 7\n', 'x')).rejects.toMatchObject({ field: 'oldText' });
    });

    it('bounds and bad input are refused, and nothing is written', async () => {
      const mx = await open({ blocks: { maxChars: 20, maxBlocks: 2 } });
      await mx.blocks.set('a', '0123456789');
      await expect(mx.blocks.append('a', '0123456789')).rejects.toBeInstanceOf(LimitError);
      expect((await mx.blocks.get('a'))!.value).toBe('0123456789');
      await mx.blocks.set('b', { k: 1 });
      await expect(mx.blocks.set('c', 'x')).rejects.toBeInstanceOf(LimitError);
      await expectInvalidFields([
        [() => mx.blocks.set('bad label', 'x'), 'label'],
        [() => mx.blocks.set('a', 42 as never), 'value'],
        [() => mx.blocks.set('a', ['x'] as never), 'value'],
        [() => mx.blocks.append('b', 'x'), 'label'],
        [() => mx.blocks.append('a', 7 as never), 'text'],
        [() => mx.blocks.replace('a', '', 'x'), 'oldText'],
        [() => mx.blocks.replace('zz', 'a', 'x'), 'label'],
        [() => mx.blocks.set('a', 'x', { ifversion: 1 } as never), 'options.ifversion'],
      ]);
      expect((await mx.blocks.list()).map((b) => [b.label, b.value])).toEqual([
        ['a', '0123456789'],
        ['b', { k: 1 }],
      ]);
    });
  });
}
