import { z } from 'zod';
import type { Memex, MemexScope } from '../api/memex.js';
import { OP_BY_ID, type Op } from '../contract/index.js';
import { ServerHolds } from '../server/holds.js';
import { isMemexError } from '../errors.js';
import { VERSION } from '../version.js';

/** One MCP tool: a contract operation with the arguments an agent sends and the answer it gets. */
export interface McpTool {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  readonly annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean };
  run(scope: MemexScope, args: Record<string, unknown>, memex: Memex): Promise<Record<string, unknown>>;
}

const op = (id: string): Op => OP_BY_ID.get(id)!;
const arg = (id: string, name: string): z.ZodType => op(id).args.shape[name] as z.ZodType;
const limit = z.number().int().min(1).max(100).optional().describe('At most this many (default 20).');
const cursor = z.string().optional().describe('Where the previous answer stopped (its `cursor`).');

/** Runs a contract operation against the store, as the HTTP server would. */
function call(id: string, scope: MemexScope, memex: Memex, args: Record<string, unknown>): Promise<unknown> {
  // An MCP session works in one namespace.
  return op(id).run(scope, args, { memex, holds: HOLDS, version: VERSION, mayRead: (ns) => ns === scope.ns });
}
const HOLDS = new ServerHolds(60_000);

function tool(t: Omit<McpTool, 'annotations'> & { readOnly: boolean; destructive?: boolean }): McpTool {
  return { ...t, annotations: { readOnlyHint: t.readOnly, destructiveHint: t.destructive ?? false, idempotentHint: t.readOnly } };
}

/**
 * The MCP tools of SPEC.md, each a contract operation (`src/contract/`) whose argument and result
 * schemas it reuses. Every list is bounded: a `limit` (at most 100) and a `cursor` to go on.
 */
export const MCP_TOOLS: readonly McpTool[] = [
  tool({
    name: 'remember',
    description:
      'Store both turns of an exchange: appended to the conversation, indexed in semantic memory, counted in the user profile — in one transaction.',
    input: op('memex.remember').args.shape.input as z.ZodObject,
    output: op('memex.remember').result as z.ZodObject,
    readOnly: false,
    run: async (s, a, m) => (await call('memex.remember', s, m, { input: a })) as Record<string, unknown>,
  }),
  tool({
    name: 'recall',
    description:
      'What to put into the prompt for a user and thread: the profile, the recent turns, the relevant memories, the memory blocks and the relevant known facts for a query.',
    input: op('memex.recall').args.shape.input as z.ZodObject,
    output: z.object({
      profile: z.unknown(),
      recent: z.array(z.unknown()),
      relevant: z.array(z.unknown()),
      blocks: z.array(z.unknown()),
      facts: z.array(z.unknown()),
    }),
    readOnly: true,
    run: async (s, a, m) => (await call('memex.recall', s, m, { input: a })) as Record<string, unknown>,
  }),
  tool({
    name: 'search_memory',
    description: 'Semantic (or text / hybrid) search over stored memories, optionally filtered by metadata; best first.',
    input: z.object({
      text: z.string().min(1).describe('What to look for.'),
      filter: z.record(z.string(), z.unknown()).optional().describe('A JSON filter over metadata, e.g. { "type": "note" }.'),
      mode: z.enum(['vector', 'text', 'hybrid']).optional(),
      limit,
      cursor,
    }),
    output: z.object({ results: op('vectors.search').result as z.ZodArray, cursor: z.string().optional() }),
    readOnly: true,
    run: async (s, a, m) => {
      const n = (a.limit as number | undefined) ?? 20;
      const offset = a.cursor === undefined ? 0 : Number(a.cursor);
      const hits = (await call('vectors.search', s, m, {
        query: { text: a.text, filter: a.filter, mode: a.mode, topK: Math.min(1000, offset + n + 1) },
      })) as unknown[];
      const page = hits.slice(offset, offset + n);
      return { results: page, ...(hits.length > offset + n ? { cursor: String(offset + n) } : {}) };
    },
  }),
  tool({
    name: 'upsert_memory',
    description: 'Store or replace a memory (text embedded by the server’s embedder) with optional metadata.',
    input: z.object({ id: z.string().min(1), text: z.string().min(1), metadata: z.record(z.string(), z.unknown()).optional() }),
    output: op('vectors.upsert').result as z.ZodObject,
    readOnly: false,
    run: async (s, a, m) => (await call('vectors.upsert', s, m, { docs: [a] })) as Record<string, unknown>,
  }),
  tool({
    name: 'delete_memory',
    description: 'Delete a memory by id.',
    input: z.object({ id: arg('vectors.delete', 'id') }),
    output: z.object({ deleted: z.boolean() }),
    readOnly: false,
    destructive: true,
    run: async (s, a, m) => ({ deleted: await call('vectors.delete', s, m, a) }),
  }),
  tool({
    name: 'kv_get',
    description: 'The value and version of a key of session state (found: false when absent).',
    input: z.object({ key: arg('kv.get', 'key') }),
    output: z.object({ found: z.boolean(), value: z.unknown().optional(), version: z.number().int().optional() }),
    readOnly: true,
    run: async (s, a, m) => {
      const e = (await call('kv.getEntry', s, m, a)) as { value: unknown; version: number } | undefined;
      return e ? { found: true, value: e.value, version: e.version } : { found: false };
    },
  }),
  tool({
    name: 'kv_set',
    description: 'Write a key of session state; with ifVersion it is a compare-and-set (0 = only if absent).',
    input: z.object({
      key: arg('kv.set', 'key'),
      value: z.unknown(),
      ttlMs: z.number().int().positive().optional(),
      ifVersion: z.number().int().min(0).optional(),
    }),
    output: op('kv.set').result as z.ZodObject,
    readOnly: false,
    run: async (s, a, m) => {
      const options = { ...(a.ttlMs === undefined ? {} : { ttlMs: a.ttlMs }), ...(a.ifVersion === undefined ? {} : { ifVersion: a.ifVersion }) };
      return (await call('kv.set', s, m, { key: a.key, value: a.value, options })) as Record<string, unknown>;
    },
  }),
  tool({
    name: 'kv_list',
    description: 'Keys of session state in order, a page at a time.',
    input: z.object({ prefix: z.string().optional(), limit, cursor }),
    output: op('kv.list').result as z.ZodObject,
    readOnly: true,
    run: async (s, a, m) =>
      (await call('kv.list', s, m, { options: { prefix: a.prefix, limit: a.limit ?? 20, cursor: a.cursor } })) as Record<string, unknown>,
  }),
  tool({
    name: 'conversation_recent',
    description: 'The newest messages of a thread, oldest first; `cursor` goes further back.',
    input: z.object({ threadId: arg('conversations.recent', 'threadId'), limit, cursor }),
    output: z.object({ messages: op('conversations.recent').result as z.ZodArray, cursor: z.string().optional() }),
    readOnly: true,
    run: async (s, a, m) => {
      const n = (a.limit as number | undefined) ?? 20;
      const messages = (
        a.cursor === undefined
          ? await call('conversations.recent', s, m, { threadId: a.threadId, limit: n })
          : await call('conversations.page', s, m, { threadId: a.threadId, options: { beforeSeq: Number(a.cursor), limit: n } })
      ) as { seq: number }[];
      return { messages, ...(messages.length === n && messages[0]!.seq > 1 ? { cursor: String(messages[0]!.seq) } : {}) };
    },
  }),
  tool({
    name: 'site_context',
    description: 'What a browser agent learned about a website, as a compact text for the prompt.',
    input: z.object({ url: arg('sites.contextForPrompt', 'url'), maxChars: z.number().int().min(50).max(20_000).optional() }),
    output: z.object({ context: z.string() }),
    readOnly: true,
    run: async (s, a, m) => ({
      context: await call('sites.contextForPrompt', s, m, { url: a.url, options: a.maxChars === undefined ? undefined : { maxChars: a.maxChars } }),
    }),
  }),
];

/** A failure as a tool error: the Memex code first, so an agent can branch on it. */
export function toolError(e: unknown): { isError: true; content: { type: 'text'; text: string }[] } {
  const text = isMemexError(e) ? `${e.code}: ${e.message}` : `error: ${(e as Error).message ?? String(e)}`;
  return { isError: true, content: [{ type: 'text', text }] };
}
