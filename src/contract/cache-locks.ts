import { z } from 'zod';
import { json, op, ttlMs } from './op.js';

const cacheKey = json.describe('A string or any JSON value (hashed canonically: key order does not matter).');
const ttlOnly = z.object({ ttlMs: ttlMs.optional() }).optional();
const lockName = z.string().min(1).describe('The lock’s name.');
const leaseId = z.string().describe('The lease, as acquire returned it.');
const claimId = z.string().describe('The claim, as getOrSet.claim returned it.');

export const cacheOps = [
  op({
    id: 'cache.get',
    summary: 'A cached value (no `result` on a miss).',
    access: 'read',
    args: z.object({ key: cacheKey }),
    result: json,
    example: { args: { key: { model: 'gpt', prompt: 'hi' } }, result: 'Hello!' },
    run: (s, a) => s.cache.get(a.key as never),
  }),
  op({
    id: 'cache.set',
    summary: 'Caches a value; the least recently used entries beyond the bounds are evicted.',
    access: 'write',
    args: z.object({ key: cacheKey, value: json, options: ttlOnly }),
    result: z.null().optional(),
    example: { args: { key: { model: 'gpt', prompt: 'hi' }, value: 'Hello!', options: { ttlMs: 3600000 } } },
    run: (s, a) => s.cache.set(a.key as never, a.value, a.options as never),
  }),
  op({
    id: 'cache.delete',
    summary: 'Removes an entry; `true` if it existed.',
    access: 'write',
    args: z.object({ key: cacheKey }),
    result: z.boolean(),
    example: { args: { key: 'k' }, result: true },
    run: (s, a) => s.cache.delete(a.key as never),
  }),
  op({
    id: 'cache.clear',
    summary: 'Removes every entry of the namespace; how many.',
    access: 'write',
    args: z.object({}),
    result: z.number().int(),
    example: { args: {}, result: 12 },
    run: (s) => s.cache.clear(),
  }),
  op({
    id: 'cache.stats',
    summary: 'Size of the namespace’s cache, and the server’s hits, misses and evictions.',
    access: 'read',
    args: z.object({}),
    result: z
      .object({
        size: z.number().int().describe('Entries in this namespace (all processes).'),
        bytes: z.number().int(),
        hits: z.number().int().describe('This server’s hits in this namespace.'),
        misses: z.number().int(),
        hitRate: z.number(),
        evictions: z.number().int(),
        computes: z.number().int().describe('getOrSet computes run through this server.'),
        waits: z.number().int().describe('getOrSet callers that waited for another caller’s compute.'),
      })
      .describe('The cache of the caller’s namespace only: another tenant’s hits never count here.'),
    example: { args: {}, result: { size: 3, bytes: 512, hits: 10, misses: 3, hitRate: 0.7692307692307693, evictions: 0, computes: 3, waits: 1 } },
    run: (s) => s.cache.stats(),
  }),
  op({
    id: 'cache.flush',
    internal: true,
    summary: 'Writes the server’s pending recency updates (what the least-recently-used order is made of) now.',
    access: 'write',
    retry: 'safe',
    args: z.object({}),
    result: z.null().optional(),
    example: { args: {} },
    run: (s) => s.cache.flush(),
  }),
  op({
    id: 'cache.claim',
    internal: true,
    summary:
      'getOrSet, step 1: the cached value (`hit: true`), or — to exactly one caller across every client — a claim to compute it (`hit: false`, `claimId`); the others wait here for its outcome. Then `cache.fulfil` or `cache.fail` within `timeoutMs`.',
    access: 'write',
    retry: 'never',
    args: z.object({ key: cacheKey, options: z.object({ ttlMs: ttlMs.optional(), timeoutMs: z.number().int().positive().optional() }).optional() }),
    result: z.union([z.object({ hit: z.literal(true), value: json }), z.object({ hit: z.literal(false), claimId })]),
    example: { args: { key: { model: 'gpt', prompt: 'hi' }, options: { ttlMs: 3600000 } }, result: { hit: false, claimId: 'c_3f9a' } },
    run: (s, a, ctx) => ctx.holds.claim(s, a.key, a.options),
  }),
  op({
    id: 'cache.fulfil',
    internal: true,
    summary: 'getOrSet, step 2: the computed value; it is cached and every waiter receives it.',
    access: 'write',
    retry: 'never',
    args: z.object({ claimId, value: json }),
    result: json,
    example: { args: { claimId: 'c_3f9a', value: 'Hello!' }, result: 'Hello!' },
    run: (s, a, ctx) => ctx.holds.fulfil(s.ns, a.claimId, a.value),
  }),
  op({
    id: 'cache.fail',
    internal: true,
    summary: 'getOrSet, step 2 when computing threw: nothing is cached and every waiter receives this error.',
    access: 'write',
    retry: 'never',
    args: z.object({ claimId, error: z.object({ name: z.string(), message: z.string() }) }),
    result: z.null().optional(),
    example: { args: { claimId: 'c_3f9a', error: { name: 'Error', message: 'model unavailable' } } },
    run: (s, a, ctx) => ctx.holds.fail(s.ns, a.claimId, a.error),
  }),
];

export const locksOps = [
  op({
    id: 'locks.acquire',
    internal: true,
    summary:
      'Waits for the lock (at most `timeoutMs`, then 503 lock_timeout) and holds it for the caller: renew the lease every leaseMs/3 with `locks.renew`, end it with `locks.release`. A lease not renewed for `leaseMs` ends. `token` is a fencing token.',
    access: 'write',
    retry: 'never',
    args: z.object({
      name: lockName,
      options: z
        .object({
          mode: z.enum(['exclusive', 'shared']).optional(),
          timeoutMs: z.number().int().min(0).optional(),
          leaseMs: z.number().int().positive().optional(),
        })
        .optional(),
    }),
    result: z.object({ leaseId, token: z.number().int(), waitedMs: z.number().describe('How long the caller waited for the grant (0: at once).') }),
    example: { args: { name: 'browser', options: { timeoutMs: 5000, leaseMs: 30000 } }, result: { leaseId: 'l_9c2e', token: 812, waitedMs: 0 } },
    run: (s, a, ctx) => ctx.holds.acquire(s, a.name, a.options),
  }),
  op({
    id: 'locks.renew',
    internal: true,
    summary: 'Extends a lease; `false` when it was lost (it lapsed: another caller may hold the lock now).',
    access: 'write',
    retry: 'safe',
    args: z.object({ leaseId }),
    result: z.boolean(),
    example: { args: { leaseId: 'l_9c2e' }, result: true },
    run: (s, a, ctx) => ctx.holds.renew(s.ns, a.leaseId),
  }),
  op({
    id: 'locks.release',
    internal: true,
    summary: 'Ends a lease; `false` when it had already ended.',
    access: 'write',
    retry: 'safe',
    args: z.object({ leaseId }),
    result: z.boolean(),
    example: { args: { leaseId: 'l_9c2e' }, result: true },
    run: (s, a, ctx) => ctx.holds.release(s.ns, a.leaseId),
  }),
  op({
    id: 'locks.inspect',
    summary: 'The current holders (grant order) and waiters (line order) of a lock.',
    access: 'read',
    args: z.object({ name: lockName }),
    result: z.object({
      holders: z.array(z.object({ mode: z.enum(['exclusive', 'shared']), token: z.number().int(), expiresAt: z.number().int() })),
      waiters: z.array(z.object({ mode: z.enum(['exclusive', 'shared']), expiresAt: z.number().int() })),
    }),
    example: { args: { name: 'browser' }, result: { holders: [{ mode: 'exclusive', token: 812, expiresAt: 1764650030000 }], waiters: [] } },
    run: (s, a) => s.locks.inspect(a.name as string),
  }),
];
