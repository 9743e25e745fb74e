/**
 * The dedicated timing step of CI (issue 34): the SPEC's bounded waiting held to its figure —
 * `lockTimeoutMs + 50 ms` at the 99th percentile — where the shared suites hold only bounds a loaded
 * runner cannot break (timeouts never come early, by construction, and never after + 1 s). A
 * percentile over a few hundred calls, rather than a hard bound on each, so one descheduled moment
 * of a shared 2-core runner does not fail it while a slow timeout path does.
 *
 * Each holder (see lock-timeout-bound.ts) holds the write lock for 16 rounds (after a warm-up) while
 * six writes wait and time out; `npx tsx scripts/lock-timeout-bound.ts` runs more rounds on demand.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupLocations } from '../helpers/location.js';
import { describeRun, measureLockTimeouts, quantile, type HolderKind } from './lock-timeout-bound.js';

const ROUNDS = 16;
const TIMEOUT_MS = 200;
/** The SPEC's figure: how far past lockTimeoutMs a call may give up. */
const BOUND_MS = 50;

describe('bounded waiting, timed: LockTimeoutError comes within lockTimeoutMs + 50 ms (p99)', () => {
  afterAll(cleanupLocations);

  it(`${ROUNDS} rounds x 6 writes against each holder (SQLite raw and gated, PostgreSQL): p99 overshoot <= ${BOUND_MS} ms, none early`, async () => {
    const all: number[] = [];
    for (const holder of ['raw', 'gated', 'postgres'] satisfies HolderKind[]) {
      const run = await measureLockTimeouts(holder, ROUNDS, TIMEOUT_MS);
      console.log(describeRun(run));
      expect(run.overshoots).toHaveLength(ROUNDS * 6);
      all.push(...run.overshoots);
    }
    // Never early: the deadline is compared with performance.now(), so this holds by construction.
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-1);
    expect(quantile(all, 0.99), `p99 of ${all.length} overshoots`).toBeLessThanOrEqual(BOUND_MS);
  }, 120_000);
});
