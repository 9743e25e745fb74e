/**
 * Locks under contention from several processes, checked like proper-lockfile's stress test:
 * 4 processes x 4 async workers take 3 locks 10 times each (40 % exclusive, 60 % shared) and log
 * every hold with its fencing token and acquire / release timestamps. The checker then proves,
 * per lock, that in token (= grant) order no exclusive hold overlaps any other hold, that shared
 * holds did overlap, and that tokens are unique and increase along each worker's own sequence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupLocations, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';

afterEach(cleanupLocations);

interface Hold {
  p: number;
  w: number;
  lock: string;
  mode: 'exclusive' | 'shared';
  token: number;
  acq: number;
  rel: number;
  aborted: boolean;
}

const PROCS = 4;
const WORKERS = 4;
const HOLDS_PER_WORKER = 10; // a count, not a duration: a loaded machine proves as much as an idle one
const NAMES = ['alpha', 'beta', 'gamma'];

/** Violations of mutual exclusion / grant order among the holds of one lock; empty when correct. */
export function checkLock(holds: readonly Hold[]): { violations: string[]; sharedOverlaps: number } {
  const h = [...holds].sort((a, b) => a.token - b.token);
  const violations: string[] = [];
  // prefixMaxRel[i]: latest release among holds granted before i; suffixMinAcq[i]: earliest acquire after i.
  const prefixMaxRel: number[] = [];
  let m = -Infinity;
  for (const x of h) {
    prefixMaxRel.push(m);
    m = Math.max(m, x.rel);
  }
  const suffixMinAcq: number[] = new Array<number>(h.length);
  m = Infinity;
  for (let i = h.length - 1; i >= 0; i--) {
    suffixMinAcq[i] = m;
    m = Math.min(m, h[i]!.acq);
  }
  h.forEach((x, i) => {
    if (x.mode !== 'exclusive') return;
    if (prefixMaxRel[i]! >= x.acq)
      violations.push(`${x.lock} token ${x.token}: acquired at ${x.acq} before an earlier grant released (${prefixMaxRel[i]})`);
    if (suffixMinAcq[i]! <= x.rel)
      violations.push(`${x.lock} token ${x.token}: a later grant acquired at ${suffixMinAcq[i]} before its release at ${x.rel}`);
  });
  // Shared holds that overlap a later-acquired shared hold (sweep in acquire order).
  const shared = h.filter((x) => x.mode === 'shared').sort((a, b) => a.acq - b.acq);
  let sharedOverlaps = 0;
  let maxRel = -Infinity;
  for (const x of shared) {
    if (x.acq < maxRel) sharedOverlaps++;
    maxRel = Math.max(maxRel, x.rel);
  }
  return { violations, sharedOverlaps };
}

describe.each(SHARED_ENGINES)('locks stress (proper-lockfile style) (%s)', (engine) => {
  it(`${PROCS} processes x ${WORKERS} workers: no exclusive hold overlaps another, shared holds overlap, tokens follow grant order`, async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    const holds: Hold[] = [];
    const done: { p: number; timeouts: number; locks: Record<string, number> }[] = [];
    const ready: Promise<void>[] = [];
    const children = Array.from({ length: PROCS }, (_, p) => {
      const child = spawnScript(here(import.meta.url, '../fixtures/lock-worker.ts'), [
        path,
        String(p),
        String(WORKERS),
        String(HOLDS_PER_WORKER),
        NAMES.join(','),
      ]);
      let isReady: () => void = () => {};
      ready.push(new Promise((r) => (isReady = r)));
      const exited = watchChild(child, (line) => {
        if (line === 'ready') return isReady();
        const o = JSON.parse(line);
        if (o.done) done.push(o);
        else holds.push(o as Hold);
      });
      return { child, exited };
    });
    await Promise.all(ready); // start together: every process has compiled and opened the file
    for (const c of children) c.child.stdin!.write('go\n');
    const exits = await Promise.all(children.map((c) => c.exited));
    for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });

    expect(done).toHaveLength(PROCS);
    expect(done.reduce((n, d) => n + d.timeouts, 0)).toBe(0);
    expect(holds.every((x) => !x.aborted)).toBe(true);
    expect(new Set(holds.map((x) => x.p)).size).toBe(PROCS);
    const all = PROCS * WORKERS * HOLDS_PER_WORKER;
    expect(holds.filter((x) => x.mode === 'exclusive').length).toBe(all * 0.4);
    expect(holds.filter((x) => x.mode === 'shared').length).toBe(all * 0.6);

    // Tokens: unique across all locks, and increasing along each worker's own holds.
    expect(new Set(holds.map((x) => x.token)).size).toBe(holds.length);
    const byWorker = new Map<string, Hold[]>();
    for (const x of holds) byWorker.set(`${x.p}/${x.w}`, [...(byWorker.get(`${x.p}/${x.w}`) ?? []), x]);
    for (const seq of byWorker.values()) {
      for (let i = 1; i < seq.length; i++) expect(seq[i]!.token).toBeGreaterThan(seq[i - 1]!.token);
    }

    let sharedOverlaps = 0;
    for (const name of NAMES) {
      const r = checkLock(holds.filter((x) => x.lock === name));
      expect(r.violations).toEqual([]);
      sharedOverlaps += r.sharedOverlaps;
    }
    expect(sharedOverlaps).toBeGreaterThan(0);
    const waits = done.reduce((n, d) => n + (d.locks.waits ?? 0), 0);
    expect(waits).toBeGreaterThan(0);
    console.log(
      `locks stress: ${holds.length} holds, ${sharedOverlaps} shared overlaps, ${waits} waits, max wait ${Math.max(...done.map((d) => d.locks.maxWaitMs ?? 0)).toFixed(1)} ms`,
    );
  });

  it('the checker catches an overlap and a grant-order inversion (it is not vacuous)', () => {
    const base = { p: 0, w: 0, lock: 'x', aborted: false };
    const ok = checkLock([
      { ...base, mode: 'shared', token: 1, acq: 0, rel: 10 },
      { ...base, mode: 'shared', token: 2, acq: 5, rel: 12 },
      { ...base, mode: 'exclusive', token: 3, acq: 13, rel: 20 },
    ]);
    expect(ok).toEqual({ violations: [], sharedOverlaps: 1 });
    const overlap = checkLock([
      { ...base, mode: 'shared', token: 1, acq: 0, rel: 10 },
      { ...base, mode: 'exclusive', token: 2, acq: 9, rel: 20 },
    ]);
    expect(overlap.violations).toHaveLength(1);
    const inverted = checkLock([
      { ...base, mode: 'exclusive', token: 2, acq: 0, rel: 10 },
      { ...base, mode: 'exclusive', token: 1, acq: 11, rel: 20 },
    ]);
    expect(inverted.violations.length).toBeGreaterThan(0);
  });
});
