import { ValidationError } from '../../errors.js';
import type { Engine, ReadTx, RecordRow, WriteTx } from '../../engine/types.js';
import { deepFreeze } from '../../values/freeze.js';
import { bump, type StoreContext, type StoreCounters } from '../context.js';
import {
  messageKey,
  messagePrefix,
  serializeMessage,
  validateThreadId,
  type Message,
  type NewMessage,
  type ThreadInfo,
  type ThreadRecord,
} from './message.js';
import { MESSAGES, THREADS } from '../names.js';
import type { ConversationPolicy } from './policy.js';
import type { ConversationsStore } from '../../api/conversations.js';
import { storeModule } from '../module.js';
import { MAX_PAGE_LIMIT } from '../../values/limits.js';

function checkLimit(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PAGE_LIMIT)
    throw new ValidationError(field, `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  return v;
}

function checkOptions(o: unknown, allowed: string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ValidationError('options', 'must be an object');
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ValidationError(`options.${k}`, 'unknown option');
  return o as Record<string, unknown>;
}

const toMessage = (threadId: string, row: RecordRow): Message => {
  const v = JSON.parse(row.value) as { role: string; content: unknown; metadata?: unknown; at: number };
  const seq = Number(row.key.slice(row.key.lastIndexOf('\u0000') + 1));
  return deepFreeze({ threadId, seq, role: v.role, content: v.content, ...(v.metadata === undefined ? {} : { metadata: v.metadata }), at: v.at });
};

const toInfo = (threadId: string, row: RecordRow): ThreadInfo => {
  const t = JSON.parse(row.value) as ThreadRecord;
  return Object.freeze({ threadId, ...t, expiresAt: row.expiresAt });
};

/**
 * Bounded chat history. The policy (`maxMessagesPerThread`, `maxThreads`, `ttlMs`) is enforced in
 * the same transaction as each append, so no reader ever sees a thread over its bounds.
 *
 * @example
 * ```ts
 * const msg = await mx.conversations.append('t1', { role: 'user', content: 'hi' });
 * const last10 = await mx.conversations.recent('t1', 10); // oldest first
 * ```
 */
export class Conversations implements ConversationsStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly policy: ConversationPolicy,
  ) {}

  /**
   * Appends a message; resolves the stored message with its `seq`.
   * @example
   * ```ts
   * const { seq } = await mx.conversations.append('t1', { role: 'assistant', content: 'hello', metadata: { model: 'x' } });
   * ```
   */
  async append(threadId: string, message: NewMessage): Promise<Message> {
    const tid = validateThreadId(threadId);
    const body = serializeMessage(message, this.ctx.maxValueBytes);
    const c = this.ctx.counters(THREADS);
    const { seq, at } = await this.ctx.engine.write((tx) => appendInTx(this.ctx.ns, tx, tid, body, this.policy, c));
    c.writes++;
    bump(c, 'appends');
    const v = JSON.parse(body) as NewMessage;
    return deepFreeze({ threadId: tid, seq, role: v.role, content: v.content, ...(v.metadata === undefined ? {} : { metadata: v.metadata }), at });
  }

  /**
   * The newest `limit` messages (default 20, at most 1000), oldest first.
   * @example
   * ```ts
   * const context = await mx.conversations.recent('t1', 10);
   * ```
   */
  async recent(threadId: string, limit?: number): Promise<Message[]> {
    const tid = validateThreadId(threadId);
    const n = checkLimit(limit, 'limit', 20);
    this.ctx.counters(THREADS).reads++;
    return this.ctx.engine.snapshot((tx) => (this.visible(tx, tid) ? this.newest(tx, tid, n, undefined) : []));
  }

  /**
   * Older history, a page at a time: up to `limit` messages before `beforeSeq`, oldest first.
   * @example
   * ```ts
   * let page = await mx.conversations.page('t1', { limit: 50 });
   * while (page.length > 0) page = await mx.conversations.page('t1', { beforeSeq: page[0].seq, limit: 50 });
   * ```
   */
  async page(threadId: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]> {
    const tid = validateThreadId(threadId);
    const o = checkOptions(options, ['beforeSeq', 'limit']);
    const n = checkLimit(o.limit, 'options.limit', 50);
    const before = o.beforeSeq;
    if (before !== undefined && (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1)) {
      throw new ValidationError('options.beforeSeq', 'must be a positive integer seq');
    }
    this.ctx.counters(THREADS).reads++;
    return this.ctx.engine.snapshot((tx) => (this.visible(tx, tid) ? this.newest(tx, tid, n, before) : []));
  }

  /** Thread metadata and counts, or `undefined` if absent or expired. */
  async get(threadId: string): Promise<ThreadInfo | undefined> {
    const tid = validateThreadId(threadId);
    this.ctx.counters(THREADS).reads++;
    const row = await this.ctx.engine.read((tx) => tx.get(this.ctx.ns, THREADS, tid));
    return row ? toInfo(tid, row) : undefined;
  }

  /**
   * Threads, most recently active first (at most 1000), optionally only those active since a time.
   * @example
   * ```ts
   * const today = await mx.conversations.list({ activeSince: Date.now() - 86_400_000 });
   * ```
   */
  async list(options?: { limit?: number; activeSince?: number }): Promise<ThreadInfo[]> {
    checkOptions(options, ['limit', 'activeSince']);
    return (await this.listPage(options)).items;
  }

  /** See {@link ConversationsStore.listPage}. */
  async listPage(options?: { limit?: number; activeSince?: number; cursor?: string }): Promise<{ items: ThreadInfo[]; cursor?: string }> {
    const o = checkOptions(options, ['limit', 'activeSince', 'cursor']);
    const n = checkLimit(o.limit, 'options.limit', 100);
    const since = o.activeSince;
    if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since)))
      throw new ValidationError('options.activeSince', 'must be a Unix ms timestamp');
    const after = o.cursor === undefined ? undefined : decodeCursor(o.cursor);
    this.ctx.counters(THREADS).reads++;
    // One more than the page: whether another page exists is known without a second query.
    const rows = await this.ctx.engine.read((tx) =>
      tx.scanByRank(this.ctx.ns, THREADS, { limit: n + 1, reverse: true, ...(after ? { after } : {}) }),
    );
    const page = rows.slice(0, n);
    const items = page.map((r) => toInfo(r.key, r)).filter((t) => since === undefined || t.lastActiveAt >= since);
    // Most recently active first: once one thread is older than activeSince, every later one is.
    const more = rows.length > n && items.length === page.length;
    const last = page[page.length - 1];
    return more && last ? { items, cursor: encodeCursor(last.rank!, last.key) } : { items };
  }

  /** Removes a thread and all its messages; resolves whether it existed. */
  async delete(threadId: string): Promise<boolean> {
    const tid = validateThreadId(threadId);
    const existed = await this.ctx.engine.write((tx) => {
      tx.deletePrefix(this.ctx.ns, MESSAGES, messagePrefix(tid));
      return tx.delete(this.ctx.ns, THREADS, tid);
    });
    this.ctx.counters(THREADS).writes++;
    return existed;
  }

  private visible(tx: ReadTx, tid: string): boolean {
    return tx.get(this.ctx.ns, THREADS, tid) !== undefined;
  }

  private newest(tx: ReadTx, tid: string, limit: number, beforeSeq: number | undefined): Message[] {
    const before = beforeSeq === undefined ? undefined : messageKey(tid, beforeSeq);
    const rows = tx.scan(this.ctx.ns, MESSAGES, { prefix: messagePrefix(tid), before, reverse: true, limit });
    return rows.reverse().map((r) => toMessage(tid, r));
  }
}

/** The append transaction: create or revive the thread, evict, store, trim. `body` lacks `at`. */
export function appendInTx(
  ns: string,
  tx: WriteTx,
  tid: string,
  body: string,
  policy: ConversationPolicy,
  c: StoreCounters,
): { seq: number; at: number } {
  const thread = tx.get(ns, THREADS, tid);
  if (!thread && tx.getIncludingExpired(ns, THREADS, tid)) {
    // An expired thread is gone for readers already; its leftovers must not leak into the new one.
    tx.deletePrefix(ns, MESSAGES, messagePrefix(tid));
    tx.delete(ns, THREADS, tid);
  }
  let t: ThreadRecord;
  if (thread) t = JSON.parse(thread.value) as ThreadRecord;
  else {
    evictForRoom(ns, tx, policy.maxThreads, c);
    t = { messageCount: 0, firstSeq: 1, lastSeq: 0, createdAt: tx.now, lastActiveAt: tx.now };
  }
  const seq = t.lastSeq + 1;
  // `at` is the transaction's clock; body is a JSON object, so appending a member is safe.
  tx.put(ns, MESSAGES, messageKey(tid, seq), `${body.slice(0, -1)},"at":${tx.now}}`, { expiresAt: null });
  let count = t.messageCount + 1;
  let firstSeq = t.messageCount === 0 ? seq : t.firstSeq;
  if (count > policy.maxMessagesPerThread) {
    const excess = count - policy.maxMessagesPerThread;
    for (const old of tx.scan(ns, MESSAGES, { prefix: messagePrefix(tid), limit: excess })) tx.delete(ns, MESSAGES, old.key);
    count -= excess;
    firstSeq = seq - count + 1;
    bump(c, 'trimmed', excess);
  }
  const next: ThreadRecord = { messageCount: count, firstSeq, lastSeq: seq, createdAt: t.createdAt, lastActiveAt: tx.now };
  tx.put(ns, THREADS, tid, JSON.stringify(next), { expiresAt: policy.ttlMs === null ? null : tx.now + policy.ttlMs, rank: 'version' });
  return { seq, at: tx.now };
}

/** Evicts least-recently-active threads until a new one fits under `maxThreads`. */
function evictForRoom(ns: string, tx: WriteTx, maxThreads: number, c: StoreCounters): void {
  const excess = tx.count(ns, THREADS) - maxThreads + 1;
  if (excess <= 0) return;
  // Expired threads do not count against the bound (they are invisible); sweep purges them.
  for (const victim of tx.scanByRank(ns, THREADS, { limit: excess })) {
    tx.deletePrefix(ns, MESSAGES, messagePrefix(victim.key));
    tx.delete(ns, THREADS, victim.key);
    bump(c, 'evictions');
  }
}

/** Sweep hook: purges the messages of expired threads in every namespace; resolves how many threads. */
export async function sweepConversations(engine: Engine): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await engine.write((tx) => {
      const expired = tx.expiredKeys(THREADS, 200);
      for (const { ns, key } of expired) {
        tx.deletePrefix(ns, MESSAGES, messagePrefix(key));
        tx.delete(ns, THREADS, key);
      }
      return expired.length;
    });
    total += n;
    if (n < 200) return total;
  }
}

/** The conversations' wiring: the policy from the options; sweep purges expired threads' messages first. */
export const conversationsModule = storeModule({
  create: (ctx, config) => new Conversations(ctx, config.conversations),
  sweep: {
    phase: 'before',
    run: async (engine, counters) => {
      const threads = await sweepConversations(engine);
      bump(counters(THREADS), 'expirations', threads);
      return { threads };
    },
  },
});

/** A listPage cursor: the last thread's (rank, id), opaque to callers. */
function encodeCursor(rank: number, key: string): string {
  return Buffer.from(JSON.stringify([rank, key])).toString('base64url');
}

function decodeCursor(cursor: unknown): { rank: number; key: string } {
  const bad = () => new ValidationError('options.cursor', 'is not a cursor listPage returned');
  if (typeof cursor !== 'string' || cursor.length > 2048) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[0]) || typeof v[1] !== 'string') throw bad();
  return { rank: v[0] as number, key: v[1] };
}
