import { z } from 'zod';
import type { Embedder } from './embed/embedder.js';
import { HashingEmbedder } from './embed/hashing-embedder.js';
import { ValidationError } from './errors.js';
import type { EngineFactory } from './engine/types.js';
import { sqliteEngineFromSettings } from './engine/sqlite/factory.js';
import { sqliteSettingsShape, type SqliteSettings } from './engine/sqlite/options.js';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './stores/cache/policy.js';
import { DEFAULT_CONVERSATION_POLICY, type ConversationPolicy } from './stores/conversations/policy.js';
import { DEFAULT_MAX_VALUE_BYTES } from './values/json.js';
import { parseOptions } from './values/options.js';

const positiveInt = (max: number) => z.number().int().positive().max(max);

const isEngineFactory = (v: unknown): v is EngineFactory =>
  v !== null && typeof v === 'object' && typeof (v as EngineFactory).open === 'function' && typeof (v as EngineFactory).kind === 'string';

const optionsSchema = z.strictObject({
  ...sqliteSettingsShape,
  path: sqliteSettingsShape.path.optional(),
  engine: z.custom<EngineFactory>(isEngineFactory, 'must be an engine factory such as sqliteEngine({ path })').optional(),
  url: z.string().min(1).optional(),
  lockTimeoutMs: positiveInt(3_600_000).optional(),
  maxValueBytes: positiveInt(256 * 1024 * 1024).optional(),
  clock: z.custom<() => number>((v) => typeof v === 'function', 'must be a function returning Unix ms').optional(),
  events: z.strictObject({ maxEvents: positiveInt(1e9).optional() }).optional(),
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

/** The SQLite settings accepted at the top level as the short way (`openMemex({ path })`). */
const SQLITE_SETTINGS = ['durability', 'checkOnOpen', 'maxBatch', 'walWarnBytes'] as const;

/**
 * Options of {@link openMemex}: either `path` (the embedded SQLite engine, with its settings
 * `durability`, `checkOnOpen`, `maxBatch`, `walWarnBytes` beside it) or `engine` (a factory such
 * as `sqliteEngine({ path })`), plus what every engine shares. Unknown options are refused, so a
 * typo never silently falls back to a default.
 */
export interface MemexOptions extends Partial<SqliteSettings> {
  /**
   * The engine to open, built by its factory (`sqliteEngine({ path })`). Give either `engine` or
   * `path`; the engine's own settings go to its factory.
   */
  engine?: EngineFactory;
  /** Reserved for the PostgreSQL and HTTP engines; not available in this version. */
  url?: string;
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
  /** Change-feed retention: the newest `maxEvents` events are kept. @default { maxEvents: 100000 } */
  events?: { maxEvents?: number };
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

/** What the stores are configured with. */
export interface StoreConfig {
  readonly maxValueBytes: number;
  readonly conversations: ConversationPolicy;
  readonly cache: CachePolicy;
  readonly embedder: Embedder;
}

export interface ResolvedOptions extends StoreConfig {
  readonly engine: EngineFactory;
  readonly lockTimeoutMs: number;
  readonly clock: () => number;
  readonly maxEvents: number;
}

/** Validates user options and fills the defaults. Throws ValidationError naming the option. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const o = parseOptions(optionsSchema, input, 'options', '{ path: "./memex.db" }');
  if (o.url !== undefined) {
    throw new ValidationError('options.url', 'the PostgreSQL and HTTP engines are not available in this version; use path');
  }
  if (o.engine !== undefined) {
    if (o.path !== undefined) throw new ValidationError('options.path', 'give either path or engine, not both');
    const misplaced = SQLITE_SETTINGS.find((k) => o[k] !== undefined);
    if (misplaced) throw new ValidationError(`options.${misplaced}`, 'is a setting of the SQLite engine: pass it to sqliteEngine({ path, ... })');
  } else if (o.path === undefined) {
    throw new ValidationError('options.path', 'is required (a file path, or ":memory:"), unless an engine is given');
  }
  const engine = o.engine ?? sqliteEngineFromSettings({ path: o.path!, ...pick(o, SQLITE_SETTINGS) });
  return {
    engine,
    lockTimeoutMs: o.lockTimeoutMs ?? 5000,
    maxValueBytes: o.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    clock: o.clock ?? Date.now,
    maxEvents: o.events?.maxEvents ?? 100_000,
    conversations: { ...DEFAULT_CONVERSATION_POLICY, ...stripUndefined(o.conversations ?? {}) },
    cache: { ...DEFAULT_CACHE_POLICY, ...stripUndefined(o.cache ?? {}) },
    embedder: o.embedder ?? new HashingEmbedder(),
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return stripUndefined(Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
