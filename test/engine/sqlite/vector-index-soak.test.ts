// Call patterns that took plain usearch down (issue 28), through Memex's API: a graph saved after
// many removals aborted every process that loaded it; adds after removals hung inside `add`; and
// the soak that found both — a writer SIGKILLed mid-batch, the store reopened, searched, emptied
// and closed, round after round in one process that must survive them all.
import { afterAll, describe, expect, it } from 'vitest';
import { exactTop } from '../../../src/testing/vector-data.js';
import { REMOVALS_KEPT, removalsDocs } from '../../fixtures/vectors-removals-model.js';
import { here, runScript, spawnScript, watchChild } from '../../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../../helpers/tmp.js';
import { runVectorSoak } from '../../helpers/vectors-soak.js';

const REMOVALS = here(import.meta.url, '../../fixtures/vectors-removals.ts');
afterAll(cleanupTemp);

describe('usearch call patterns that crash or hang, through the API', () => {
  it('a graph saved after 1,722 of 2,320 documents were deleted loads in a new process, which answers exactly', async () => {
    const path = tempDbPath();
    await runScript(REMOVALS, [path, 'write']);
    // Before the fix this process aborted in usearch's loader (free(): corrupted unsorted chunks).
    const lines = await runScript(REMOVALS, [path, 'read']);
    const kept = new Map(
      removalsDocs()
        .slice(0, REMOVALS_KEPT)
        .map((d) => [d.id, d.vector]),
    );
    expect(lines.map((l) => JSON.parse(l) as string[])).toEqual(
      removalsDocs()
        .slice(0, 20)
        .map((d) => exactTop(kept, d.vector, 10)),
    );
  });

  it('60 adds then 45 deletes, 40 times over a 2,000-document graph, completes', async () => {
    const child = spawnScript(REMOVALS, [tempDbPath(), 'churn']);
    const lines: string[] = [];
    const done = watchChild(child, (l) => lines.push(l));
    // A hang inside native code cannot be interrupted from this process: bound it from outside.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const exit = await done;
    clearTimeout(timer);
    expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(lines[0]!)).toEqual({ churned: 40, count: 2000 + 40 * 15 });
  });

  // 40 rounds here, 300 and more on demand (scripts/vectors-soak.ts, also under glibc's heap
  // checks): a round costs about a CPU-second (a writer process starting, thousands of writes,
  // two opens), and 300 took 3-7 minutes of this machine's 2 cores, too much of CI's 20. The code
  // before the fix aborted within 30 rounds; the fixture and churn tests above catch it at once.
  it(
    '40 rounds of a writer SIGKILLed mid-batch, then reopen, search, delete all, close: one process survives them all',
    { timeout: 600_000 },
    async () => {
      const seed = Number(process.env.MEMEX_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const started = Date.now();
      const res = await runVectorSoak(tempDir(), 40, seed, 2);
      console.log(`vector soak: seed ${seed} (MEMEX_SOAK_SEED replays it), ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(res)}`);
      expect(res.rounds).toBe(40);
      // The rounds must have exercised what they are for: graphs saved, loaded and emptied.
      expect(res.graphRounds).toBeGreaterThan(0);
      expect(res.loads).toBeGreaterThanOrEqual(40);
      expect(res.rebuilds).toBe(0);
    },
  );
});
