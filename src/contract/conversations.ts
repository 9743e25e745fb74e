import { z } from 'zod';
import { json, key } from './op.js';
import { methodOps } from './method-op.js';
import type { ConversationsStore } from '../api/conversations.js';
import { MAX_PAGE_LIMIT } from '../values/limits.js';

const threadId = key.describe('A thread id: any non-empty string of at most 512 UTF-8 bytes.');
export const message = z.object({
  threadId: z.string(),
  seq: z.number().int().describe('Orders the thread: monotonic, never wall-clock.'),
  role: z.string(),
  content: json,
  metadata: z.record(z.string(), json).optional(),
  at: z.number().int(),
});
const threadInfo = z.object({
  threadId: z.string(),
  messageCount: z.number().int(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  createdAt: z.number().int(),
  lastActiveAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
});
const newMessage = z.object({
  role: z.string().describe('[a-z][a-z0-9_-]{0,31}: user, assistant, tool…'),
  content: json,
  metadata: z.record(z.string(), json).optional(),
});
const exampleMessage = { threadId: 't1', seq: 31, role: 'user', content: 'hi', at: 1764650000000 };

export const conversationsOps = methodOps<ConversationsStore>()('conversations', {
  append: {
    summary: 'Appends a message (the thread policy is enforced in the same transaction); the stored message with its seq.',
    access: 'write',
    retry: 'keyed',
    args: z.object({ threadId, message: newMessage }),
    result: message,
    example: { args: { threadId: 't1', message: { role: 'user', content: 'hi' } }, result: exampleMessage },
  },
  recent: {
    summary: 'The newest messages of a thread, oldest first.',
    access: 'read',
    args: z.object({ threadId, limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional() }),
    result: z.array(message),
    example: { args: { threadId: 't1', limit: 20 }, result: [exampleMessage] },
  },
  page: {
    summary: 'Older messages: those before `beforeSeq`, oldest first.',
    access: 'read',
    args: z.object({ threadId, options: z.object({ beforeSeq: z.number().int().optional(), limit: z.number().int().min(1).max(MAX_PAGE_LIMIT) }) }),
    result: z.array(message),
    example: { args: { threadId: 't1', options: { beforeSeq: 31, limit: 50 } }, result: [] },
  },
  get: {
    summary: 'A thread’s metadata and counts (no `result` when absent).',
    access: 'read',
    args: z.object({ threadId }),
    result: threadInfo,
    example: {
      args: { threadId: 't1' },
      result: { threadId: 't1', messageCount: 2, firstSeq: 30, lastSeq: 31, createdAt: 1764650000000, lastActiveAt: 1764650000000, expiresAt: null },
    },
  },
  list: {
    summary: 'Threads, most recently active first.',
    access: 'read',
    args: z.object({
      options: z.object({ limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(), activeSince: z.number().int().optional() }).optional(),
    }),
    result: z.array(threadInfo),
    example: { args: { options: { limit: 10 } }, result: [] },
  },
  listPage: {
    summary:
      "Every thread, most recently active first, a page at a time: pass the answer's `cursor` back in `options.cursor` for the next page (no `cursor` on the last).",
    access: 'read',
    args: z.object({
      options: z
        .object({
          limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
          activeSince: z.number().int().optional(),
          cursor: z.string().optional(),
        })
        .optional(),
    }),
    result: z.object({ items: z.array(threadInfo), cursor: z.string().optional() }),
    example: { args: { options: { limit: 2 } }, result: { items: [] } },
  },
  delete: {
    summary: 'Deletes a thread and its messages; `true` if it existed.',
    access: 'write',
    args: z.object({ threadId }),
    result: z.boolean(),
    example: { args: { threadId: 't1' }, result: true },
  },
});
