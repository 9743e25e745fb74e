// Curated memory and blocks through `memex export` and `memex import` (the built binary): the
// imported store answers as the source did — facts with their validity, history, search (now and
// asOf), blocks — and a version read after the import is one a compare-and-set accepts.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

afterEach(cleanupTemp);
const CLI = here(import.meta.url, '../../dist/cli/main.js');
const memex = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 });

/** What a user sees of curated memory: facts by text with validity and history, searches, blocks. */
async function view(mx: Memex, asOf: number) {
  const s = mx.scope('acme/u1');
  const { items } = await s.memories.list({ includeInvalid: true });
  const facts = await Promise.all(
    items.map(async (f) => ({
      text: f.text,
      invalid: f.invalidatedAt !== null,
      history: (await s.memories.history(f.id)).map((v) => [v.op, v.text, v.reason]),
    })),
  );
  return {
    facts: facts.sort((a, b) => (a.text < b.text ? -1 : 1)),
    now: (await s.memories.search({ text: 'where does the user live', topK: 5 })).map((h) => h.text),
    then: (await s.memories.search({ text: 'where does the user live', topK: 5, asOf })).map((h) => h.text),
    blocks: (await s.blocks.list()).map((b) => [b.label, b.value]),
  };
}

describe('curated memory through export and import', () => {
  it('the imported store answers as the source did, and its versions work for compare-and-set', async () => {
    const source = tempDbPath();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const mx = await openMemex({ path: source, durability: 'normal', clock: clock.now });
    const s = mx.scope('acme/u1');
    const paris = await s.memories.add({ text: 'The user lives in Paris', metadata: { topic: 'home' } });
    const asOf = clock.now();
    clock.advance(1000);
    await s.memories.update(paris.id, 'The user lives in Lyon', { reason: 'moved' });
    const gone = await s.memories.add({ text: 'The user owns a red bicycle' });
    await s.memories.delete(gone.id);
    const rome = await s.memories.add({ text: 'The user studied in Rome' });
    await s.memories.invalidate(rome.id, { reason: 'wrong' });
    await s.blocks.set('human', 'Name: Ada');
    await s.blocks.set('plan', { step: 2 });
    const before = await view(mx, asOf);
    await mx.close();

    const dump = join(tempDir(), 'dump.ndjson');
    writeFileSync(dump, (await memex('export', '--path', source)).stdout);
    const target = tempDbPath();
    await memex('import', dump, '--path', target, '--json');
    const back = await openMemex({ path: target, durability: 'normal' });
    try {
      expect(await view(back, asOf)).toEqual(before);
      expect(before.then).toEqual(['The user lives in Paris']);
      const t = back.scope('acme/u1');
      const f = (await t.memories.get(paris.id))!;
      const [hit] = await t.memories.search({ text: 'lives in Lyon', topK: 1 });
      expect(hit!.version).toBe(f.version);
      expect(await t.memories.update(paris.id, 'The user lives in Nice', { ifVersion: hit!.version })).toMatchObject({ op: 'updated' });
      expect((await t.memories.add({ text: 'The user lives in Nice' })).op).toBe('unchanged');
    } finally {
      await back.close();
    }
  });
});
