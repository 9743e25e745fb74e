import { afterEach, describe, expect, it } from 'vitest';
import { hashJson } from '../../src/values/canonical.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupLocations, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';

afterEach(cleanupLocations);

interface Outcome {
  ok: boolean;
  value?: unknown;
  error?: string;
}

const fixture = here(import.meta.url, '../fixtures/cache-caller.ts');
/** The lock the cache takes to compute the fixture's key (as in the fixture). */
const LOCK = `cache:h:${hashJson({ prompt: 'q', model: 'm' }, 64 * 1024)}`;

interface Result {
  outcomes: Outcome[];
  computes: number;
  /** Callers that waited for a compute (in this process, or for another process's through the lock). */
  waits: number;
  hits: number;
  /** Times this process's lock acquisition had to wait for another holder. */
  lockWaits: number;
}

/** Starts `n` caller processes, releases them together, and collects their outcomes. */
async function stampede(path: string, n: number, mode: string, callers: number, leaseMs = 30_000) {
  const kids = Array.from({ length: n }, () => {
    // The computing process holds its compute until the n - 1 others are queued on its lock.
    const child = spawnScript(fixture, [path, mode, String(callers), String(leaseMs), String(n - 1)]);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    let result: Result | undefined;
    const exited = watchChild(child, (line) => {
      if (line === 'ready') ready();
      else if (line.startsWith('{')) result = JSON.parse(line) as typeof result;
    });
    return { child, isReady, exited, result: () => result };
  });
  await Promise.all(kids.map((k) => unlessExited(k.isReady, k.exited, 'it was ready')));
  for (const k of kids) k.child.stdin!.end('go\n');
  const exits = await Promise.all(kids.map((k) => k.exited));
  for (const e of exits) expect(e.code, e.stderr).toBe(0);
  return kids.map((k) => k.result()!);
}

describe.each(SHARED_ENGINES)('getOrSet single flight across processes (%s)', (engine) => {
  it('8 processes x 20 callers missing on one key run compute exactly once and all get its value', async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    const results = await stampede(path, 8, 'ok', 20);
    const outcomes = results.flatMap((r) => r.outcomes);
    expect(outcomes).toHaveLength(160);
    const first = outcomes[0]!.value;
    for (const o of outcomes) {
      expect(o.ok).toBe(true);
      expect(o.value).toEqual(first);
    }
    expect(results.reduce((n, r) => n + r.computes, 0)).toBe(1);
    // Overlap, not late cache hits: the 7 processes that did not compute each waited for the lock
    // of the one that did, and all 160 callers were served by that one compute.
    expect(results.filter((r) => r.computes === 0 && r.lockWaits > 0)).toHaveLength(7);
    expect(results.reduce((n, r) => n + r.hits, 0)).toBe(0);
    expect(results.reduce((n, r) => n + r.waits, 0)).toBe(159);
    const mx = await openAt(path);
    expect(await mx.kv.get('computes')).toBe(1);
    await mx.close();
  });

  it('a throwing compute caches nothing and its error reaches the callers of every process', async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    const results = await stampede(path, 4, 'throw', 5);
    const outcomes = results.flatMap((r) => r.outcomes);
    expect(outcomes).toHaveLength(20);
    for (const o of outcomes) expect(o.ok === false && /^compute failed in \d+$/.test(o.error!), JSON.stringify(o)).toBe(true);
    expect(results.filter((r) => r.lockWaits > 0)).toHaveLength(3);
    expect(new Set(outcomes.map((o) => o.error)).size).toBe(1);
    const mx = await openAt(path);
    expect(await mx.kv.get('computes')).toBe(1);
    expect(await mx.cache.get({ prompt: 'q', model: 'm' })).toBeUndefined();
    await mx.close();
  });

  it('a computing process killed with SIGKILL blocks the others no longer than its lease, and no shorter', async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    // Renewed every third of the lease while it hangs, so the lease left at the kill is 1-1.5 s.
    const leaseMs = 1500;
    const hung = spawnScript(fixture, [path, 'hang', '1', String(leaseMs)]);
    let computing!: () => void;
    const isComputing = new Promise<void>((r) => (computing = r));
    const exited = watchChild(hung, (line) => {
      if (line === 'ready') hung.stdin!.end('go\n');
      if (line === 'computing') computing();
    });
    await unlessExited(isComputing, exited, 'it started computing');
    const mx = await openAt(path, { cache: { computeLeaseMs: leaseMs } });
    hung.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    // The dead computer's last lease, read once it can no longer renew it (read before the kill,
    // a renewal landing in between would extend it past what was read).
    const [holder] = (await mx.locks.inspect(LOCK)).holders;
    expect(holder, 'the dead compute still holds the lock until its lease runs out').toBeDefined();
    let tookOverAt = 0;
    const value = await mx.cache.getOrSet({ prompt: 'q', model: 'm' }, () => {
      tookOverAt = Date.now();
      return 'recovered';
    });
    const waited = performance.now() - killedAt;
    expect(value).toBe('recovered');
    // Taken over only once the dead computer's lease ran out (never before), and soon after.
    expect(tookOverAt).toBeGreaterThanOrEqual(holder!.expiresAt);
    expect(waited).toBeLessThanOrEqual(leaseMs + 1000);
    expect(await mx.kv.get('computes')).toBe(1);
    await mx.close();
  });
});
