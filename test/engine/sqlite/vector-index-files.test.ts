// The SQLite engine keeps each namespace's derived vector index in <db>-vectors/ beside the file:
// saved on close, loaded on open, never trusted over the records.
import { readdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../../src/index.js';
import { clusteredVectors, exactTop } from '../../../src/testing/vector-data.js';
import { tempDbPath } from '../../helpers/tmp.js';
import { closeAfterEach } from '../../helpers/stores.js';

const DIM = 32;
const dataset = (n: number, seed: number) => clusteredVectors(n, seed, DIM, 40, 0.6);
const track = closeAfterEach();

describe('the derived index on disk', () => {
  const stats = async (mx: Memex) => (await mx.stats()).stores.vectors!;

  it('is saved on close and loaded on reopen instead of rebuilt, then catches up with later writes', async () => {
    const path = tempDbPath();
    const a = await openMemex({ path, durability: 'normal' });
    const vs = dataset(3000, 3);
    for (let i = 0; i < 3000; i += 1000) await a.vectors.upsert(vs.slice(i, i + 1000).map((v, j) => ({ id: `d${i + j}`, vector: v })));
    const q = dataset(1, 8)[0]!;
    const before = await a.vectors.search({ vector: q, topK: 10 });
    await a.close();

    const b = await openMemex({ path, durability: 'normal' });
    track(b);
    const c = await openMemex({ path, durability: 'normal' });
    track(c);
    await c.vectors.delete(before[0]!.id);
    await c.vectors.upsert({ id: 'new', vector: q });
    const after = await b.vectors.search({ vector: q, topK: 10 });
    expect((await stats(b)).indexLoads).toBe(1);
    expect((await stats(b)).indexRebuilds ?? 0).toBe(0);
    expect(after[0]!.id).toBe('new');
    expect(after.map((h) => h.id)).not.toContain(before[0]!.id);
    // The rest is the graph's answer over the caught-up index: held to an exact cosine scan of the
    // documents this test wrote (computed here, not by the store), allowing the graph one miss.
    // filter scans every match exactly), allowing the graph one miss.
    const docs = new Map(vs.map((v, i) => [`d${i}`, v]));
    docs.delete(before[0]!.id);
    docs.set('new', q);
    const exact = new Set(exactTop(docs, q, 10));
    expect(after.filter((h) => exact.has(h.id)).length).toBeGreaterThanOrEqual(9);
    expect((await stats(b)).graphBuilds ?? 0, 'the saved graph was loaded, not built again').toBe(0);
  });

  it('a graph file of the wrong size is not loaded: the graph is rebuilt from the saved vectors', async () => {
    const path = tempDbPath();
    const a = await openMemex({ path, durability: 'normal' });
    const vs = dataset(2500, 5);
    for (let i = 0; i < 2500; i += 1000) await a.vectors.upsert(vs.slice(i, i + 1000).map((v, j) => ({ id: `d${i + j}`, vector: v })));
    const q = dataset(1, 9)[0]!;
    await a.vectors.search({ vector: q, topK: 1 });
    await a.close();
    const dir = `${path}-vectors`;
    const graph = readdirSync(dir).find((f) => f.endsWith('.usearch'));
    expect(graph).toBeDefined();
    truncateSync(join(dir, graph!), 4096);

    const b = await openMemex({ path, durability: 'normal' });
    track(b);
    const hits = await b.vectors.search({ vector: q, topK: 10 });
    expect((await stats(b)).indexLoads).toBe(1);
    expect((await stats(b)).indexRebuilds ?? 0).toBe(0);
    const exact = new Set(exactTop(new Map(vs.map((v, i) => [`d${i}`, v])), q, 10));
    expect(hits.filter((h) => exact.has(h.id)).length).toBeGreaterThanOrEqual(9);
    expect((await stats(b)).graphBuilds, 'the truncated graph was rebuilt from the saved vectors').toBeGreaterThanOrEqual(1);
  });

  it('is never loaded for another database created at the same path', async () => {
    const path = tempDbPath();
    const a = await openMemex({ path, durability: 'normal' });
    const old = dataset(2500, 4).map((v, i) => ({ id: `old${i}`, vector: v }));
    for (let i = 0; i < old.length; i += 1000) await a.vectors.upsert(old.slice(i, i + 1000));
    await a.vectors.search({ vector: dataset(1, 1)[0]!, topK: 1 });
    await a.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    const b = await openMemex({ path, durability: 'normal' });
    track(b);
    // Enough writes that the new file's feed is past the saved index's seq: only its id can tell them apart.
    await b.kv.setMany(Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: i })));
    await b.vectors.upsert({ id: 'only', vector: dataset(1, 2)[0]! });
    const hits = await b.vectors.search({ vector: dataset(1, 2)[0]!, topK: 5 });
    expect(hits.map((h) => h.id)).toEqual(['only']);
    expect((await stats(b)).indexLoads ?? 0).toBe(0);
  });
});
