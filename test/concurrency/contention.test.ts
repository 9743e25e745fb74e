import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { openMemex } from '../../src/index.js';
import { here, runScript } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

describe('no lost updates across processes x worker threads x async callers', () => {
  for (const durability of ['normal', 'full'] as const) {
    it(`4 processes x 2 workers x 16 callers, durability ${durability}: stored totals equal acknowledged operations`, async () => {
      const path = tempDbPath();
      const r = await runDemo({ processes: 4, workers: 2, callers: 16, seconds: 2, durability, path });
      for (const c of r.checks) expect(c.actual, c.name).toBe(c.expected);
      // The run must really have contended, or it proves nothing.
      const increments = r.checks.filter((c) => c.name.startsWith('shared:')).reduce((n, c) => n + c.expected, 0);
      expect(increments).toBeGreaterThan(500);
      expect(r.checks.find((c) => c.name.startsWith('txn-count'))!.expected).toBeGreaterThan(100);
      expect(r.lock.waits).toBeGreaterThan(0);
      expect(r.processes).toHaveLength(4);
      expect(r.ok).toBe(true);
    });
  }
});

describe('ifVersion races across processes', () => {
  it('exactly one winner per version, and the final value counts the winners', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const racer = here(import.meta.url, '../fixtures/cas-racer.ts');
    const outs = await Promise.all(Array.from({ length: 4 }, () => runScript(racer, [path, '8', '40'])));
    const results = outs.map((lines) => JSON.parse(lines.at(-1)!) as { won: number[]; conflicts: number });
    const won = results.flatMap((r) => r.won);
    expect(new Set(won).size).toBe(won.length);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const mx = await openMemex({ path });
    expect(await mx.kv.get('cas')).toBe(won.length);
    await mx.close();
  });
});
