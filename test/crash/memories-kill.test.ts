// SIGKILL mid-ingestion, then the same ingestion retried with the same key: the store ends exactly
// as after an uninterrupted run (the same facts, validity and history; nothing half written), and
// the retry takes over from the dead process's lock within its lease. The kill lands while the
// model is answering the extraction, and while it is answering the consolidation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAiChat, type Memex } from '../../src/index.js';
import { startFakeLlm, type FakeLlm } from '../../src/testing/index.js';
import { cleanupLocations, locationOptions, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { closeAfterEach } from '../helpers/stores.js';

const track = closeAfterEach();
afterEach(cleanupLocations);
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 50 });
});
afterAll(() => fake.close());

const CONVERSATION = [
  { role: 'user', content: 'I live in Paris. I have a dog named Rex.' },
  { role: 'assistant', content: 'Noted!' },
];
const fixture = here(import.meta.url, '../fixtures/memories-ingest-once.ts');

/** A store with one known fact the conversation contradicts (so consolidation asks the model). */
async function seeded(location: string): Promise<Memex> {
  const mx = track(await openAt(location, { llm: openAiChat({ baseUrl: fake.baseUrl, model: 'fake' }), memories: { ingestLeaseMs: 1000 } }));
  await mx.memories.add({ text: 'The user lives in Lyon' });
  return mx;
}

/** What must be equal between two stores: facts (by text) with validity, and each fact's history of ops. */
async function state(mx: Memex) {
  const { items } = await mx.memories.list({ includeInvalid: true });
  const out = await Promise.all(
    items.map(async (f) => [f.text, f.invalidatedAt === null, (await mx.memories.history(f.id)).map((v) => v.op)] as const),
  );
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe.each(SHARED_ENGINES)('SIGKILL mid-ingestion (%s)', (engine) => {
  it.each(['memex_extracted_facts', 'memex_fact_decisions'])(
    'killed while the model answers %s: the retry ends as an uninterrupted run',
    async (stage) => {
      const reference = await seeded(newLocation(engine));
      fake.script(undefined);
      const uninterrupted = await reference.memories.ingest(CONVERSATION, { idempotencyKey: 'conv-kill' });

      const location = newLocation(engine);
      const mx = await seeded(location);
      const child = spawnScript(fixture, [JSON.stringify(locationOptions(location)), fake.baseUrl]);
      let asked = false;
      fake.script((r) => {
        if (r.schema === stage && !asked) {
          asked = true;
          child.kill('SIGKILL');
        }
        return undefined;
      });
      const exit = await watchChild(child);
      fake.script(undefined);
      expect(asked, exit.stderr).toBe(true);
      expect(exit.signal).toBe('SIGKILL');
      expect(await state(mx)).toEqual([['The user lives in Lyon', true, ['added']]]); // nothing half written

      const retried = await mx.memories.ingest(CONVERSATION, { idempotencyKey: 'conv-kill' });
      expect(retried.replayed).toBe(false);
      expect(retried.facts.map((f) => [f.op, f.text])).toEqual(uninterrupted.facts.map((f) => [f.op, f.text]));
      expect(await state(mx)).toEqual(await state(reference));
      expect(await mx.memories.ingest(CONVERSATION, { idempotencyKey: 'conv-kill' })).toMatchObject({ replayed: true, facts: retried.facts });
    },
  );
});
