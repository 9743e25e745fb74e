import { z } from 'zod';
import { json, op } from './op.js';
import { MAX_EVENTS_PAGE, MAX_RECALL_RECENT, MAX_RECALL_TOP_K } from '../values/limits.js';

export const memexEvent = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  ns: z.string(),
  store: z.string(),
  key: z.string().nullable(),
  op: z.string(),
  version: z.number().int().nullable(),
});
const message = z.union([z.string(), z.object({ role: z.string(), content: json, metadata: z.record(z.string(), json).optional() })]);

export const eventsOps = [
  op({
    id: 'events.since',
    summary: 'Events of the namespace with seq greater than `seq`, oldest first (commit order). Live: GET /v1/events/watch (Server-Sent Events).',
    access: 'read',
    args: z.object({
      seq: z.number().int().min(0),
      options: z.object({ limit: z.number().int().min(1).max(MAX_EVENTS_PAGE).optional(), store: z.string().optional() }).optional(),
    }),
    result: z.array(memexEvent),
    example: {
      args: { seq: 0, options: { store: 'kv', limit: 100 } },
      result: [{ seq: 17, at: 1764650000000, ns: 'default', store: 'kv', key: 'cart', op: 'set', version: 17 }],
    },
    run: (s, a) => s.events.since(a.seq as number, a.options as never),
  }),
  op({
    id: 'events.lastSeq',
    summary: 'The newest seq of the whole store: a starting point for `since`.',
    access: 'read',
    args: z.object({}),
    result: z.number().int(),
    example: { args: {}, result: 17 },
    run: (s) => s.events.lastSeq(),
  }),
];

export const memexOps = [
  op({
    id: 'memex.remember',
    summary: 'Appends both turns to the conversation, indexes them in semantic memory and updates the user’s profile counters, in one transaction.',
    access: 'write',
    retry: 'keyed',
    args: z.object({ input: z.object({ userId: z.string(), threadId: z.string(), message, response: message }) }),
    result: z.object({ messageSeq: z.number().int(), responseSeq: z.number().int() }),
    example: {
      args: { input: { userId: 'u42', threadId: 't1', message: 'I like Python', response: 'Noted!' } },
      result: { messageSeq: 40, responseSeq: 41 },
    },
    run: (s, a) => s.remember(a.input as never),
  }),
  op({
    id: 'memex.recall',
    summary: 'What an agent puts into its prompt: the profile, the recent turns, and the relevant memories.',
    access: 'read',
    args: z.object({
      input: z.object({
        userId: z.string(),
        threadId: z.string(),
        query: z.string(),
        recent: z.number().int().min(0).max(MAX_RECALL_RECENT).optional(),
        topK: z.number().int().min(0).max(MAX_RECALL_TOP_K).optional(),
        facts: z.number().int().min(0).max(MAX_RECALL_TOP_K).optional().describe('How many relevant curated facts (default 5).'),
      }),
    }),
    result: z.object({ profile: json, recent: z.array(json), relevant: z.array(json), blocks: z.array(json), facts: z.array(json) }).loose(),
    example: {
      args: { input: { userId: 'u42', threadId: 't1', query: 'languages' } },
      result: { profile: null, recent: [], relevant: [], blocks: [], facts: [] },
    },
    run: (s, a) => s.recall(a.input as never),
  }),
  op({
    id: 'memex.info',
    summary: 'What the store behind the server can do, and the server’s version.',
    access: 'read',
    scoped: false,
    args: z.object({}),
    result: z.object({
      capabilities: z.record(z.string(), z.boolean()),
      version: z.string(),
      settings: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          'The effective store settings (`memex serve --print-config`): maxValueBytes, lockTimeoutMs, events, conversations, cache, embedder (no secrets), namespaces.',
        ),
    }),
    example: {
      args: {},
      result: {
        capabilities: { multiProcess: true, multiHost: true, backup: true, persistent: true, durableFull: true, fullText: true },
        version: '0.1.0',
      },
    },
    run: async (_s, _a, ctx) => ({ capabilities: ctx.memex.capabilities, version: ctx.version, ...(ctx.settings ? { settings: ctx.settings } : {}) }),
  }),
  op({
    id: 'memex.stats',
    summary: 'The server’s counters and every store’s record counts (admin: they span every namespace).',
    access: 'admin',
    // Reads that need the admin token: resending one changes nothing.
    retry: 'safe',
    scoped: false,
    args: z.object({}),
    result: z.object({
      reads: z.number(),
      writes: z.number(),
      commits: z.number(),
      conflicts: z.number(),
      lastSeq: z.number(),
      lock: z
        .object({
          acquisitions: z.number(),
          waits: z.number(),
          totalWaitMs: z.number(),
          maxWaitMs: z.number(),
          avgWaitMs: z.number(),
          timeouts: z.number(),
          busyRetries: z.number(),
        })
        .describe('The write lock: how often and how long writers waited for it.'),
      stores: z
        .record(z.string(), z.record(z.string(), z.number()))
        .describe('Per store: its records, and this server’s counters (reads, writes, conflicts, and the store’s own: hits, evictions…).'),
      storageErrors: z.record(z.string(), z.number()).describe('Failed writes by driver code.'),
    }),
    example: {
      args: {},
      result: {
        reads: 120,
        writes: 40,
        commits: 31,
        conflicts: 2,
        lastSeq: 812,
        lock: { acquisitions: 31, waits: 3, totalWaitMs: 12.5, maxWaitMs: 8.1, avgWaitMs: 4.2, timeouts: 0, busyRetries: 0 },
        stores: { kv: { reads: 100, writes: 30, conflicts: 2, records: 57 } },
        storageErrors: {},
      },
    },
    run: (_s, _a, ctx) => ctx.memex.stats(),
  }),
  op({
    id: 'memex.namespaces',
    summary: 'Every namespace that holds records (those the token may read), in name order, with its record count per store.',
    access: 'read',
    scoped: false,
    args: z.object({}),
    result: z.array(z.object({ ns: z.string(), records: z.record(z.string(), z.number().int()) })),
    example: { args: {}, result: [{ ns: 'acme/u1', records: { kv: 12, conversations: 2, messages: 40 } }] },
    run: async (_s, _a, ctx) => (await ctx.memex.namespaces()).filter((n) => ctx.mayRead(n.ns)),
  }),
  op({
    id: 'memex.health',
    summary: 'The engine’s health: `ok` and its checks (admin; GET /readyz answers anyone with the status alone).',
    access: 'admin',
    // Reads that need the admin token: resending one changes nothing.
    retry: 'safe',
    scoped: false,
    args: z.object({}),
    result: z.object({
      ok: z.boolean(),
      checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string(), value: z.number().optional() })),
    }),
    example: {
      args: {},
      result: {
        ok: true,
        checks: [
          { name: 'integrity', ok: true, detail: 'quick_check ok' },
          { name: 'wal', ok: true, detail: 'WAL 0.1 MiB of 256 MiB', value: 131072 },
        ],
      },
    },
    run: (_s, _a, ctx) => ctx.memex.health(),
  }),
  op({
    id: 'memex.sweep',
    summary: 'Physically removes what has expired (already invisible).',
    access: 'admin',
    scoped: false,
    args: z.object({}),
    result: z.object({ purged: z.number().int(), threads: z.number().int() }),
    example: { args: {}, result: { purged: 12, threads: 1 } },
    run: (_s, _a, ctx) => ctx.memex.sweep(),
  }),
  op({
    id: 'memex.backup',
    summary: 'Writes a consistent copy of the whole store to `path` on the server’s machine (engines with the backup capability).',
    access: 'admin',
    scoped: false,
    retry: 'never',
    args: z.object({ path: z.string().min(1) }),
    result: z.null().optional(),
    example: { args: { path: '/var/backups/memex-2026-12-02.db' } },
    run: (_s, a, ctx) => ctx.memex.backup(a.path as string),
  }),
];
