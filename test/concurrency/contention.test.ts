import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { here, runScript } from '../helpers/spawn.js';
import { cleanupLocations, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';
import { tempDbPath } from '../helpers/tmp.js';
import { freshSchema, PG_URL } from '../helpers/pg.js';

afterEach(cleanupLocations);

describe('no lost updates across processes x worker threads x async callers', () => {
  for (const durability of ['normal', 'full', 'postgres'] as const) {
    it(`4 processes x 2 workers x 16 callers, ${durability === 'postgres' ? 'on PostgreSQL (8 nodes)' : `durability ${durability}`}: stored totals equal acknowledged operations`, async () => {
      const where = durability === 'postgres' ? { url: PG_URL, schema: freshSchema() } : { path: tempDbPath() };
      const r = await runDemo({
        processes: 4,
        workers: 2,
        callers: 16,
        seconds: 2,
        durability: durability === 'postgres' ? 'full' : durability,
        ...where,
      });
      for (const c of r.checks) expect(c.actual, c.name).toBe(c.expected);
      // The run must really have contended, or it proves nothing.
      const increments = r.checks.filter((c) => c.name.startsWith('shared:')).reduce((n, c) => n + c.expected, 0);
      // 8 PostgreSQL nodes share the 2 cores with the server: fewer operations, still contended.
      const pg = durability === 'postgres';
      expect(increments).toBeGreaterThan(pg ? 100 : 500);
      expect(r.checks.find((c) => c.name.startsWith('txn-count'))!.expected).toBeGreaterThan(pg ? 40 : 100);
      expect(r.lock.waits).toBeGreaterThan(0);
      expect(r.processes).toHaveLength(4);
      expect(r.ok).toBe(true);
    });
  }
});

describe.each(SHARED_ENGINES)('ifVersion races across processes (%s)', (engine) => {
  it('exactly one winner per version, and the final value counts the winners', async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    const racer = here(import.meta.url, '../fixtures/cas-racer.ts');
    const outs = await Promise.all(Array.from({ length: 4 }, () => runScript(racer, [path, '8', '40'])));
    const results = outs.map((lines) => JSON.parse(lines.at(-1)!) as { won: number[]; conflicts: number });
    const won = results.flatMap((r) => r.won);
    expect(new Set(won).size).toBe(won.length);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const mx = await openAt(path);
    expect(await mx.kv.get('cas')).toBe(won.length);
    await mx.close();
  });
});
