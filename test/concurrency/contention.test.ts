import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { openMemex } from '../../src/index.js';
import { processSwitches } from '../helpers/interleaving.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
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
      // A floor on work done, not on speed: a loaded runner (fsync per commit with 'full') does less.
      expect(increments).toBeGreaterThan(pg ? 100 : 200);
      expect(r.checks.find((c) => c.name.startsWith('txn-count'))!.expected).toBeGreaterThan(pg ? 40 : 100);
      expect(r.lock.waits).toBeGreaterThan(0);
      // ... and across processes, not only among one process's callers: in commit order, the agents'
      // private batches pass from one process to another many times (run one after another, the 4
      // processes would give at most 3 such switches).
      const mx = await openMemex(where);
      const switches = await processSwitches(mx, (key) => /^private:(p\d+)-w\d+:batch$/.exec(key)?.[1]);
      await mx.close();
      console.log(`${durability}: ${increments} increments, ${r.lock.waits} lock waits, commit order switched between processes ${switches} times`);
      expect(switches, 'commit order switching between processes').toBeGreaterThanOrEqual(8);
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
    // Released together once all four have opened the store (starting them is most of their run).
    const kids = Array.from({ length: 4 }, () => {
      const child = spawnScript(racer, [path, '8', '40']);
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const lines: string[] = [];
      const exited = watchChild(child, (line) => (line === 'ready' ? ready() : lines.push(line)));
      return { child, isReady, exited, lines };
    });
    await Promise.all(kids.map((k) => unlessExited(k.isReady, k.exited, 'it was ready')));
    for (const k of kids) k.child.stdin!.end('go\n');
    for (const e of await Promise.all(kids.map((k) => k.exited))) expect(e.code, e.stderr).toBe(0);
    const results = kids.map((k) => JSON.parse(k.lines.at(-1)!) as { won: number[]; conflicts: number });
    const won = results.flatMap((r) => r.won);
    expect(new Set(won).size).toBe(won.length);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    // The races were between processes: ordered by the version they won against, the winners pass
    // from one process to another many times (processes run one after another give at most 3).
    const byVersion = results.flatMap((r, p) => r.won.map((v) => [v, p] as const)).sort((a, b) => a[0] - b[0]);
    const switches = byVersion.filter(([, p], i) => i > 0 && p !== byVersion[i - 1]![1]).length;
    console.log(
      `${engine}: ${won.length} wins, ${results.reduce((n, r) => n + r.conflicts, 0)} conflicts, winners switched between processes ${switches} times`,
    );
    expect(switches, 'winners switching between processes').toBeGreaterThanOrEqual(8);
    const mx = await openAt(path);
    expect(await mx.kv.get('cas')).toBe(won.length);
    await mx.close();
  });
});
