import { z } from 'zod';
import type { Embedder } from './embed/embedder.js';
import { HashingEmbedder } from './embed/hashing-embedder.js';
import { ValidationError } from './errors.js';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './stores/cache/policy.js';
import { DEFAULT_CONVERSATION_POLICY, type ConversationPolicy } from './stores/conversations/policy.js';
import { DEFAULT_MAX_VALUE_BYTES } from './values/json.js';

const positiveInt = (max: number) => z.number().int().positive().max(max);

const optionsSchema = z.strictObject({
  path: z.string().min(1).refine((p) => !p.includes('\0'), 'must not contain NUL').optional(),
  url: z.string().min(1).optional(),
  durability: z.enum(['full', 'normal']).optional(),
  lockTimeoutMs: positiveInt(3_600_000).optional(),
  maxValueBytes: positiveInt(256 * 1024 * 1024).optional(),
  clock: z.custom<() => number>((v) => typeof v === 'function', 'must be a function returning Unix ms').optional(),
  checkOnOpen: z.enum(['quick', 'none']).optional(),
  events: z.strictObject({ maxEvents: positiveInt(1e9).optional() }).optional(),
  maxBatch: positiveInt(10_000).optional(),
  walWarnBytes: positiveInt(Number.MAX_SAFE_INTEGER).optional(),
  embedder: z
    .custom<Embedder>(
      (v) => v !== null && typeof v === 'object' && typeof (v as Embedder).embed === 'function' && Number.isInteger((v as Embedder).dimension),
      'must be an embedder { dimension, embed(texts) }',
    )
    .optional(),
  cache: z
    .strictObject({
      maxEntries: positiveInt(100_000_000).optional(),
      maxBytes: positiveInt(Number.MAX_SAFE_INTEGER).nullable().optional(),
      computeTimeoutMs: positiveInt(24 * 3_600_000).optional(),
      computeLeaseMs: z.number().int().min(100).max(3_600_000).optional(),
    })
    .optional(),
  conversations: z
    .strictObject({
      maxMessagesPerThread: positiveInt(1_000_000).optional(),
      maxThreads: positiveInt(100_000_000).optional(),
      ttlMs: positiveInt(Number.MAX_SAFE_INTEGER).nullable().optional(),
    })
    .optional(),
});

/**
 * Options of {@link openMemex}. Unknown options are refused, so a typo never silently falls back
 * to a default.
 */
export interface MemexOptions {
  /** SQLite file of the embedded engine (created if absent), or `':memory:'` for a private store. */
  path?: string;
  /** Reserved for the PostgreSQL and HTTP engines; not available in this version. */
  url?: string;
  /**
   * `'full'`: a resolved write survives power loss (synchronous=FULL). `'normal'`: it survives
   * a killed process but the last commits may be lost on power loss.
   * @default 'full'
   */
  durability?: 'full' | 'normal';
  /**
   * Longest any call waits for contention before it throws LockTimeoutError.
   * @default 5000
   */
  lockTimeoutMs?: number;
  /**
   * Largest value accepted, in bytes of serialized JSON.
   * @default 1048576
   */
  maxValueBytes?: number;
  /**
   * Source of "now" (Unix ms) for TTLs and timestamps; tests pass a controllable clock.
   * @default Date.now
   */
  clock?: () => number;
  /**
   * Verify the file with `PRAGMA quick_check` when opening an existing database.
   * @default 'quick'
   */
  checkOnOpen?: 'quick' | 'none';
  /** Change-feed retention: the newest `maxEvents` events are kept. @default { maxEvents: 100000 } */
  events?: { maxEvents?: number };
  /**
   * Most writes that share one transaction under group commit.
   * @default 256
   */
  maxBatch?: number;
  /**
   * A WAL file larger than this makes `health()` report not ok.
   * @default 268435456
   */
  walWarnBytes?: number;
  /**
   * Conversation bounds, enforced inside each append's transaction.
   * @default { maxMessagesPerThread: 1000, maxThreads: 10000, ttlMs: null }
   */
  conversations?: Partial<ConversationPolicy>;
  /**
   * Response-cache bounds and single-flight timing.
   * @default { maxEntries: 10000, maxBytes: null, computeTimeoutMs: 60000, computeLeaseMs: 30000 }
   */
  cache?: Partial<CachePolicy>;
  /**
   * Turns texts into vectors for semantic memory. The default works offline and is deterministic
   * but captures lexical overlap, not meaning; plug in a real model with `OpenAIEmbedder`.
   * @default new HashingEmbedder({ dimension: 384 })
   */
  embedder?: Embedder;
}

export interface ResolvedOptions {
  path: string;
  durability: 'full' | 'normal';
  lockTimeoutMs: number;
  maxValueBytes: number;
  clock: () => number;
  checkOnOpen: 'quick' | 'none';
  maxEvents: number;
  maxBatch: number;
  walWarnBytes: number;
  conversations: ConversationPolicy;
  cache: CachePolicy;
  embedder: Embedder;
}

/** Validates user options and fills the defaults. Throws ValidationError naming the option. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('options', 'must be an object such as { path: "./memex.db" }');
  }
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? `options.${issue.path.map(String).join('.')}` : 'options';
    const prefix = issue?.path.length ? `${path}.` : 'options.';
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys.map((k) => prefix + k).join(', ') : path;
    throw new ValidationError(keys, issue?.code === 'unrecognized_keys' ? 'unknown option' : (issue?.message ?? 'invalid'));
  }
  const o = parsed.data;
  if (o.url !== undefined) {
    throw new ValidationError('options.url', 'the PostgreSQL and HTTP engines are not available in this version; use path');
  }
  if (o.path === undefined) throw new ValidationError('options.path', 'is required (a file path, or ":memory:")');
  return {
    path: o.path,
    durability: o.durability ?? 'full',
    lockTimeoutMs: o.lockTimeoutMs ?? 5000,
    maxValueBytes: o.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    clock: o.clock ?? Date.now,
    checkOnOpen: o.checkOnOpen ?? 'quick',
    maxEvents: o.events?.maxEvents ?? 100_000,
    maxBatch: o.maxBatch ?? 256,
    walWarnBytes: o.walWarnBytes ?? 256 * 1024 * 1024,
    conversations: { ...DEFAULT_CONVERSATION_POLICY, ...stripUndefined(o.conversations ?? {}) },
    cache: { ...DEFAULT_CACHE_POLICY, ...stripUndefined(o.cache ?? {}) },
    embedder: o.embedder ?? new HashingEmbedder(),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
