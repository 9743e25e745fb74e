/**
 * Guarantee 7 for locks: every malformed `withLock` / `inspect` call rejects with a ValidationError
 * naming the field, never runs `fn` and writes nothing. The valid edges next to each limit pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type Memex } from '../../index.js';
import type { SuiteEnv } from '../target.js';

export function locksInputsSuite(env: SuiteEnv): void {
  let mx: Memex;
  beforeAll(async () => {
    mx = await env.openTestMemex();
    await mx.kv.set('seed', 1);
  });
  afterAll(async () => {
    await mx.close();
    await env.cleanup();
  });

  /** Passes a deliberately ill-typed argument through the typed API. */
  const bad = (v: unknown): never => v as never;
  const ok = () => 'ran';

  const rows: readonly (readonly [label: string, field: string, call: (fn: () => string) => Promise<unknown>])[] = [
    ['name: a number', 'name', (fn) => mx.locks.withLock(bad(42), fn)],
    ['name: null', 'name', (fn) => mx.locks.withLock(bad(null), fn)],
    ['name: undefined', 'name', (fn) => mx.locks.withLock(bad(undefined), fn)],
    ['name: an object', 'name', (fn) => mx.locks.withLock(bad({ name: 'a' }), fn)],
    ['name: empty', 'name', (fn) => mx.locks.withLock('', fn)],
    ['name: containing NUL', 'name', (fn) => mx.locks.withLock('a\0b', fn)],
    ['name: a lone surrogate', 'name', (fn) => mx.locks.withLock('a\uD800', fn)],
    ['name: 513 bytes', 'name', (fn) => mx.locks.withLock('a'.repeat(513), fn)],
    ['fn: missing', 'fn', () => mx.locks.withLock('a', bad(undefined))],
    ['fn: a string', 'fn', () => mx.locks.withLock('a', bad('ok'))],
    ['options: null', 'options', (fn) => mx.locks.withLock('a', fn, bad(null))],
    ['options: a string', 'options', (fn) => mx.locks.withLock('a', fn, bad('shared'))],
    ['options: an array', 'options', (fn) => mx.locks.withLock('a', fn, bad([]))],
    ['options: unknown name (typo)', 'options.timeout', (fn) => mx.locks.withLock('a', fn, bad({ timeout: 100 }))],
    ['options: unknown name', 'options.ttlMs', (fn) => mx.locks.withLock('a', fn, bad({ mode: 'shared', ttlMs: 100 }))],
    ['mode: unknown', 'options.mode', (fn) => mx.locks.withLock('a', fn, bad({ mode: 'read' }))],
    ['mode: wrong case', 'options.mode', (fn) => mx.locks.withLock('a', fn, bad({ mode: 'Exclusive' }))],
    ['mode: null', 'options.mode', (fn) => mx.locks.withLock('a', fn, bad({ mode: null }))],
    ['timeoutMs: negative', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, { timeoutMs: -1 })],
    ['timeoutMs: fractional', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, { timeoutMs: 1.5 })],
    ['timeoutMs: NaN', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, { timeoutMs: NaN })],
    ['timeoutMs: Infinity', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, { timeoutMs: Infinity })],
    ['timeoutMs: over 1 h', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, { timeoutMs: 3_600_001 })],
    ['timeoutMs: a string', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, bad({ timeoutMs: '100' }))],
    ['timeoutMs: null', 'options.timeoutMs', (fn) => mx.locks.withLock('a', fn, bad({ timeoutMs: null }))],
    ['leaseMs: under 100 ms', 'options.leaseMs', (fn) => mx.locks.withLock('a', fn, { leaseMs: 99 })],
    ['leaseMs: zero', 'options.leaseMs', (fn) => mx.locks.withLock('a', fn, { leaseMs: 0 })],
    ['leaseMs: over 1 h', 'options.leaseMs', (fn) => mx.locks.withLock('a', fn, { leaseMs: 3_600_001 })],
    ['leaseMs: fractional', 'options.leaseMs', (fn) => mx.locks.withLock('a', fn, { leaseMs: 150.5 })],
    ['leaseMs: a BigInt', 'options.leaseMs', (fn) => mx.locks.withLock('a', fn, bad({ leaseMs: 1000n }))],
    ['inspect name: empty', 'name', () => mx.locks.inspect('')],
    ['inspect name: a number', 'name', () => mx.locks.inspect(bad(7))],
  ];

  describe('locks: malformed input', () => {
    it.each(rows)('%s → ValidationError(%s), fn not run, nothing written', async (_label, field, call) => {
      const before = (await mx.stats()).lastSeq;
      let ran = false;
      const err = await call(() => ((ran = true), 'ran')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('invalid_input');
      expect((err as ValidationError).field).toBe(field);
      expect(ran).toBe(false);
      expect((await mx.stats()).lastSeq).toBe(before);
      expect((await mx.stats()).stores.locks?.acquisitions ?? 0).toBe(0);
    });

    it('accepts the valid edges next to each limit', async () => {
      const edges = [
        () => mx.locks.withLock('a'.repeat(512), ok),
        () => mx.locks.withLock('ключ/🔒', ok, {}),
        () => mx.locks.withLock('a', ok, { mode: undefined, timeoutMs: undefined, leaseMs: undefined }),
        () => mx.locks.withLock('a', ok, { mode: 'shared', timeoutMs: 0, leaseMs: 100 }),
        () => mx.locks.withLock('a', ok, { mode: 'exclusive', timeoutMs: 3_600_000, leaseMs: 3_600_000 }),
      ];
      for (const e of edges) expect(await e()).toBe('ran');
      expect((await mx.stats()).stores.locks?.acquisitions).toBe(edges.length);
    });
  });
}
