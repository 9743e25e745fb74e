// memexTools inside the AI SDK's own generateText, with the SDK's mock language model calling the
// tools: what the model stores is in Memex, what it searches comes back, forget removes only the
// user's own memory.
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { memexTools } from '../../src/adapters/ai.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { call, say } from '../helpers/ai-mock.js';

let mx: Memex | undefined;
afterEach(async () => {
  await mx?.close();
  cleanupTemp();
});

describe('memex/ai tools in generateText', () => {
  it('the model remembers, searches, recalls and forgets through the tools', async () => {
    mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    const tools = memexTools({ memex: mx, userId: 'u42', ns: 'agents' });
    const model = new MockLanguageModelV3({
      doGenerate: [
        call('remember', { fact: 'Ada prefers Python over Java', tags: ['preference'] }, 'c1'),
        call('search', { query: 'which language does Ada like', tag: 'preference' }, 'c2'),
        call('recall', { query: 'programming language' }, 'c3'),
        say('Ada likes Python.'),
      ],
    });
    const r = await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: 'Note that I prefer Python, then tell me what I like.' });
    expect(r.text).toBe('Ada likes Python.');
    const results = r.steps.flatMap((s) => s.toolResults);
    expect(results.map((t) => t.toolName)).toEqual(['remember', 'search', 'recall']);
    const stored = results[0]!.output as { id: string; stored: boolean };
    expect(stored.stored).toBe(true);
    const doc = await mx.scope('agents').vectors.get(stored.id);
    expect(doc).toMatchObject({ text: 'Ada prefers Python over Java', metadata: { userId: 'u42', tags: ['preference'] } });
    expect((results[1]!.output as { results: { id: string }[] }).results.map((h) => h.id)).toEqual([stored.id]);
    expect((results[2]!.output as { memories: { id: string }[] }).memories.map((h) => h.id)).toContain(stored.id);

    // Another user's tools neither find nor forget it; the owner's do.
    const other = memexTools({ memex: mx, userId: 'someone-else', ns: 'agents' });
    const opts = { toolCallId: 'x', messages: [] };
    expect(await other.search.execute!({ query: 'Python' }, opts)).toEqual({ results: [] });
    expect(await other.forget.execute!({ id: stored.id }, opts)).toEqual({ id: stored.id, forgotten: false });
    expect(await tools.forget.execute!({ id: stored.id }, opts)).toEqual({ id: stored.id, forgotten: true });
    expect(await mx.scope('agents').vectors.get(stored.id)).toBeUndefined();
  });
});
