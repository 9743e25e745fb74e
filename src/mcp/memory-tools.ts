import { z } from 'zod';
import type { MemexScope } from '../api/memex.js';
import { blocksOps, memoriesOps } from '../contract/memories.js';
import type { MethodOp } from '../contract/method-op.js';
import { factInputSchema, factSearchSchema, ingestMessageSchema } from '../stores/memories/inputs.js';
import type { McpTool } from './tools.js';

const opOf = (ops: readonly MethodOp[], method: string): MethodOp => ops.find((o) => o.method === method)!;
const result = (ops: readonly MethodOp[], method: string) => opOf(ops, method).result;
const args = (ops: readonly MethodOp[], method: string) => opOf(ops, method).args.shape;
const version = z.number().int().min(0);
const kinds = { read: [true, false], write: [false, false], destroy: [false, true] } as const;

const t = (
  name: string,
  description: string,
  input: z.ZodObject,
  output: z.ZodObject,
  kind: keyof typeof kinds,
  run: (scope: MemexScope, a: Record<string, unknown>) => Promise<Record<string, unknown>>,
): McpTool => ({
  name,
  description,
  input,
  output,
  annotations: { readOnlyHint: kinds[kind][0], destructiveHint: kinds[kind][1], idempotentHint: kinds[kind][0] },
  run: (scope, a) => run(scope, a),
});

const outcome = result(memoriesOps, 'update') as z.ZodObject;
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Curated memory and memory blocks as MCP tools, for agents that manage their own memory (as Letta's
 * agents edit their core memory): the arguments are the store's own (validated by it: a bad one is a
 * tool error naming the field), every write is a transaction, and a block edit never loses another's.
 */
export const MEMORY_TOOLS: readonly McpTool[] = [
  t(
    'memory_add',
    'Remember a fact (one short statement). A fact already known, or nearly the same, is reported `unchanged` and not stored twice.',
    factInputSchema.extend({ idempotencyKey: z.string().min(1).max(500).optional() }),
    outcome,
    'write',
    async (s, { idempotencyKey, ...fact }) => ({ ...(await s.memories.add(fact as never, defined({ idempotencyKey }))) }),
  ),
  t(
    'memory_ingest',
    'Extract the durable facts of some conversation messages with the language model and consolidate them with what is known.',
    z.object({
      messages: args(memoriesOps, 'ingest').messages as z.ZodArray<typeof ingestMessageSchema>,
      idempotencyKey: z.string().min(1).max(500).optional(),
    }),
    result(memoriesOps, 'ingest') as z.ZodObject,
    'write',
    async (s, a) => ({ ...(await s.memories.ingest(a.messages as never, defined({ idempotencyKey: a.idempotencyKey }))) }),
  ),
  t(
    'memory_search',
    'The facts closest in meaning to a text, best first. asOf: what was believed at that time (Unix ms); validAt: what was true then.',
    factSearchSchema,
    z.object({ results: result(memoriesOps, 'search') as z.ZodArray }),
    'read',
    async (s, a) => ({ results: await s.memories.search(a as never) }),
  ),
  t(
    'memory_update',
    'Correct a fact’s text (the old text stays in its history). With ifVersion it only applies if nobody changed the fact since.',
    z.object({ id: z.string().min(1), text: z.string().min(1), ifVersion: version.optional(), reason: z.string().max(500).optional() }),
    outcome,
    'write',
    async (s, a) => ({ ...(await s.memories.update(a.id as string, a.text as string, defined({ ifVersion: a.ifVersion, reason: a.reason }))) }),
  ),
  t(
    'memory_invalidate',
    'Mark a fact as no longer true (it is kept, and still found for past times).',
    z.object({ id: z.string().min(1), at: z.number().int().min(0).optional(), reason: z.string().max(500).optional() }),
    outcome,
    'write',
    async (s, a) => ({ ...(await s.memories.invalidate(a.id as string, defined({ at: a.at, reason: a.reason }))) }),
  ),
  t(
    'memory_delete',
    'Erase a fact: its text is gone from every version; a tombstone stays in its history.',
    z.object({ id: z.string().min(1) }),
    z.object({ deleted: z.boolean() }),
    'destroy',
    async (s, a) => ({ deleted: await s.memories.delete(a.id as string) }),
  ),
  t(
    'memory_history',
    'Every version of a fact, oldest first: what changed, when, why and by what.',
    z.object({ id: z.string().min(1) }),
    z.object({ versions: result(memoriesOps, 'history') as z.ZodArray }),
    'read',
    async (s, a) => ({ versions: await s.memories.history(a.id as string) }),
  ),
  t(
    'memory_list',
    'Known facts, a page at a time (pass back `cursor` for the next page).',
    z.object({ limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional(), includeInvalid: z.boolean().optional() }),
    result(memoriesOps, 'list') as z.ZodObject,
    'read',
    async (s, a) => ({ ...(await s.memories.list(defined({ limit: a.limit ?? 20, cursor: a.cursor, includeInvalid: a.includeInvalid }))) }),
  ),
  t(
    'block_get',
    'A memory block (found: false when absent) with its version, for a later compare-and-set.',
    z.object(args(blocksOps, 'get')),
    z.object({ found: z.boolean(), value: z.unknown().optional(), version: z.number().int().optional() }),
    'read',
    async (s, a) => {
      const b = await s.blocks.get(a.label as string);
      return b ? { found: true, value: b.value, version: b.version } : { found: false };
    },
  ),
  t(
    'block_set',
    'Replace a memory block (text or a JSON object). With ifVersion (0 = only if absent) it only applies if nobody changed the block since.',
    z.object({ label: args(blocksOps, 'set').label as z.ZodString, value: args(blocksOps, 'set').value as z.ZodType, ifVersion: version.optional() }),
    result(blocksOps, 'set') as z.ZodObject,
    'write',
    async (s, a) => s.blocks.set(a.label as string, a.value as string, defined({ ifVersion: a.ifVersion })),
  ),
  t(
    'block_append',
    'Append a line to a text memory block (creating it); concurrent appends are all kept.',
    z.object({ label: args(blocksOps, 'append').label as z.ZodString, text: z.string().min(1) }),
    result(blocksOps, 'append') as z.ZodObject,
    'write',
    async (s, a) => s.blocks.append(a.label as string, a.text as string),
  ),
  t(
    'block_replace',
    'Replace the first occurrence of oldText in a text memory block (an error if it is not there).',
    z.object({ label: args(blocksOps, 'replace').label as z.ZodString, oldText: z.string().min(1), newText: z.string() }),
    result(blocksOps, 'replace') as z.ZodObject,
    'write',
    async (s, a) => s.blocks.replace(a.label as string, a.oldText as string, a.newText as string),
  ),
  t(
    'block_list',
    'Every memory block of this namespace.',
    z.object({}),
    z.object({ blocks: result(blocksOps, 'list') as z.ZodArray }),
    'read',
    async (s) => ({ blocks: await s.blocks.list() }),
  ),
];
