// The saved vector index unwritable: saves fail, nothing is lost (the records are the truth and
// searches keep answering from memory), health() says so, and the next save after the cause is
// gone succeeds by itself — no restart. A regular file where the index directory belongs makes
// every save fail, for root too (permissions would not stop root, who runs CI).
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openMemex } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

const docs = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `d${from + i}`, vector: [1, (from + i) % 7, (from + i) % 11, 1] }));

describe('vector index saves under faults', () => {
  it('an unwritable index directory: saves fail and health says so; freed, the next save succeeds and health is ok again', async () => {
    const path = tempDbPath();
    writeFileSync(`${path}-vectors`, 'not a directory');
    const mx = await openMemex({ path, durability: 'normal' });
    const indexCheck = async () => (await mx.health()).checks.find((c) => c.name === 'vectors index (default)');
    try {
      for (let i = 0; i < 5000; i += 1000) await mx.vectors.upsert(docs(i, 1000));
      expect((await mx.vectors.search({ vector: [1, 3, 3, 1], topK: 1 })).length).toBe(1);
      await vi.waitFor(async () => expect((await indexCheck())?.detail).toContain('last save FAILED'), { timeout: 20_000, interval: 20 });
      const failed = (await indexCheck())!;
      expect(failed.ok).toBe(false);
      expect(failed.detail).toMatch(/E(NOTDIR|EXIST)/);
      expect((await mx.health()).ok).toBe(false);
      expect(await mx.vectors.count()).toBe(5000);

      rmSync(`${path}-vectors`);
      await mx.vectors.upsert(docs(5000, 1000));
      expect((await mx.vectors.search({ vector: [1, 3, 3, 1], topK: 1 })).length).toBe(1);
      await vi.waitFor(async () => expect((await indexCheck())?.detail).toContain('saved at'), { timeout: 20_000, interval: 20 });
      expect((await indexCheck())?.ok).toBe(true);
      expect((await mx.health()).ok).toBe(true);
    } finally {
      await mx.close();
    }
    const again = await openMemex({ path, durability: 'normal' });
    expect(await again.vectors.count()).toBe(6000);
    expect((await again.vectors.search({ vector: [1, 3, 3, 1], topK: 1 })).length).toBe(1);
    expect((await again.stats()).stores.vectors?.indexLoads).toBe(1); // the save made after the fault, not a rebuild
    await again.close();
  });
});
