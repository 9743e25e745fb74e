// Curated memory shared by 4 OS processes on one storage (SQLite file, PostgreSQL schema), with a
// scripted OpenAI-compatible model on loopback that every process calls: a fact added at once by
// all is stored once; a conversation ingested by all costs one set of model calls; block appends
// are all kept. Each phase starts in every process at once (a barrier over stdin).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FactOutcome, IngestResult } from '../../src/index.js';
import { startFakeLlm, type FakeLlm } from '../../src/testing/index.js';
import { cleanupLocations, locationOptions, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { closeAfterEach } from '../helpers/stores.js';

const track = closeAfterEach();
afterEach(cleanupLocations);
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm(); // 30-80 ms per answer, like a real model
});
afterAll(() => fake.close());

const fixture = here(import.meta.url, '../fixtures/memories-worker.ts');

/** 4 processes on `location`; `phase(name)` starts it in all at once and resolves each one's acknowledgements. */
async function fourProcesses(location: string) {
  const kids = Array.from({ length: 4 }, (_, id) => {
    const child = spawnScript(fixture, [JSON.stringify(locationOptions(location)), fake.baseUrl, String(id)]);
    const waiting: ((line: string) => void)[] = [];
    let ready: () => void = () => {};
    const isReady = new Promise<void>((r) => (ready = r));
    const exited = watchChild(child, (l) => (l === 'ready' ? ready() : waiting.shift()?.(l)));
    const next = () => unlessExited(new Promise<string>((r) => waiting.push(r)), exited, 'it finished its phase');
    return { child, exited, next, ready: unlessExited(isReady, exited, 'it was ready') };
  });
  await Promise.all(kids.map((k) => k.ready));
  return {
    phase: async <T>(name: string): Promise<T[]> => {
      const lines = kids.map((k) => k.next());
      for (const k of kids) k.child.stdin!.write(`${name}\n`);
      return (await Promise.all(lines)).map((l) => JSON.parse(l) as T);
    },
    end: async () => {
      for (const k of kids) k.child.stdin!.end('end\n');
      for (const e of await Promise.all(kids.map((k) => k.exited))) expect(e, e.stderr).toMatchObject({ code: 0 });
    },
  };
}

describe.each(SHARED_ENGINES)('curated memory across 4 processes (%s)', (engine) => {
  it('one fact added at once everywhere is stored once; one conversation ingested by 8 callers costs one ingestion; no block append is lost', async () => {
    const location = newLocation(engine);
    const mx = track(await openAt(location));
    await mx.memories.add({ text: 'The user lives in Lyon' }); // so consolidation asks the model too
    const procs = await fourProcesses(location);

    // 2, 4 and 8 concurrent adds of one fact in each process.
    const adds = await procs.phase<FactOutcome[][]>('add');
    for (const [round, c] of [2, 4, 8].entries()) {
      const all = adds.flatMap((o) => o[round]!);
      expect(all).toHaveLength(4 * c);
      expect(new Set(all.map((o) => o.id)).size, `round of ${c}`).toBe(1);
      expect(
        all.filter((o) => o.op === 'added'),
        `round of ${c}`,
      ).toHaveLength(1);
      expect(await mx.memories.history(all[0]!.id)).toHaveLength(1);
    }

    // The same conversation, two callers in each process.
    const before = fake.count();
    const ingests = (await procs.phase<IngestResult[]>('ingest')).flat();
    const fresh = ingests.filter((o) => !o.replayed);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.llmCalls).toBe(2); // extraction + one consolidation
    expect(fake.count() - before).toBe(fresh[0]!.llmCalls);
    for (const o of ingests) expect(o.facts).toEqual(fresh[0]!.facts);

    // 25 concurrent appends to one block in each process.
    await procs.phase('append');
    await procs.end();

    const { items } = await mx.memories.list({ includeInvalid: true });
    expect(items.map((f) => [f.text, f.invalidatedAt === null]).sort()).toEqual([
      ['Acme ships rockets to the moon', true],
      ['Chess is played on sixty-four squares', true],
      ['Rex enjoys long walks in the park', true],
      ['The user has a dog named Rex', true],
      ['The user lives in Lyon', false],
      ['The user lives in Paris', true],
      ['The user works at Acme', true],
    ]);
    const lines = ((await mx.blocks.get('human'))!.value as string).split('\n').sort();
    expect(lines).toEqual(
      Array.from({ length: 4 }, (_, p) => Array.from({ length: 25 }, (_, i) => `p${p}-${i}`))
        .flat()
        .sort(),
    );
  });
});
