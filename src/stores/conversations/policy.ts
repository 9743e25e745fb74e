/** Bounds of conversations, enforced inside the append's own transaction. */
export interface ConversationPolicy {
  /** Oldest messages are trimmed past this. @default 1000 */
  maxMessagesPerThread: number;
  /** Least-recently-active threads are evicted past this, per namespace. @default 10000 */
  maxThreads: number;
  /** A thread idle this long is invisible at once and purged by `sweep()`; `null` = never. @default null */
  ttlMs: number | null;
}

export const DEFAULT_CONVERSATION_POLICY: ConversationPolicy = { maxMessagesPerThread: 1000, maxThreads: 10_000, ttlMs: null };
