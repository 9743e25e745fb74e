// memexMemoryTools inside the AI SDK's own generateText, with the SDK's mock model calling them:
// the facts and blocks a model writes are in Memex, a correction keeps the history, a bad argument
// fails the call and writes nothing, and two models appending to one block at once lose nothing.
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { memexMemoryTools } from '../../src/adapters/ai.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { call, say } from '../helpers/ai-mock.js';

let mx: Memex | undefined;
afterEach(async () => {
  await mx?.close();
  cleanupTemp();
});

describe('memex/ai memory tools in generateText', () => {
  it('the model adds a fact, corrects it, edits its blocks and reads the history', async () => {
    mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    const scope = mx.scope('acme/u42');
    const tools = memexMemoryTools({ memex: mx, ns: 'acme/u42' });
    const added = await scope.memories.add({ text: 'The user lives in Paris' });
    const model = new MockLanguageModelV3({
      doGenerate: [
        call('memory_search', { text: 'where does the user live' }, 'c1'),
        call('memory_update', { id: added.id, text: 'The user lives in Berlin', ifVersion: added.version, reason: 'the user said so' }, 'c2'),
        call('block_append', { label: 'human', text: 'Moved to Berlin in 2026' }, 'c3'),
        call('memory_history', { id: added.id }, 'c4'),
        call('memory_add', { text: '' }, 'c5'),
        say('Updated.'),
      ],
    });
    const r = await generateText({ model, tools, stopWhen: stepCountIs(8), prompt: 'I moved to Berlin.' });
    expect(r.text).toBe('Updated.');
    const parts = r.steps.flatMap((s) => s.content).filter((p) => p.type === 'tool-result' || p.type === 'tool-error');
    expect(parts.map((p) => [p.toolName, p.type])).toEqual([
      ['memory_search', 'tool-result'],
      ['memory_update', 'tool-result'],
      ['block_append', 'tool-result'],
      ['memory_history', 'tool-result'],
      ['memory_add', 'tool-error'],
    ]);
    expect((await scope.memories.get(added.id))!.text).toBe('The user lives in Berlin');
    expect((await scope.memories.history(added.id)).map((v) => [v.op, v.reason])).toEqual([
      ['added', null],
      ['updated', 'the user said so'],
    ]);
    expect((await scope.blocks.get('human'))!.value).toBe('Moved to Berlin in 2026');
    expect((await scope.memories.list()).items).toHaveLength(1); // the failed add wrote nothing
    expect(Object.keys(memexMemoryTools({ memex: mx, readOnly: true })).sort()).toEqual([
      'block_get',
      'block_list',
      'memory_history',
      'memory_list',
      'memory_search',
    ]);
  });

  it('two models appending to one block at once: every append is kept', async () => {
    mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    const tools = memexMemoryTools({ memex: mx });
    const run = (who: string) =>
      generateText({
        model: new MockLanguageModelV3({
          doGenerate: [
            ...Array.from({ length: 10 }, (_, i) => call('block_append', { label: 'notes', text: `${who} ${i}` }, `${who}${i}`)),
            say('done'),
          ],
        }),
        tools,
        stopWhen: stepCountIs(12),
        prompt: 'take notes',
      });
    await Promise.all([run('a'), run('b')]);
    const lines = ((await mx.blocks.get('notes'))!.value as string).split('\n').sort();
    expect(lines).toEqual([...Array.from({ length: 10 }, (_, i) => `a ${i}`), ...Array.from({ length: 10 }, (_, i) => `b ${i}`)].sort());
  });
});
