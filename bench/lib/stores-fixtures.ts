/**
 * Data and setup of the stores benchmarks (bench/stores.ts): thread ids and messages, cache keys
 * and values, the Keyv SQLite baseline, and the untimed setup and checks the parent runs.
 */
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { openMemex, type Memex } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Conversations

export const threadId = (t: number): string => `thread-${t}`;
const CONTENT = 'Can you compare the two flights I found and tell me which one has the shorter layover? '.repeat(3);
/** A chat message of ~270 bytes, alternating user and assistant. */
export const message = (i: number) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `${i}: ${CONTENT}` });

export function openConversations(path: string, maxMessagesPerThread: number): Promise<Memex> {
  return openMemex({ path, durability: 'normal', conversations: { maxMessagesPerThread } });
}

/** Fills `threads` threads with `perThread` messages each (untimed), so trimming starts at once. */
export async function setupConversations(path: string, threads: number, perThread: number, maxMessagesPerThread: number): Promise<void> {
  const mx = await openConversations(path, maxMessagesPerThread);
  try {
    for (let i = 0; i < perThread; i++)
      await Promise.all(Array.from({ length: threads }, (_, t) => mx.conversations.append(threadId(t), message(i))));
  } finally {
    await mx.close();
  }
}

export interface ThreadsCheck {
  /** Messages appended since the setup, by the threads' sequence numbers. */
  readonly appended: number;
  /** Every thread holds what the policy allows, contiguous and in order. */
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * After an append phase: each thread's `lastSeq` grew by what was appended, it holds exactly
 * min(lastSeq, maxMessagesPerThread) messages, and they are the newest ones, contiguous, in order.
 */
export async function checkThreads(path: string, threads: number, perThread: number, maxMessagesPerThread: number): Promise<ThreadsCheck> {
  const mx = await openConversations(path, maxMessagesPerThread);
  try {
    let appended = 0;
    const bad: string[] = [];
    for (let t = 0; t < threads; t++) {
      const info = await mx.conversations.get(threadId(t));
      if (!info) {
        bad.push(`${threadId(t)} missing`);
        continue;
      }
      appended += info.lastSeq - perThread;
      const want = Math.min(info.lastSeq, maxMessagesPerThread);
      const kept = await mx.conversations.recent(threadId(t), Math.min(want, 1000));
      const contiguous = kept.every((m, k) => m.seq === info.lastSeq - kept.length + 1 + k);
      if (info.messageCount !== want || info.firstSeq !== info.lastSeq - want + 1 || !contiguous) {
        bad.push(`${threadId(t)}: ${info.messageCount} messages, seq ${info.firstSeq}-${info.lastSeq}`);
      }
    }
    return { appended, ok: bad.length === 0, detail: bad.slice(0, 3).join('; ') };
  } finally {
    await mx.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Cache

/** Keys asked for in misses start here, past every warm key. */
export const ABSENT = 1_000_000;
export const stringKey = (i: number): string => `prompt:${i}`;
/** A fresh object per call, as a caller builds its key: hashing it is part of the measured cost. */
export const jsonKey = (i: number) => ({ model: 'gpt-4o-mini', temperature: 0, prompt: `What is the capital of country ${i}?`, maxTokens: 256 });
export const cacheKey = (kind: 'string' | 'json', i: number): string | ReturnType<typeof jsonKey> => (kind === 'string' ? stringKey(i) : jsonKey(i));
/** A cached model response of ~330 bytes of JSON. */
export const cacheValue = (i: number) => ({
  text: `Answer ${i}: ${'The capital is on the coast. '.repeat(8)}`,
  model: 'gpt-4o-mini',
  usage: { prompt: 14, completion: 60 },
});
/** lru-cache and Keyv take string keys: JSON keys are `JSON.stringify`-ed (key order matters there, unlike Memex's canonical hash). */
export const stringified = (key: unknown): string => (typeof key === 'string' ? key : JSON.stringify(key));

export function openCache(path: string, maxEntries: number): Promise<Memex> {
  return openMemex({ path, durability: 'normal', cache: { maxEntries } });
}

/** @keyv/sqlite with its defaults (rollback journal) on a shared file; a busy timeout in case two processes meet. */
export function openKeyv(path: string): Keyv {
  return new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5000 }) });
}

/** Stores the warm set, `warmKeys` string keys and as many JSON keys (untimed). */
export async function setupCacheFile(engine: 'memex' | 'keyv', path: string, warmKeys: number, maxEntries: number): Promise<void> {
  const keys = Array.from({ length: warmKeys }, (_, i) => i).flatMap((i) => [stringKey(i), jsonKey(i)]);
  if (engine === 'memex') {
    const mx = await openCache(path, maxEntries);
    try {
      await Promise.all(keys.map((k, n) => mx.cache.set(k, cacheValue(n >> 1))));
    } finally {
      await mx.close();
    }
  } else {
    const kv = openKeyv(path);
    try {
      for (const [n, k] of keys.entries()) await kv.set(stringified(k), cacheValue(n >> 1));
    } finally {
      await kv.disconnect();
    }
  }
}
