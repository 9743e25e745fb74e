import { z } from 'zod';
import type { Embedder } from './embed/embedder.js';
import { HashingEmbedder } from './embed/hashing-embedder.js';
import { ValidationError } from './errors.js';
import type { EngineFactory } from './engine/types.js';
import { sqliteEngineFromSettings } from './engine/sqlite/factory.js';
import { sqliteSettingsShape, type SqliteSettings } from './engine/sqlite/options.js';
import { postgresEngineFromSettings } from './engine/postgres/factory.js';
import { postgresSettingsShape, type PostgresSettings } from './engine/postgres/options.js';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './stores/cache/policy.js';
import { DEFAULT_CONVERSATION_POLICY, type ConversationPolicy } from './stores/conversations/policy.js';
import { DEFAULT_MAX_VALUE_BYTES } from './values/json.js';
import { parseOptions } from './values/options.js';
import { namespacePattern, patternRank } from './values/namespace-pattern.js';
import type { Llm } from './llm/llm.js';
import { DEFAULT_BLOCKS_POLICY, DEFAULT_MEMORIES_POLICY, type BlocksPolicy, type MemoriesPolicy } from './stores/memories/policy.js';

const positiveInt = (max: number) => z.number().int().positive().max(max);
const isEngineFactory = (v: unknown): v is EngineFactory =>
  v !== null && typeof v === 'object' && typeof (v as EngineFactory).open === 'function' && typeof (v as EngineFactory).kind === 'string';

const cacheSchema = z.strictObject({
  maxEntries: positiveInt(100_000_000).optional(),
  maxBytes: positiveInt(Number.MAX_SAFE_INTEGER).nullable().optional(),
  computeTimeoutMs: positiveInt(24 * 3_600_000).optional(),
  computeLeaseMs: z.number().int().min(100).max(3_600_000).optional(),
});
const conversationsSchema = z.strictObject({
  maxMessagesPerThread: positiveInt(1_000_000).optional(),
  maxThreads: positiveInt(100_000_000).optional(),
  ttlMs: positiveInt(Number.MAX_SAFE_INTEGER).nullable().optional(),
});

const unit = z.number().min(0).max(1);
const memoriesSchema = z.strictObject({
  duplicateThreshold: unit.optional(),
  candidateThreshold: unit.optional(),
  candidates: positiveInt(50).optional(),
  maxAttempts: positiveInt(100).optional(),
  runTtlMs: positiveInt(Number.MAX_SAFE_INTEGER).optional(),
  ingestLeaseMs: z.number().int().min(100).max(3_600_000).optional(),
  prompts: z.strictObject({ version: z.string().min(1).max(100), extract: z.string().min(1), consolidate: z.string().min(1) }).optional(),
});
const blocksSchema = z.strictObject({ maxChars: positiveInt(1_000_000).optional(), maxBlocks: positiveInt(10_000).optional() });

/** An embedder object, as `embedder` and a namespace's override take it. */
const embedderOption = z.custom<Embedder>(
  (v) => v !== null && typeof v === 'object' && typeof (v as Embedder).embed === 'function' && Number.isInteger((v as Embedder).dimension),
  'must be an embedder { dimension, embed(texts) }',
);

const optionsSchema = z.strictObject({
  ...sqliteSettingsShape,
  path: sqliteSettingsShape.path.optional(),
  engine: z.custom<EngineFactory>(isEngineFactory, 'must be an engine factory such as sqliteEngine({ path })').optional(),
  url: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  timeoutMs: positiveInt(3_600_000).optional(),
  schema: postgresSettingsShape.schema,
  pool: postgresSettingsShape.pool,
  indexDir: postgresSettingsShape.indexDir,
  lockTimeoutMs: positiveInt(3_600_000).optional(),
  maxValueBytes: positiveInt(256 * 1024 * 1024).optional(),
  clock: z.custom<() => number>((v) => typeof v === 'function', 'must be a function returning Unix ms').optional(),
  events: z.strictObject({ maxEvents: positiveInt(1e9).optional() }).optional(),
  embedder: embedderOption.optional(),
  cache: cacheSchema.optional(),
  conversations: conversationsSchema.optional(),
  llm: z
    .custom<Llm>(
      (v) => v !== null && typeof v === 'object' && typeof (v as Llm).complete === 'function' && typeof (v as Llm).name === 'string',
      'must be a language model { name, complete(request) } such as openAiChat({ baseUrl, model })',
    )
    .optional(),
  memories: memoriesSchema.optional(),
  blocks: blocksSchema.optional(),
  namespaces: z
    .record(
      namespacePattern,
      z.strictObject({ cache: cacheSchema.optional(), conversations: conversationsSchema.optional(), embedder: embedderOption.optional() }),
    )
    .optional(),
});

/** The SQLite settings accepted at the top level as the short way (`openMemex({ path })`). */
const SQLITE_SETTINGS = ['durability', 'checkOnOpen', 'maxBatch', 'walWarnBytes', 'minFreeBytes'] as const;
/** The PostgreSQL settings accepted beside `url`. */
const POSTGRES_SETTINGS = ['schema', 'pool', 'maxBatch', 'indexDir'] as const;

/**
 * Options of {@link openMemex}: either `path` (the embedded SQLite engine, with its settings
 * `durability`, `checkOnOpen`, `maxBatch`, `walWarnBytes`, `minFreeBytes` beside it) or `engine` (a factory such
 * as `sqliteEngine({ path })`), plus what every engine shares. Unknown options are refused, so a
 * typo never silently falls back to a default.
 */
export interface MemexOptions extends Partial<SqliteSettings>, Partial<Omit<PostgresSettings, 'maxBatch'>> {
  /**
   * The engine to open, built by its factory (`sqliteEngine({ path })`). Give either `engine` or
   * `path`; the engine's own settings go to its factory.
   */
  engine?: EngineFactory;
  /**
   * `postgres://user:pass@host:5432/db`: the PostgreSQL engine (fleet mode), with its settings
   * `schema`, `pool` and `maxBatch` beside it. The short way to `engine: postgresEngine({ url })`.
   */
  url?: string;
  /** The remote client (`url: 'http://…'`): the bearer token from the server's `--tokens` file. */
  token?: string;
  /**
   * The remote client: longest a call may take before it fails with `StorageError` `ETIMEDOUT`
   * (a lock wait gets its own `timeoutMs` on top). @default 30000
   */
  timeoutMs?: number;
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
  /**
   * The language model curated memory uses to extract and consolidate facts (`memories.ingest`,
   * and `add` when a new fact is related to a known one). Without one, `add` still deduplicates
   * by similarity and `ingest` refuses with `LlmError` `not_configured`.
   * @example openAiChat({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' })
   */
  llm?: Llm;
  /**
   * How curated memory decides.
   * @default { duplicateThreshold: 0.9, candidateThreshold: 0.5, candidates: 5, maxAttempts: 8, runTtlMs: 604800000, ingestLeaseMs: 5000 }
   */
  memories?: Partial<MemoriesPolicy>;
  /** Bounds of memory blocks. @default { maxChars: 5000, maxBlocks: 50 } */
  blocks?: Partial<BlocksPolicy>;
  /**
   * Store policies for some namespaces: keys are namespace patterns (`"acme/voice"`, `"acme/voice/*"`
   * for every namespace under it, `"*"`, as in a token's namespaces), values override
   * `conversations`, `cache` and the `embedder` there. A
   * namespace takes the longest pattern that matches it (an exact name before any `/*`). A
   * namespace's embedder is fixed once its vectors are written: their dimension is the collection's.
   * @example { "acme/voice/*": { conversations: { maxMessagesPerThread: 10, ttlMs: 86_400_000 }, cache: { maxEntries: 150 } } }
   */
  namespaces?: Record<string, NamespaceOverrides>;
}

/** What `namespaces` may change for the namespaces a pattern matches. */
export interface NamespaceOverrides {
  conversations?: Partial<ConversationPolicy>;
  cache?: Partial<CachePolicy>;
  /** The embedder of vectors and curated memory there (a multilingual model for one tenant, say). */
  embedder?: Embedder;
}

/** What the stores are configured with. */
export interface StoreConfig {
  readonly maxValueBytes: number;
  readonly conversations: ConversationPolicy;
  readonly cache: CachePolicy;
  readonly embedder: Embedder;
  readonly llm: Llm | undefined;
  readonly memories: MemoriesPolicy;
  readonly blocks: BlocksPolicy;
  /** Overrides by namespace pattern (see {@link MemexOptions.namespaces}); {@link configFor} applies them. */
  readonly namespaces: Readonly<Record<string, NamespaceOverrides>>;
}

/**
 * The policies of namespace `ns`: `config`'s, with the overrides of the longest pattern of
 * `config.namespaces` that matches `ns` (exact name > longer prefix > `*`).
 */
export function configFor(config: StoreConfig, ns: string): StoreConfig {
  let best: { rank: number; o: NamespaceOverrides } | undefined;
  for (const [pattern, o] of Object.entries(config.namespaces)) {
    const rank = patternRank(pattern, ns);
    if (rank !== undefined && (!best || rank > best.rank)) best = { rank, o };
  }
  if (!best) return config;
  return {
    ...config,
    conversations: { ...config.conversations, ...stripUndefined(best.o.conversations ?? {}) },
    cache: { ...config.cache, ...stripUndefined(best.o.cache ?? {}) },
    embedder: best.o.embedder ?? config.embedder,
  };
}

export interface ResolvedOptions extends StoreConfig {
  readonly engine: EngineFactory;
  readonly lockTimeoutMs: number;
  readonly clock: () => number;
  /** Whether `clock` was given (else an engine may use its own: PostgreSQL's). */
  readonly customClock: boolean;
  readonly maxEvents: number;
}

/** What the remote client is opened with. */
export interface RemoteOptions {
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs: number;
  readonly attempts: number;
}

const REMOTE_SETTINGS = new Set(['url', 'token', 'timeoutMs']);

/**
 * What `url` opens, by its scheme: the remote client, or an engine built from the URL and the
 * settings beside it. Another engine reachable by URL is one more row here.
 */
const URL_SCHEMES: readonly { readonly schemes: readonly string[]; readonly what: string; readonly engine?: (o: ParsedOptions) => EngineFactory }[] =
  [
    {
      schemes: ['postgres:', 'postgresql:'],
      what: 'a postgres:// (or postgresql://) connection URL',
      engine: (o) => {
        if (!postgresSettingsShape.url.safeParse(o.url).success)
          throw new ValidationError('options.url', 'must be a postgres:// (or postgresql://) connection URL');
        return postgresEngineFromSettings({ url: o.url!, ...pick(o, POSTGRES_SETTINGS) });
      },
    },
    { schemes: ['http:', 'https:'], what: 'http:// for a memex server' },
  ];

/** The row of URL_SCHEMES for `url` (by its scheme, case-insensitive), if any. */
function urlScheme(url: string): (typeof URL_SCHEMES)[number] | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  return URL_SCHEMES.find((r) => scheme !== undefined && r.schemes.includes(scheme));
}

/**
 * The remote client's options when `url` is `http://` or `https://`, else `undefined`. The store
 * settings (clock, embedder, bounds…) belong to the server, so they are refused here.
 */
export function remoteOptions(input: unknown): RemoteOptions | undefined {
  const o = parseOptions(optionsSchema, input, 'options', '{ url: "http://127.0.0.1:7077" }');
  // A url whose scheme opens no engine (http, https) is the remote client's.
  const url = o.url;
  const row = url === undefined ? undefined : urlScheme(url);
  if (url === undefined || !row || row.engine) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('options.url', 'is not a valid http:// URL');
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.username)
    throw new ValidationError('options.url', 'must be the server’s origin, like http://127.0.0.1:7077');
  const misplaced = Object.keys(o).find((k) => !REMOTE_SETTINGS.has(k) && (o as Record<string, unknown>)[k] !== undefined);
  if (misplaced) throw new ValidationError(`options.${misplaced}`, 'is a setting of the server (memex serve), not of the remote client');
  return { url: parsed.origin, timeoutMs: o.timeoutMs ?? 30_000, attempts: 3, ...(o.token === undefined ? {} : { token: o.token }) };
}

/** Validates user options and fills the defaults. Throws ValidationError naming the option. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const o = parseOptions(optionsSchema, input, 'options', '{ path: "./memex.db" }');
  const remoteOnly = (['token', 'timeoutMs'] as const).find((k) => o[k] !== undefined);
  if (remoteOnly) throw new ValidationError(`options.${remoteOnly}`, 'is a setting of the remote client (url: "http://…")');
  return {
    engine: chooseEngine(o),
    lockTimeoutMs: o.lockTimeoutMs ?? 5000,
    maxValueBytes: o.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    clock: o.clock ?? Date.now,
    customClock: o.clock !== undefined,
    maxEvents: o.events?.maxEvents ?? 100_000,
    conversations: { ...DEFAULT_CONVERSATION_POLICY, ...stripUndefined(o.conversations ?? {}) },
    cache: { ...DEFAULT_CACHE_POLICY, ...stripUndefined(o.cache ?? {}) },
    embedder: o.embedder ?? new HashingEmbedder(),
    llm: o.llm,
    memories: { ...DEFAULT_MEMORIES_POLICY, ...stripUndefined(o.memories ?? {}) },
    blocks: { ...DEFAULT_BLOCKS_POLICY, ...stripUndefined(o.blocks ?? {}) },
    namespaces: o.namespaces ?? {},
  };
}

type ParsedOptions = z.infer<typeof optionsSchema>;

/** Exactly one of `path`, `url` and `engine`, each with only its own settings beside it. */
function chooseEngine(o: ParsedOptions): EngineFactory {
  const given = (['path', 'url', 'engine'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new ValidationError(`options.${given[1]}`, `give one of path, url or engine, not ${given.join(' and ')}`);
  if (o.engine !== undefined) {
    const misplaced = [...SQLITE_SETTINGS, ...POSTGRES_SETTINGS].find((k) => o[k] !== undefined);
    if (misplaced)
      throw new ValidationError(`options.${misplaced}`, 'is an engine setting: pass it to the engine factory (sqliteEngine / postgresEngine)');
    return o.engine;
  }
  if (o.url !== undefined) {
    const misplaced = SQLITE_SETTINGS.find((k) => o[k] !== undefined && k !== 'maxBatch');
    if (misplaced) throw new ValidationError(`options.${misplaced}`, 'is a setting of the SQLite engine (path), not of url');
    const row = urlScheme(o.url);
    if (!row?.engine) throw new ValidationError('options.url', `must be ${URL_SCHEMES.map((r) => r.what).join(', or ')}`);
    return row.engine(o);
  }
  if (o.path === undefined) throw new ValidationError('options.path', 'is required (a file path, or ":memory:"), unless url or engine is given');
  const misplaced = (['schema', 'pool', 'indexDir'] as const).find((k) => o[k] !== undefined);
  if (misplaced) throw new ValidationError(`options.${misplaced}`, 'is a setting of the PostgreSQL engine (url), not of path');
  return sqliteEngineFromSettings({ path: o.path, ...pick(o, SQLITE_SETTINGS) });
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return stripUndefined(Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
