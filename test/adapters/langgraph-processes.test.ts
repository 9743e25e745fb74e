// Two processes running supersteps on the same LangGraph thread through MemexSaver (one file):
// every checkpoint of both is there, whole — its channel value, metadata, parent and all its
// writes — and LangGraph's list walks them newest first.
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
    const known = new Set(ids);
    const seen = { a: new Set<number>(), b: new Set<number>() };
    for (const t of tuples) {
      const meta = t.metadata as unknown as { tag: 'a' | 'b'; step: number };
      const value = t.checkpoint.channel_values.messages as { tag: string; i: number; text: string };
      expect(value).toEqual({ tag: meta.tag, i: meta.step, text: `step ${meta.step} of ${meta.tag}`.repeat(20) });
      expect(t.pendingWrites?.map((w) => w[2])).toEqual([{ tag: meta.tag, i: meta.step, w: 0 }, { tag: meta.tag, i: meta.step, w: 1 }, meta.step]);
      if (t.parentConfig) expect(known.has(t.parentConfig.configurable?.checkpoint_id as string)).toBe(true);
      seen[meta.tag].add(meta.step);
    }
    expect(seen.a.size).toBe(STEPS);
    expect(seen.b.size).toBe(STEPS);
    const store = new MemexStore(mx.scope('graph-store'));
    expect(await store.search(['a'], { limit: 100 })).toHaveLength(STEPS);
    expect(await store.search(['b'], { limit: 100 })).toHaveLength(STEPS);
    await saver.deleteThread('shared');
    expect(await saver.getTuple({ configurable: { thread_id: 'shared' } })).toBeUndefined();
    expect((await mx.scope('graphs').kv.list({ limit: 10 })).items).toEqual([]);
    await mx.close();
  });
});
