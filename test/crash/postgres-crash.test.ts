/**
 * Fleet mode under SIGKILL: a node (a writer child on PostgreSQL) is killed at random moments,
 * again and again, on one schema; after every kill the records hold every acknowledged write and
 * no half-applied setMany or transaction, read both with a plain pg client and through a fresh
 * node (see check.ts). MEMEX_PG_CRASH_ITERATIONS (default 12) sets the number of kills;
 * `npx tsx scripts/crash-loop.ts 1000 --postgres` runs the same loop outside vitest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupLocations, newLocation } from '../helpers/location.js';
import { formatSummary, missedFloors, runCrashLoop } from './crash-loop.js';

const ITERATIONS = Number(process.env.MEMEX_PG_CRASH_ITERATIONS ?? 12);
const SEED = Number(process.env.MEMEX_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Per kill after the first ack: a node stalled after its first group commit has at most 8 of each. */
const PER_KILL = { acked: 20, keyChecks: 12 };

describe('crash: a PostgreSQL node SIGKILLed at random moments', () => {
  afterAll(cleanupLocations);

  it(
    `keeps every acknowledged write and never half-applies a batch across ${ITERATIONS} kills`,
    async () => {
      const summary = await runCrashLoop({ dbPath: newLocation('postgres'), iterations: ITERATIONS, seed: SEED, stopOnFailure: true });
      console.log(formatSummary(summary));
      expect(summary.failures, `seed ${SEED}; rerun with MEMEX_CRASH_SEED=${SEED}`).toEqual([]);
      expect(summary.iterations).toBe(ITERATIONS);
      const t = summary.totals;
      // The same floors as the SQLite loop, per kill (see missedFloors): a node killed while running
      // acknowledged writes of its own, some kills landed inside its startup and the next node wrote
      // after it, and some kills found a write committed before its acknowledgement arrived.
      expect(missedFloors(summary, PER_KILL), `seed ${SEED}`).toEqual([]);
      expect(t.killsWithCommittedUnacked, 'kills after a commit before its acknowledgement').toBeGreaterThan(0);
      expect(t.aborts, 'aborting transactions issued').toBeGreaterThan(0);
    },
    60_000 + ITERATIONS * 5_000,
  );
});
