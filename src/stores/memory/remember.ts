import { ValidationError } from '../../errors.js';
import { deepFreeze, type DeepReadonly } from '../../values/freeze.js';
import { typeName, validateKey } from '../../values/keys.js';
import type { StoreContext } from '../context.js';
import { appendInTx, type Conversations } from '../conversations/conversations.js';
import { serializeMessage, type Message, type NewMessage } from '../conversations/message.js';
import type { ConversationPolicy } from '../conversations/policy.js';
import type { Profiles } from '../profiles.js';
import { storeModule } from '../module.js';
import type { SearchHit } from '../vectors/search-options.js';
import { writeDocs, type EmbedderLike, type Vectors } from '../vectors/vectors.js';
import { MAX_RECALL_RECENT, MAX_RECALL_TOP_K } from '../../values/limits.js';
import type { Block, BlocksStore } from '../../api/blocks.js';
import type { FactHit, MemoriesStore } from '../../api/memories.js';

export interface RememberInput {
  userId: string;
  threadId: string;
  /** The user's turn: text, or a message `{ role, content, metadata? }`. */
  message: string | NewMessage;
  /** The agent's reply: text, or a message. */
  response: string | NewMessage;
}

const RECALL_FIELDS = new Set(['userId', 'threadId', 'query', 'recent', 'topK', 'facts']);

export interface RecallInput {
  userId: string;
  threadId: string;
  query: string;
  /** How many recent messages of the thread. @default 10 */
  recent?: number;
  /** How many relevant memories from the user's other turns. @default 5 */
  topK?: number;
  /** How many curated facts relevant to `query` (`memories.search`). @default 5 */
  facts?: number;
}

export interface Recall {
  readonly profile: DeepReadonly<Record<string, unknown>> | undefined;
  readonly recent: Message[];
  readonly relevant: SearchHit[];
  /** The namespace's memory blocks, by label. */
  readonly blocks: Block[];
  /** The believed facts most relevant to `query`. */
  readonly facts: FactHit[];
}

/** The counters `remember` keeps in the user's profile, under `memory`. */
export interface MemoryCounters {
  messages: number;
  lastThreadId: string;
  lastActiveAt: number;
}

const asMessage = (m: unknown, role: string, field: string): NewMessage => {
  if (typeof m === 'string') return { role, content: m };
  if (m !== null && typeof m === 'object' && !Array.isArray(m)) return m as NewMessage;
  throw new ValidationError(field, `must be text or a message { role, content }, got ${typeName(m)}`);
};
const textOf = (m: NewMessage) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content));

export interface MemoryParts {
  readonly ctx: StoreContext;
  readonly policy: ConversationPolicy;
  readonly embedder: EmbedderLike;
  readonly conversations: Conversations;
  readonly profiles: Profiles;
  readonly vectors: Vectors;
  readonly memories: MemoriesStore;
  readonly blocks: BlocksStore;
}

/**
 * Appends both turns to the conversation, indexes them in semantic memory (ids
 * `<threadId>#<seq>`, metadata `{ userId, threadId, role, seq }`) and bumps the user's profile
 * counters — all in one transaction. The texts are embedded before it begins.
 */
export async function remember(p: MemoryParts, input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }> {
  if (input === null || typeof input !== 'object') throw new ValidationError('input', 'must be { userId, threadId, message, response }');
  const userId = validateKey(input.userId, 'userId');
  const threadId = validateKey(input.threadId, 'threadId');
  const turns = [asMessage(input.message, 'user', 'message'), asMessage(input.response, 'assistant', 'response')];
  const bodies = turns.map((t, i) => serializeMessage(t, p.ctx.maxValueBytes, i === 0 ? 'message' : 'response'));
  const vectors = await p.embedder.embed(turns.map(textOf));
  const c = p.ctx.counters('conversations');
  const seqs = await p.ctx.engine.write((tx) => {
    const ns = p.ctx.ns;
    const appended = bodies.map((b) => appendInTx(ns, tx, threadId, b, p.policy, c));
    writeDocs(
      ns,
      tx,
      turns.map((t, i) => ({
        id: `${threadId}#${appended[i]!.seq}`,
        text: textOf(t),
        metadata: { userId, threadId, role: t.role, seq: appended[i]!.seq },
        vector: vectors[i]!,
      })),
    );
    p.profiles.updateInTx(tx, userId, (cur) => {
      const prev = (cur?.memory ?? {}) as Partial<MemoryCounters>;
      return { ...cur, memory: { messages: (prev.messages ?? 0) + 2, lastThreadId: threadId, lastActiveAt: tx.now } satisfies MemoryCounters };
    });
    return { messageSeq: appended[0]!.seq, responseSeq: appended[1]!.seq };
  });
  c.writes += 2;
  return seqs;
}

/**
 * What an agent puts into its prompt: the user's profile, the thread's recent messages, and the
 * user's most relevant earlier turns (those already in `recent` are left out).
 */
export async function recall(p: MemoryParts, input: RecallInput): Promise<Recall> {
  if (input === null || typeof input !== 'object') throw new ValidationError('input', 'must be { userId, threadId, query }');
  const userId = validateKey(input.userId, 'userId');
  const threadId = validateKey(input.threadId, 'threadId');
  if (typeof input.query !== 'string') throw new ValidationError('query', 'must be a string');
  const recentN = input.recent ?? 10;
  const topK = input.topK ?? 5;
  if (!Number.isInteger(recentN) || recentN < 0 || recentN > MAX_RECALL_RECENT)
    throw new ValidationError('recent', `must be an integer from 0 to ${MAX_RECALL_RECENT}`);
  if (!Number.isInteger(topK) || topK < 0 || topK > MAX_RECALL_TOP_K)
    throw new ValidationError('topK', `must be an integer from 0 to ${MAX_RECALL_TOP_K}`);
  const factsN = input.facts ?? 5;
  if (!Number.isInteger(factsN) || factsN < 0 || factsN > MAX_RECALL_TOP_K)
    throw new ValidationError('facts', `must be an integer from 0 to ${MAX_RECALL_TOP_K}`);
  const extra = Object.keys(input).find((k) => !RECALL_FIELDS.has(k));
  if (extra !== undefined) throw new ValidationError(extra, `unknown field (allowed: ${[...RECALL_FIELDS].join(', ')})`);
  const blank = input.query.trim() === '';
  const [profile, recent, blocks, facts] = await Promise.all([
    p.profiles.get(userId),
    recentN === 0 ? Promise.resolve([]) : p.conversations.recent(threadId, recentN),
    p.blocks.list(),
    factsN === 0 || blank ? Promise.resolve([]) : p.memories.search({ text: input.query, topK: factsN }),
  ]);
  const shown = new Set(recent.map((m) => `${threadId}#${m.seq}`));
  const hits =
    topK === 0 || input.query.trim() === ''
      ? []
      : await p.vectors.search({ text: input.query, topK: Math.min(1000, topK + shown.size), filter: { userId } });
  return deepFreeze({ profile, recent, relevant: hits.filter((h) => !shown.has(h.id)).slice(0, topK), blocks, facts });
}

/** remember / recall of one namespace, over that namespace's stores. */
export interface Memory {
  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }>;
  recall(input: RecallInput): Promise<Recall>;
}

/** Wiring of remember / recall: built from the conversations, profiles and vectors listed before it. */
export const memoryModule = storeModule({
  create: (ctx, config, stores): Memory => {
    const parts: MemoryParts = {
      ctx,
      policy: config.conversations,
      embedder: config.embedder,
      conversations: stores<Conversations>('conversations'),
      profiles: stores<Profiles>('profiles'),
      vectors: stores<Vectors>('vectors'),
      memories: stores<MemoriesStore>('memories'),
      blocks: stores<BlocksStore>('blocks'),
    };
    return { remember: (input) => remember(parts, input), recall: (input) => recall(parts, input) };
  },
});
