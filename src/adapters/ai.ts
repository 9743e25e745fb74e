import { randomUUID } from 'node:crypto';
import { tool } from 'ai';
import { z } from 'zod';
import type { Memex } from '../api/memex.js';

export interface MemexToolsOptions {
  /** The store (embedded, PostgreSQL or remote: any `Memex`). */
  readonly memex: Memex;
  /** Whose memory the tools read and write: every memory is tagged with it and only its memories are found or forgotten. */
  readonly userId: string;
  /** The namespace. @default 'default' */
  readonly ns?: string;
  /** The conversation `recall` reads its recent turns from. @default 'ai' */
  readonly threadId?: string;
}

const KIND = 'ai-memory';

/**
 * Tools for the Vercel AI SDK (v6) that give a model a long-term memory in Memex: `remember`
 * (store a fact), `recall` (the user's profile, recent turns and relevant memories), `search`
 * (semantic search over the user's memories, optionally by tag) and `forget` (delete one of them).
 * Made with the SDK's `tool()` and zod schemas; pass them to `generateText({ tools })`.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from 'ai';
 * import { memexTools } from 'memex/ai';
 * const tools = memexTools({ memex: mx, userId: 'u42' });
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(3), prompt: 'What do I like?' });
 * ```
 */
export function memexTools(o: MemexToolsOptions) {
  const scope = o.ns && o.ns !== 'default' ? o.memex.scope(o.ns) : o.memex;
  const mine = (filter: Record<string, unknown> = {}) => ({ kind: KIND, userId: o.userId, ...filter });
  return {
    remember: tool({
      description: 'Store a fact about the user or the task in long-term memory, to be found later by meaning.',
      inputSchema: z.object({
        fact: z.string().min(1).max(10_000).describe('The fact, in one or two sentences.'),
        tags: z.array(z.string().max(64)).max(16).optional().describe('Short labels to filter by later.'),
      }),
      execute: async ({ fact, tags }) => {
        const id = `m_${randomUUID()}`;
        await scope.vectors.upsert({ id, text: fact, metadata: mine({ tags: tags ?? [], at: Date.now() }) });
        return { id, stored: true };
      },
    }),
    recall: tool({
      description: 'What is known about the user: profile, recent conversation turns and the memories most relevant to a query.',
      inputSchema: z.object({ query: z.string().min(1).describe('What to recall.'), topK: z.number().int().min(1).max(50).optional() }),
      execute: async ({ query, topK }) => {
        const r = await scope.recall({ userId: o.userId, threadId: o.threadId ?? 'ai', query, topK: topK ?? 5 });
        const memories = await scope.vectors.search({ text: query, topK: topK ?? 5, filter: mine() });
        return {
          profile: r.profile ?? null,
          recent: r.recent,
          relevant: r.relevant,
          memories: memories.map((h) => ({ id: h.id, text: h.text, score: h.score })),
        };
      },
    }),
    search: tool({
      description: 'Search the user’s memories by meaning, optionally only those with a tag.',
      inputSchema: z.object({ query: z.string().min(1), tag: z.string().optional(), topK: z.number().int().min(1).max(50).optional() }),
      execute: async ({ query, tag, topK }) => {
        const hits = await scope.vectors.search({ text: query, topK: topK ?? 5, filter: mine(tag ? { tags: tag } : {}) });
        return { results: hits.map((h) => ({ id: h.id, text: h.text, score: h.score, tags: (h.metadata.tags as string[] | undefined) ?? [] })) };
      },
    }),
    forget: tool({
      description: 'Delete one of the user’s memories by its id (as remember or search returned it).',
      inputSchema: z.object({ id: z.string().min(1) }),
      execute: async ({ id }) => {
        const doc = await scope.vectors.get(id);
        // Only the user's own memories: another user's id is reported as not found.
        if (!doc || doc.metadata.kind !== KIND || doc.metadata.userId !== o.userId) return { id, forgotten: false };
        return { id, forgotten: await scope.vectors.delete(id) };
      },
    }),
  };
}
export { memexMemoryTools, type MemexMemoryToolsOptions } from './ai-memory.js';
