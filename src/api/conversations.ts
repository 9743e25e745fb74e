import type { Message, NewMessage, ThreadInfo } from '../stores/conversations/message.js';

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
export interface ConversationsStore {
  /**
   * Appends a message; resolves the stored message with its `seq`.
   * @example
   * ```ts
   * const { seq } = await mx.conversations.append('t1', { role: 'assistant', content: 'hello', metadata: { model: 'x' } });
   * ```
   */
  append(threadId: string, message: NewMessage): Promise<Message>;

  /**
   * The newest `limit` messages (default 20, at most 1000), oldest first.
   * @example
   * ```ts
   * const context = await mx.conversations.recent('t1', 10);
   * ```
   */
  recent(threadId: string, limit?: number): Promise<Message[]>;

  /**
   * Older history, a page at a time: up to `limit` messages before `beforeSeq`, oldest first.
   * @example
   * ```ts
   * let page = await mx.conversations.page('t1', { limit: 50 });
   * while (page.length > 0) page = await mx.conversations.page('t1', { beforeSeq: page[0].seq, limit: 50 });
   * ```
   */
  page(threadId: string, options: { beforeSeq?: number; limit: number }): Promise<Message[]>;

  /** Thread metadata and counts, or `undefined` if absent or expired. */
  get(threadId: string): Promise<ThreadInfo | undefined>;

  /**
   * Threads, most recently active first (at most 1000), optionally only those active since a time.
   * @example
   * ```ts
   * const today = await mx.conversations.list({ activeSince: Date.now() - 86_400_000 });
   * ```
   */
  list(options?: { limit?: number; activeSince?: number }): Promise<ThreadInfo[]>;

  /**
   * Every thread, most recently active first, a page at a time: pass the answer's `cursor` back
   * for the next page (no `cursor` on the last). Each thread comes at most once; one active again
   * while you page moves ahead of the page you are on, so the walk does not show it again.
   * @example
   * ```ts
   * let page = await mx.conversations.listPage({ limit: 500 });
   * for (;;) {
   *   for (const t of page.items) console.log(t.threadId, t.lastActiveAt);
   *   if (!page.cursor) break;
   *   page = await mx.conversations.listPage({ limit: 500, cursor: page.cursor });
   * }
   * ```
   */
  listPage(options?: { limit?: number; activeSince?: number; cursor?: string }): Promise<{ items: ThreadInfo[]; cursor?: string }>;

  /** Removes a thread and all its messages; resolves whether it existed. */
  delete(threadId: string): Promise<boolean>;
}
