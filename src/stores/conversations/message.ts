import { ValidationError } from '../../errors.js';
import { validateKey, typeName } from '../../values/keys.js';
import { serializeValue } from '../../values/json.js';

/** One stored message; `seq` orders a thread (monotonic, never wall-clock). */
export interface Message<M = unknown> {
  readonly threadId: string;
  readonly seq: number;
  readonly role: string;
  /** Text, or any JSON (multimodal parts, tool calls). */
  readonly content: unknown;
  readonly metadata?: M;
  /** When it was appended (Unix ms). Informational: order is `seq`. */
  readonly at: number;
}

/** What `append` takes. */
export interface NewMessage {
  role: string;
  content: unknown;
  metadata?: Record<string, unknown>;
}

/** Thread metadata and counts. */
export interface ThreadInfo {
  readonly threadId: string;
  readonly messageCount: number;
  /** Seq of the oldest message kept (older ones were trimmed). */
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  readonly expiresAt: number | null;
}

/** The stored thread record (its key is the thread id). */
export interface ThreadRecord {
  messageCount: number;
  firstSeq: number;
  lastSeq: number;
  createdAt: number;
  lastActiveAt: number;
}

const ROLE = /^[a-z][a-z0-9_-]{0,31}$/;
const SEQ_DIGITS = 15;

/** Messages of a thread share the prefix `threadId + NUL` (thread ids cannot contain NUL). */
export const messagePrefix = (threadId: string): string => `${threadId}\u0000`;
export const messageKey = (threadId: string, seq: number): string => `${messagePrefix(threadId)}${String(seq).padStart(SEQ_DIGITS, '0')}`;

export function validateThreadId(threadId: unknown): string {
  return validateKey(threadId, 'threadId');
}

/** Validates a message and returns its JSON (role, content, metadata); `at` is added in the transaction. */
export function serializeMessage(m: unknown, maxBytes: number, field = 'message'): string {
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw new ValidationError(field, `must be an object { role, content }, got ${typeName(m)}`);
  const { role, content, metadata, ...rest } = m as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ValidationError(`${field}.${extra[0]}`, 'unknown field (allowed: role, content, metadata)');
  if (typeof role !== 'string' || !ROLE.test(role)) {
    throw new ValidationError(`${field}.role`, 'must be a lowercase word such as user, assistant, system or tool (1-32 of a-z 0-9 _ -)');
  }
  if (content === undefined) throw new ValidationError(`${field}.content`, 'is required');
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new ValidationError(`${field}.metadata`, 'must be a plain object when given');
  }
  return serializeValue({ role, content, ...(metadata === undefined ? {} : { metadata }) }, maxBytes, field);
}
