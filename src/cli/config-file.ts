import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HashingEmbedder } from '../embed/hashing-embedder.js';
import { OpenAIEmbedder } from '../embed/openai-embedder.js';
import { openAiChat } from '../llm/openai-chat.js';
import { ValidationError } from '../errors.js';
import { resolveOptions, type MemexOptions } from '../options.js';
import { parseOptions } from '../values/options.js';

/**
 * The embedder a config file names. The API key never sits in the file: `apiKeyEnv` names the
 * environment variable that holds it.
 */
/** The name of the environment variable holding an API key (never the key itself). */
const apiKeyEnv = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
  .optional();
const timeoutMs = z.number().int().min(100).max(600_000).optional();

const embedderSchema = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('hashing'), dimension: z.number().int().min(8).max(8192).optional() }),
  z.strictObject({
    provider: z.literal('openai'),
    baseUrl: z.string().url(),
    model: z.string().min(1),
    dimension: z.number().int().min(1).max(8192),
    apiKeyEnv,
    batchSize: z.number().int().min(1).max(2048).optional(),
    timeoutMs,
    requestDimensions: z.boolean().optional(),
  }),
]);

/** The language model a config file names (curated memory's `ingest`); the key as for the embedder. */
const llmSchema = z.strictObject({
  provider: z.literal('openai'),
  baseUrl: z.string().url(),
  model: z.string().min(1),
  apiKeyEnv,
  timeoutMs,
  maxRetries: z.number().int().min(0).max(10).optional(),
  responseFormat: z.enum(['json_schema', 'json_object']).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

/** A namespace pattern's overrides: policies checked by openMemex, and an embedder of its own. */
const overridesSchema = z.strictObject({ conversations: z.unknown().optional(), cache: z.unknown().optional(), embedder: embedderSchema.optional() });

/**
 * `memex serve --config <file>` (and `memex mcp --config`): a JSON object with the store policies
 * `openMemex` takes — `conversations`, `cache`, `namespaces` (overrides by namespace pattern),
 * `maxValueBytes`, `lockTimeoutMs`, `events` — and an `embedder`. Where the store is stays on the
 * command line (`--path`, `--url`).
 *
 * @example
 * ```json
 * { "conversations": { "maxMessagesPerThread": 10, "maxThreads": 1000, "ttlMs": 86400000 },
 *   "cache": { "maxEntries": 150 },
 *   "embedder": { "provider": "openai", "baseUrl": "http://127.0.0.1:11434/v1", "model": "nomic-embed-text", "dimension": 768 },
 *   "namespaces": { "acme/voice/*": { "conversations": { "maxMessagesPerThread": 20 } } } }
 * ```
 */
const configSchema = z.strictObject({
  conversations: z.unknown().optional(),
  cache: z.unknown().optional(),
  namespaces: z.record(z.string(), overridesSchema).optional(),
  maxValueBytes: z.unknown().optional(),
  lockTimeoutMs: z.unknown().optional(),
  events: z.unknown().optional(),
  embedder: embedderSchema.optional(),
  llm: llmSchema.optional(),
  memories: z.unknown().optional(),
  blocks: z.unknown().optional(),
});
export type ConfigFile = z.infer<typeof configSchema>;

/** The store options a config file gives (policies checked here, each error naming the file's field). */
export interface LoadedConfig {
  readonly options: Omit<MemexOptions, 'path' | 'url' | 'engine'>;
  /** The embedder as the file describes it, without secrets (for `--print-config` and `/v1/memex/info`). */
  readonly embedder: Record<string, unknown> | undefined;
  /** The model and the namespaces' embedders as the file describes them, without secrets. */
  readonly described: { readonly llm?: Record<string, unknown>; readonly namespaceEmbedders: Record<string, Record<string, unknown>> };
}

/** Reads and checks `file`; a problem is a ValidationError whose field is `<file>: <path in the file>`. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(file, `is not a readable JSON file: ${(e as Error).message}`);
  }
  try {
    const c = parseOptions(configSchema, raw, 'options', '{ "conversations": { "maxMessagesPerThread": 10 } }');
    const { embedder, llm, namespaces, ...policies } = c;
    const namespaceEmbedders: Record<string, Record<string, unknown>> = {};
    const overrides = Object.fromEntries(
      Object.entries(namespaces ?? {}).map(([pattern, o]) => {
        const { embedder: e, ...rest } = o;
        if (!e) return [pattern, rest];
        namespaceEmbedders[pattern] = { ...e };
        return [pattern, { ...rest, embedder: buildEmbedder(e, env, `options.namespaces.${pattern}.embedder`) }];
      }),
    );
    const options = {
      ...policies,
      ...(namespaces ? { namespaces: overrides } : {}),
      ...(embedder ? { embedder: buildEmbedder(embedder, env, 'options.embedder') } : {}),
      ...(llm ? { llm: buildLlm(llm, env) } : {}),
    } as LoadedConfig['options'];
    // The policies are checked by the very rules openMemex applies.
    resolveOptions({ path: ':memory:', ...options });
    return { options, embedder: embedder && { ...embedder }, described: { ...(llm ? { llm: { ...llm } } : {}), namespaceEmbedders } };
  } catch (e) {
    // Named as in the file: `<file>: conversations.maxThreads`.
    if (e instanceof ValidationError) throw new ValidationError(`${file}: ${e.field.replace(/^options\.?/, '') || '(the file)'}`, e.reason);
    throw e;
  }
}

function buildEmbedder(e: z.infer<typeof embedderSchema>, env: NodeJS.ProcessEnv, field: string) {
  if (e.provider === 'hashing') return new HashingEmbedder(e.dimension === undefined ? {} : { dimension: e.dimension });
  const { provider: _, apiKeyEnv, ...rest } = e;
  return new OpenAIEmbedder({ ...rest, ...keyFrom(apiKeyEnv, env, field) });
}

function buildLlm(l: z.infer<typeof llmSchema>, env: NodeJS.ProcessEnv) {
  const { provider: _, apiKeyEnv, ...rest } = l;
  return openAiChat({ ...rest, ...keyFrom(apiKeyEnv, env, 'options.llm') });
}

/** The API key from the environment variable a file names: a named variable that is unset is an error, not a silent anonymous call. */
function keyFrom(apiKeyEnv: string | undefined, env: NodeJS.ProcessEnv, field: string): { apiKey?: string } {
  if (apiKeyEnv === undefined) return {};
  const apiKey = env[apiKeyEnv];
  if (!apiKey) throw new ValidationError(`${field}.apiKeyEnv`, `the environment variable ${apiKeyEnv} is not set`);
  return { apiKey };
}

/**
 * The effective settings of a store opened with `options` (defaults filled in), as
 * `--print-config` prints them and `/v1/memex/info` reports them: no secrets (an API key is
 * only named by its environment variable).
 */
export function effectiveSettings(
  options: MemexOptions,
  embedder: Record<string, unknown> | undefined,
  described: LoadedConfig['described'] = { namespaceEmbedders: {} },
): Record<string, unknown> {
  const r = resolveOptions(options);
  // Embedder objects are shown as the file described them (no key), not as live objects.
  const namespaces = Object.fromEntries(
    Object.entries(r.namespaces).map(([pattern, o]) => {
      const { embedder: e, ...rest } = o;
      return [pattern, e ? { ...rest, embedder: described.namespaceEmbedders[pattern] ?? { dimension: e.dimension } } : rest];
    }),
  );
  return {
    maxValueBytes: r.maxValueBytes,
    lockTimeoutMs: r.lockTimeoutMs,
    events: { maxEvents: r.maxEvents },
    conversations: r.conversations,
    cache: r.cache,
    embedder: embedder ?? { provider: 'hashing', dimension: r.embedder.dimension },
    llm: described.llm ?? (r.llm ? { name: r.llm.name } : null),
    memories: { ...r.memories, prompts: undefined },
    blocks: r.blocks,
    namespaces,
  };
}
