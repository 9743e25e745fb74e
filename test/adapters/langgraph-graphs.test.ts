// Compiled LangGraph graphs on MemexSaver, on SQLite and PostgreSQL, against LangGraph's own
// MemorySaver (which keeps every checkpoint whole, values and all) as the oracle: a thread that is
// replayed from earlier checkpoints, given new input at an old checkpoint and forked with
// `updateState` has the same history, checkpoint by checkpoint, and every checkpoint read by id
// afterwards is what it was before the branches grew. Then a graph node searching MemexStore by
// meaning finds what it finds in LangGraph's InMemoryStore with the same embeddings. And
// checkpoints written before MemexSaver's versions were unique (test/fixtures/langgraph-legacy.*,
// integer versions) read as they did, take the same branches, and resume an interrupted graph.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Command, InMemoryStore, MemorySaver, type BaseCheckpointSaver, type BaseStore, type StateSnapshot } from '@langchain/langgraph';
import type { Memex } from '../../src/index.js';
import { MemexSaver, MemexStore } from '../../src/adapters/langgraph/index.js';
import { importExport } from '../../src/cli/commands/import.js';
import { HashingEmbeddings, askGraph, counterGraph, idOf, recallGraph, shown, type Shown } from '../helpers/langgraph-graphs.js';
import { SHARED_ENGINES, cleanupLocations, isPgLocation, locationOptions, newLocation, openAt } from '../helpers/location.js';
import { here } from '../helpers/spawn.js';

afterAll(cleanupLocations);

const thread = { configurable: { thread_id: 'time-travel' } };
const at = (id: string) => ({ configurable: { thread_id: 'time-travel', checkpoint_id: id } });

async function history(graph: ReturnType<typeof counterGraph>): Promise<StateSnapshot[]> {
  const out: StateSnapshot[] = [];
  for await (const s of graph.getStateHistory(thread)) out.push(s);
  return out.reverse(); // oldest first
}

/** Two runs on one thread: 8 checkpoints, one chain. */
async function twoRuns(graph: ReturnType<typeof counterGraph>): Promise<string[]> {
  await graph.invoke({ log: ['hi'] }, thread);
  await graph.invoke({ log: ['again'] }, thread);
  return (await history(graph)).map(idOf);
}

/**
 * Branches from the checkpoints of `twoRuns` (`ids`, oldest first): a replay from the checkpoint
 * before `bump` of the first run, new input at the end of the first run, and an `updateState` fork
 * of the checkpoint before `note` (count set to 100) run on. Returns each checkpoint of `ids` as
 * read by id before the branches and after them, the whole history, and the branches' results.
 */
async function branches(graph: ReturnType<typeof counterGraph>, ids: readonly string[]) {
  const read = async () => Promise.all(ids.map((id) => graph.getState(at(id))));
  const before = await read();
  const results: unknown[] = [];
  results.push(await graph.invoke(null, at(ids[1]!))); // replay: next is bump
  results.push(await graph.invoke({ log: ['branch'] }, at(ids[3]!))); // new input at the end of run 1
  const fork = await graph.updateState(at(ids[2]!), { count: 100 }, 'bump'); // next is note
  results.push(await graph.invoke(null, fork));
  const after = await read();
  const all = await history(graph);
  const order = all.map(idOf);
  return {
    before: before.map((s) => shown(s, order)),
    after: after.map((s) => shown(s, order)),
    all: all.map((s) => shown(s, order)),
    results,
  };
}

async function timeTravel(saver: BaseCheckpointSaver) {
  const graph = counterGraph(saver);
  return branches(graph, await twoRuns(graph));
}

async function recall(store: BaseStore, saver: BaseCheckpointSaver) {
  const memories: [string, string, string][] = [
    ['ada', 'lang', 'Prefers Python for data analysis and notebooks'],
    ['ada', 'food', 'Allergic to peanuts, loves Thai curry'],
    ['ada', 'pet', 'Has a cat called Turing'],
    ['ada', 'job', 'Works night shifts at the observatory'],
    ['bob', 'lang', 'Writes Python scripts for data pipelines'],
  ];
  for (const [user, key, text] of memories) await store.put(['memories', user], key, { text });
  const graph = recallGraph(saver, store);
  const asks = async () => [
    await graph.invoke({ user: 'ada', query: 'python data notebooks' }, { configurable: { thread_id: 'ada-1' } }),
    await graph.invoke({ user: 'ada', query: 'what does the cat do' }, { configurable: { thread_id: 'ada-2' } }),
    await graph.invoke({ user: 'bob', query: 'python data notebooks' }, { configurable: { thread_id: 'bob-1' } }),
  ];
  const first = await asks();
  // An item changed since: its old text must no longer find it, its new text must.
  await store.put(['memories', 'ada'], 'pet', { text: 'Adopted a dog called Lovelace' });
  return { first, changed: await asks() };
}

const LEGACY = here(import.meta.url, '../fixtures/langgraph-legacy');

describe.each(SHARED_ENGINES)('compiled graphs on MemexSaver (%s)', (engine) => {
  const open = async (): Promise<Memex> => openAt(newLocation(engine));

  it('replays, new input at an old checkpoint and an updateState fork: history as MemorySaver keeps it, no checkpoint changed', async () => {
    const mx = await open();
    try {
      const memex = await timeTravel(new MemexSaver(mx.scope('graphs')));
      const memory = await timeTravel(new MemorySaver());
      expect(memex.before).toHaveLength(8);
      expect(memex.all).toHaveLength(8 + 3 + 4 + 1 + 1); // replay: fork, bump, note; input: input, start, bump, note; update; note
      // Every checkpoint written before the branches reads back as it did.
      expect(memex.after).toEqual(memex.before);
      expect(memex.before).toEqual(memory.before);
      expect(memex.all).toEqual(memory.all);
      expect(memex.results).toEqual(memory.results);
      expect(memex.results).toEqual([
        { count: 1, log: ['hi', 'bump 1', 'note 1'] },
        { count: 2, log: ['hi', 'bump 1', 'note 1', 'branch', 'bump 2', 'note 2'] },
        { count: 100, log: ['hi', 'bump 1', 'note 100'] },
      ]);
      const branchPoints = memex.all.filter((s: Shown) => memex.all.filter((c) => c.parent === s.at).length > 1).map((s) => s.at);
      expect(branchPoints).toEqual([1, 2, 3]);
    } finally {
      await mx.close();
    }
  });

  it('a graph node searches MemexStore by meaning as it searches InMemoryStore, in its own namespace only', async () => {
    const mx = await open();
    try {
      const embeddings = new HashingEmbeddings();
      const index = { fields: ['text'], embeddings, dims: embeddings.dims };
      const lg = await recall(new InMemoryStore({ index }), new MemorySaver());
      const withModel = await recall(new MemexStore(mx.scope('store-a'), { index }), new MemexSaver(mx.scope('graphs-a')));
      // Memex's own embedder (the same hashing one, the Memex default) instead of a LangChain model.
      const own = await recall(new MemexStore(mx.scope('store-b'), { index: { fields: ['text'] } }), new MemexSaver(mx.scope('graphs-b')));
      expect(withModel).toEqual(lg);
      expect(own).toEqual(lg);
      const keys = (r: typeof lg) => [r.first, r.changed].map((run) => run.map((s) => s.hits.map((h) => h.key)));
      expect(keys(withModel)[0]![0]![0]).toBe('lang');
      expect(keys(withModel)[0]![1]![0]).toBe('pet');
      expect(keys(withModel)[1]![1]![0]).not.toBe('pet');
      expect(keys(withModel)[0]![2]).toEqual(['lang']); // bob's one memory, none of ada's
    } finally {
      await mx.close();
    }
  });

  it('checkpoints written with integer versions (before versions were unique) read as written, branch apart, and resume', async () => {
    const location = newLocation(engine);
    const o = locationOptions(location);
    const flags = isPgLocation(location) ? { url: o.url, schema: o.schema } : { path: o.path };
    const imported = await importExport(`${LEGACY}.ndjson`, { ...flags, onConflict: 'fail', batch: 1000, resumeAt: 0 });
    expect(imported.imported).toBe(47);
    const legacy = JSON.parse(readFileSync(`${LEGACY}.json`, 'utf8')) as {
      versions: Record<string, unknown>;
      checkpoints: { id: string; parent: string | null; values: unknown; next: string[]; metadata: unknown }[];
    };
    expect(Object.values(legacy.versions).every((v) => typeof v === 'number')).toBe(true);
    const ids = legacy.checkpoints.map((c) => c.id);
    const mx = await openAt(location);
    try {
      const saver = new MemexSaver(mx.scope('graphs'));
      const graph = counterGraph(saver);
      const asWritten = legacy.checkpoints.map((c) => ({ ...c, parent: c.parent === null ? null : ids.indexOf(c.parent), at: ids.indexOf(c.id) }));
      const memex = await branches(graph, ids);
      const pick = (s: Shown) => ({ at: s.at, parent: s.parent, values: s.values, next: s.next, metadata: s.metadata });
      expect(memex.before.map(pick)).toEqual(asWritten.map(({ id: _, ...c }) => c));
      expect(memex.after).toEqual(memex.before);
      expect(memex.all).toEqual((await timeTravel(new MemorySaver())).all);

      const ask = askGraph(saver);
      const q = { configurable: { thread_id: 'q' } };
      expect((await ask.getState(q)).next).toEqual(['askName']);
      await ask.invoke(new Command({ resume: 'Ada' }), q);
      expect(await ask.invoke(new Command({ resume: 'green' }), q)).toEqual({ name: 'Ada', color: 'green', summary: 'Ada likes green' });
    } finally {
      await mx.close();
    }
  });
});
