import { describe, expect, it } from 'vitest';
import { contextForPrompt } from '../../stores/memory/context-for-prompt.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

/** recall() beside curated memory: the blocks and the relevant facts, and one text for the prompt within a budget. */
export function memoriesRecallSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('recall with blocks and facts', () => {
    it('recall returns the blocks and the believed facts relevant to the query; contextForPrompt fits them in a budget', async () => {
      const mx = await open();
      await mx.blocks.set('persona', 'I am a travel assistant.');
      await mx.blocks.set('human', 'Name: Ada.');
      const paris = await mx.memories.add({ text: 'The user lives in Paris', validFrom: Date.UTC(2024, 4, 1) });
      await mx.memories.add({ text: 'The user travels by train' });
      await mx.memories.add({ text: 'The user lives in Rome' });
      await mx.memories.invalidate((await mx.memories.search({ text: 'lives in Rome', topK: 1 }))[0]!.id);
      await mx.remember({ userId: 'ada', threadId: 't1', message: 'Find me a hotel', response: 'Which city?' });
      const r = await mx.recall({ userId: 'ada', threadId: 't1', query: 'where does the user live', facts: 2 });
      expect(r.blocks.map((b) => b.label)).toEqual(['human', 'persona']);
      expect(r.facts[0]).toMatchObject({ id: paris.id, text: 'The user lives in Paris' });
      expect(r.facts.map((f) => f.text)).not.toContain('The user lives in Rome');
      expect(r.facts.length).toBeLessThanOrEqual(2);
      const text = contextForPrompt(r, { maxChars: 4000 });
      expect(text).toContain('<persona>\nI am a travel assistant.\n</persona>');
      expect(text).toContain('- The user lives in Paris (since 2024-05-01)');
      expect(text).toContain('user: Find me a hotel');
      expect(text.indexOf('<human>')).toBeLessThan(text.indexOf('## Known facts'));
      for (const max of [50, 120, 200]) {
        const short = contextForPrompt(r, { maxChars: max });
        expect(short.length, `maxChars ${max}`).toBeLessThanOrEqual(max);
        expect(short.startsWith('<human>'), `maxChars ${max}`).toBe(true);
      }
      expect(() => contextForPrompt(r, { maxChars: 10 })).toThrow(/maxChars/);
    });

    it('recall refuses a misspelled field instead of ignoring it', async () => {
      const mx = await open();
      await expectInvalidFields([
        [() => mx.recall({ userId: 'u', threadId: 't', query: 'q', fact: 3 } as never), 'fact'],
        [() => mx.recall({ userId: 'u', threadId: 't', query: 'q', facts: -1 }), 'facts'],
      ]);
    });
  });
}
