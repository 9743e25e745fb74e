/**
 * Guarantee 3 (Durable) and 1 (Atomic) under SIGKILL: a writer child is killed at random moments,
 * again and again, on ONE database file; after every kill the file must pass integrity_check,
 * open through openMemex, hold every acknowledged write, and show no half-applied setMany or
 * transaction. See test/crash/check.ts for exactly what is checked.
 *
 * MEMEX_CRASH_ITERATIONS (default 50) sets the number of kills, MEMEX_CRASH_SEED the seed.
 * `npx tsx scripts/crash-loop.ts 1000` runs the same loop outside vitest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { formatSummary, runCrashLoop } from './check.js';

const ITERATIONS = Number(process.env.MEMEX_CRASH_ITERATIONS ?? 50);
const SEED = Number(process.env.MEMEX_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('crash: writer SIGKILLed at random moments on one file', () => {
  afterAll(() => cleanupTemp());

  it(
    `keeps every acknowledged write and never half-applies a batch across ${ITERATIONS} kills (full and normal durability)`,
    async () => {
      const summary = await runCrashLoop({ dbPath: tempDbPath('crash.db'), iterations: ITERATIONS, seed: SEED, stopOnFailure: true });
      console.log(formatSummary(summary));
      expect(summary.failures, `seed ${SEED}; rerun with MEMEX_CRASH_SEED=${SEED}`).toEqual([]);
      expect(summary.iterations).toBe(ITERATIONS);
      // Floors a stalled or idle writer would miss, so that "no failure" means the kills really
      // landed among writes: each child runs 8 loops for 30-300 ms after its first ack (hundreds of
      // acknowledged writes each; a writer stalled after its first ack would leave ~1 per child),
      // most kills catch writes in flight, and some catch a write committed but not yet acknowledged.
      const t = summary.totals;
      expect(t.acked, 'acknowledged writes').toBeGreaterThanOrEqual(50 * ITERATIONS);
      expect(t.keyChecks, 'per-key checks of acknowledged writes').toBeGreaterThanOrEqual(10 * ITERATIONS);
      expect(t.midWriteKills, 'kills that landed while writes were in flight').toBeGreaterThanOrEqual(Math.ceil(ITERATIONS * 0.8));
      expect(t.inFlightCommitted, 'in-flight writes found committed').toBeGreaterThan(0);
      expect(t.killsWithCommittedUnacked, 'kills after a commit before its acknowledgement').toBeGreaterThan(0);
      expect(t.aborts, 'aborting transactions issued').toBeGreaterThan(0);
    },
    60_000 + ITERATIONS * 5_000,
  );
});
