// Two processes running supersteps on the same LangGraph thread through MemexSaver (one file), as
// LangGraph's loop does: versions minted by the saver from the parents both processes read (their
// counters collide), forks from old checkpoints re-read by id, store items in one shared namespace.
// Every checkpoint of both is there, whole — its own channel value (no branch replaced it), its
// metadata, the parent it was put under and all its writes — and LangGraph's list walks them
// newest first.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { MemexSaver, MemexStore } from '../../src/adapters/langgraph/index.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

const STEPS = 60;

describe('MemexSaver across processes', () => {
  it(`two processes x ${STEPS} checkpoints of one thread: all ${2 * STEPS} whole, none corrupt`, async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const runs = ['a', 'b'].map((tag) =>
      watchChild(spawnScript(here(import.meta.url, '../fixtures/langgraph-writer.ts'), [path, tag, String(STEPS)])),
    );
    for (const r of await Promise.all(runs)) expect(r, r.stderr).toMatchObject({ code: 0 });

    const mx = await openMemex({ path });
    const saver = new MemexSaver(mx.scope('graphs'));
    const tuples = [];
    for await (const t of saver.list({ configurable: { thread_id: 'shared' } })) tuples.push(t);
    expect(tuples).toHaveLength(2 * STEPS);
    const ids = tuples.map((t) => t.checkpoint.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const seen = { a: new Set<number>(), b: new Set<number>() };
    const forks = { a: 0, b: 0 };
    const counters = { a: new Set<string>(), b: new Set<string>() };
    for (const t of tuples) {
      const meta = t.metadata as unknown as { tag: 'a' | 'b'; step: number; source: string; parent: string | null };
      const value = t.checkpoint.channel_values.messages as { tag: string; i: number; text: string };
      expect(value, `${meta.tag} step ${meta.step}`).toEqual({ tag: meta.tag, i: meta.step, text: `step ${meta.step} of ${meta.tag}`.repeat(20) });
      expect(t.pendingWrites?.map((w) => w[2])).toEqual([{ tag: meta.tag, i: meta.step, w: 0 }, { tag: meta.tag, i: meta.step, w: 1 }, meta.step]);
      expect(t.parentConfig?.configurable?.checkpoint_id ?? null).toBe(meta.parent);
      seen[meta.tag].add(meta.step);
      if (meta.source === 'fork') forks[meta.tag]++;
      counters[meta.tag].add(String(t.checkpoint.channel_versions.messages).split('.')[0]!);
    }
    expect(seen.a.size).toBe(STEPS);
    expect(seen.b.size).toBe(STEPS);
    // What made overwrites possible happened: forks from old checkpoints in both processes, and
    // version counters minted by both (LangGraph's own integers would have collided there).
    expect(forks).toEqual({ a: STEPS / 5 - 1, b: STEPS / 5 - 1 });
    expect([...counters.a].filter((c) => counters.b.has(c)).length, 'version counters both processes minted').toBeGreaterThan(0);
    const store = new MemexStore(mx.scope('graph-store'));
    const shared = await store.search(['shared'], { limit: 1000 });
    expect(shared).toHaveLength(2 * STEPS + 1);
    const last = shared.find((item) => item.key === 'last')!.value as { tag: string; i: number; text: string };
    expect(last.text).toBe(`last of ${last.tag} at ${last.i}`.repeat(10));
    expect(last.i).toBe(STEPS - 1);
    await saver.deleteThread('shared');
    expect(await saver.getTuple({ configurable: { thread_id: 'shared' } })).toBeUndefined();
    expect((await mx.scope('graphs').kv.list({ limit: 10 })).items).toEqual([]);
    await mx.close();
  });
});
