import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

interface Outcome {
  ok: boolean;
  value?: unknown;
  error?: string;
}

const fixture = here(import.meta.url, '../fixtures/cache-caller.ts');

/** Starts `n` caller processes, releases them together, and collects their outcomes. */
async function stampede(path: string, n: number, mode: string, callers: number, leaseMs = 30_000) {
  const kids = Array.from({ length: n }, () => {
    const child = spawnScript(fixture, [path, mode, String(callers), String(leaseMs)]);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    let result: { outcomes: Outcome[]; computes: number } | undefined;
    const exited = watchChild(child, (line) => {
      if (line === 'ready') ready();
      else if (line.startsWith('{')) result = JSON.parse(line) as typeof result;
    });
    return { child, isReady, exited, result: () => result };
  });
  await Promise.all(kids.map((k) => k.isReady));
  for (const k of kids) k.child.stdin!.end('go\n');
  const exits = await Promise.all(kids.map((k) => k.exited));
  for (const e of exits) expect(e.code, e.stderr).toBe(0);
  return kids.map((k) => k.result()!);
}

describe('getOrSet single flight across processes', () => {
  it('8 processes x 20 callers missing on one key run compute exactly once and all get its value', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const results = await stampede(path, 8, 'ok', 20);
    const outcomes = results.flatMap((r) => r.outcomes);
    expect(outcomes).toHaveLength(160);
    const first = outcomes[0]!.value;
    for (const o of outcomes) {
      expect(o.ok).toBe(true);
      expect(o.value).toEqual(first);
    }
    expect(results.reduce((n, r) => n + r.computes, 0)).toBe(1);
    const mx = await openMemex({ path });
    expect(await mx.kv.get('computes')).toBe(1);
    await mx.close();
  });

  it('a throwing compute caches nothing and its error reaches the callers of every process', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const results = await stampede(path, 4, 'throw', 5);
    const outcomes = results.flatMap((r) => r.outcomes);
    expect(outcomes.every((o) => !o.ok && /^compute failed in \d+$/.test(o.error!))).toBe(true);
    expect(new Set(outcomes.map((o) => o.error)).size).toBe(1);
    const mx = await openMemex({ path });
    expect(await mx.kv.get('computes')).toBe(1);
    expect(await mx.cache.get({ prompt: 'q', model: 'm' })).toBeUndefined();
    await mx.close();
  });

  it('a computing process killed with SIGKILL blocks the others no longer than its lease', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const leaseMs = 600;
    const hung = spawnScript(fixture, [path, 'hang', '1', String(leaseMs)]);
    let computing!: () => void;
    const isComputing = new Promise<void>((r) => (computing = r));
    const exited = watchChild(hung, (line) => {
      if (line === 'ready') hung.stdin!.end('go\n');
      if (line === 'computing') computing();
    });
    await isComputing;
    const mx = await openMemex({ path, cache: { computeLeaseMs: leaseMs } });
    hung.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    const value = await mx.cache.getOrSet({ prompt: 'q', model: 'm' }, () => 'recovered');
    const waited = performance.now() - killedAt;
    expect(value).toBe('recovered');
    expect(waited).toBeLessThanOrEqual(leaseMs + 1000);
    expect(await mx.kv.get('computes')).toBe(1);
    await mx.close();
  });
});
