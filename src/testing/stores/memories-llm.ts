import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiChat } from '../../llm/openai-chat.js';
import { startFakeLlm, type FakeLlm } from '../fake-llm.js';
import type { SuiteEnv } from '../target.js';

const CITIES =
  'Paris Lyon Rome Berlin Madrid Lisbon Vienna Prague Oslo Dublin Athens Warsaw Zurich Geneva Milan Porto Seville Krakow Bergen Ghent'.split(' ');

/** Curated memory with a model (a scripted OpenAI-compatible server on loopback): ingest, consolidation, exactly once, bad answers. */
export function memoriesLlmSuite(env: SuiteEnv): void {
  const { open } = env.useStores();
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm({ latencyMs: [5, 20] });
  });
  afterAll(() => fake.close());
  const withModel = (location?: string) => open({ llm: openAiChat({ baseUrl: fake.baseUrl, model: 'fake', maxRetries: 0 }) }, location);
  const conversation = [
    { role: 'user', content: 'I live in Paris. I have a dog named Rex.' },
    { role: 'assistant', content: 'Nice! Paris is lovely.' },
  ];

  describe('memories with a model', () => {
    it('ingest extracts facts and consolidates them: known → unchanged, contradicted → invalidated, with the source in the history', async () => {
      fake.script(undefined);
      const mx = await withModel();
      const r = await mx.memories.ingest(conversation, { idempotencyKey: 'turn-1', by: 'chatbot' });
      expect(r.replayed).toBe(false);
      expect(r.facts.map((f) => [f.op, f.text])).toEqual([
        ['added', 'The user lives in Paris'],
        ['added', 'The user has a dog named Rex'],
      ]);
      expect(r.llmCalls).toBe(1); // nothing known yet: extraction only
      expect(r.promptTokens).toBeGreaterThan(0);
      const paris = r.facts[0]!.id;
      const moved = await mx.memories.ingest([{ role: 'user', content: 'I live in Berlin. I have a dog named Rex.' }], { idempotencyKey: 'turn-2' });
      expect(moved.facts.map((f) => [f.op, f.text])).toEqual([
        ['added', 'The user lives in Berlin'],
        ['unchanged', 'The user has a dog named Rex'],
      ]);
      expect(moved.facts[0]!.invalidated).toEqual([paris]);
      expect((await mx.memories.get(paris))!.invalidatedAt).not.toBeNull();
      const h = await mx.memories.history(paris);
      expect(h.map((v) => v.op)).toEqual(['added', 'invalidated']);
      expect(h[0]!.source).toMatchObject({ via: 'ingest', by: 'chatbot', idempotencyKey: 'turn-1', model: 'openai:fake', prompt: 'memex-facts@1' });
      expect(h[1]!.source).toMatchObject({ via: 'ingest', idempotencyKey: 'turn-2', model: 'openai:fake' });
      expect((await mx.memories.list()).items.map((f) => f.text).sort()).toEqual(['The user has a dog named Rex', 'The user lives in Berlin']);
    });

    it('retried with the same key, ingest returns the first outcome and asks the model nothing', async () => {
      fake.script(undefined);
      const mx = await withModel();
      const first = await mx.memories.ingest(conversation, { idempotencyKey: 'k-1' });
      const asked = fake.count();
      const again = await mx.memories.ingest(conversation, { idempotencyKey: 'k-1' });
      expect(fake.count()).toBe(asked);
      expect(again).toEqual({ facts: first.facts, llmCalls: 0, promptTokens: 0, completionTokens: 0, replayed: true });
      // Without a key the messages' hash is the key.
      await mx.memories.ingest([{ role: 'user', content: 'I like green tea.' }]);
      const n = fake.count();
      expect((await mx.memories.ingest([{ role: 'user', content: 'I like green tea.' }])).replayed).toBe(true);
      expect(fake.count()).toBe(n);
    });

    it('the same conversation ingested by 6 callers on two handles at once costs one set of model calls', async () => {
      fake.script(undefined);
      const location = env.location();
      const [m1, m2] = [await withModel(location), await withModel(location)];
      const before = fake.count();
      const outs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? m1 : m2).memories.ingest(conversation, { idempotencyKey: 'same' })),
      );
      expect(fake.count() - before).toBe(1);
      expect(outs.filter((o) => !o.replayed)).toHaveLength(1);
      for (const o of outs) expect(o.facts).toEqual(outs[0]!.facts);
      expect((await m1.memories.list()).items).toHaveLength(2);
    });

    it('20 concurrent ingestions of related conversations all commit: contended decisions queue instead of failing', async () => {
      fake.script(undefined);
      const location = env.location();
      const [m1, m2] = [await withModel(location), await withModel(location)];
      const outs = await Promise.all(CITIES.map((city, i) => (i % 2 ? m1 : m2).memories.ingest([{ role: 'user', content: `I live in ${city}.` }])));
      expect(outs.flatMap((o) => o.facts.map((f) => f.text)).sort()).toEqual(CITIES.map((city) => `The user lives in ${city}`).sort());
      // Each new home contradicts the ones known when it was decided: exactly one stays believed.
      const { items } = await m1.memories.list({ includeInvalid: true });
      expect(items).toHaveLength(20);
      expect(items.filter((f) => f.invalidatedAt === null)).toHaveLength(1);
    });

    it('a model answer that is malformed, out of schema or names unknown ids is an LlmError, and nothing is written', async () => {
      const mx = await withModel();
      await mx.memories.add({ text: 'The user lives in Paris' });
      const cases: [string | { status: number; body: string }, string][] = [
        ['{"facts": [', 'malformed'],
        ['{"facts": [{"text": "x"}]}', 'schema'],
        ['{"facts": "none"}', 'schema'],
        [{ status: 400, body: '{"error":{"message":"bad model"}}' }, 'http'],
      ];
      for (const [answer, kind] of cases) {
        fake.script((r) => (r.schema === 'memex_extracted_facts' ? answer : undefined));
        await expect(mx.memories.ingest([{ role: 'user', content: `I live in Rome ${kind}` }]), kind).rejects.toMatchObject({
          code: 'llm_failed',
          kind,
        });
      }
      const bad = [
        ['{"decisions": [{"fact": 0, "action": "update", "id": "f-unknown", "text": "x", "invalidates": []}]}', 'unknown_id'],
        ['{"decisions": [{"fact": 0, "action": "add", "id": null, "text": null, "invalidates": ["f-unknown"]}]}', 'unknown_id'],
        ['{"decisions": []}', 'schema'],
        ['{"decisions": [{"fact": 5, "action": "add", "id": null, "text": null, "invalidates": []}]}', 'schema'],
        ['{"decisions": [{"fact": 0, "action": "update", "id": null, "text": "x", "invalidates": []}]}', 'schema'],
      ];
      for (const [answer, kind] of bad) {
        fake.script((r) => (r.schema === 'memex_fact_decisions' ? answer : undefined));
        await expect(mx.memories.ingest([{ role: 'user', content: 'I live in Rome' }]), answer).rejects.toMatchObject({ code: 'llm_failed', kind });
        await expect(mx.memories.add({ text: 'The user lives in Rome' }), answer).rejects.toMatchObject({ code: 'llm_failed', kind });
      }
      fake.script(undefined);
      const { items } = await mx.memories.list({ includeInvalid: true });
      expect(items.map((f) => [f.text, f.invalidatedAt])).toEqual([['The user lives in Paris', null]]);
      // A failed ingestion is not remembered: retried once the model answers well, it runs.
      const ok = await mx.memories.ingest([{ role: 'user', content: 'I live in Rome malformed' }]);
      expect(ok.replayed).toBe(false);
    });
  });
}
