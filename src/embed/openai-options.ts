import { ValidationError } from '../errors.js';
import { checkDimension } from './embedder.js';

/** The `fetch` signature the adapter needs; the global `fetch` of Node 20 fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@link OpenAIEmbedder}. Unknown options are refused, so a typo never silently falls back to a default. */
export interface OpenAIEmbedderOptions {
  /**
   * API root, as in the OpenAI SDKs: `https://api.openai.com/v1`, `http://localhost:11434/v1`
   * (Ollama), `http://localhost:8000/v1` (vLLM). `/embeddings` is appended unless the URL
   * already ends with it. Must not contain credentials: pass `apiKey`.
   */
  baseUrl: string;
  /** Model name, e.g. `'text-embedding-3-small'`, `'nomic-embed-text'`. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never logged nor put in an error message. Omit for local servers. */
  apiKey?: string;
  /** Length of the model's vectors (1536 for text-embedding-3-small). A response of another length is an error. */
  dimension: number;
  /** Texts per request (OpenAI accepts up to 2048). @default 64 */
  batchSize?: number;
  /** Longest wait for one full response, body included. @default 30000 */
  timeoutMs?: number;
  /** Retries of one batch after a 429, a 5xx, a timeout or a network error. @default 4 */
  maxRetries?: number;
  /** First backoff delay; it doubles with each retry, with jitter. @default 500 */
  retryBaseMs?: number;
  /**
   * Longest wait between two attempts. A `Retry-After` asking for more than this fails at once
   * rather than hammering a server that said it is not ready. @default 30000
   */
  maxRetryDelayMs?: number;
  /** Send `dimensions: <dimension>` in the request, for models that can shorten their vectors (text-embedding-3-*). @default false */
  requestDimensions?: boolean;
  /** Scale returned vectors to unit length, so cosine equals the dot product whatever the model. @default true */
  normalize?: boolean;
  /** Extra request headers (for example `api-key` for Azure, or an organization header). */
  headers?: Record<string, string>;
  /** `fetch` implementation, for proxies or tests. @default globalThis.fetch */
  fetch?: FetchLike;
}

export interface ResolvedOpenAIOptions {
  endpoint: string;
  /** The endpoint without query string, for error messages (a query may carry a key). */
  displayEndpoint: string;
  model: string;
  apiKey: string | undefined;
  dimension: number;
  batchSize: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  maxRetryDelayMs: number;
  requestDimensions: boolean;
  normalize: boolean;
  headers: Record<string, string>;
  fetch: FetchLike;
}

const KNOWN = new Set([
  'baseUrl',
  'model',
  'apiKey',
  'dimension',
  'batchSize',
  'timeoutMs',
  'maxRetries',
  'retryBaseMs',
  'maxRetryDelayMs',
  'requestDimensions',
  'normalize',
  'headers',
  'fetch',
]);

/** Largest timer Node accepts; anything above fires immediately. */
const MAX_TIMER_MS = 2_147_483_647;

/** Validates options and fills defaults. Messages never echo `apiKey` or `baseUrl` (either may hold a secret). */
export function resolveOpenAIOptions(input: unknown): ResolvedOpenAIOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('options', 'must be an object such as { baseUrl, model, dimension }');
  }
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new ValidationError(`options.${k}`, 'unknown option');

  const url = parseBaseUrl(o.baseUrl);
  if (typeof o.model !== 'string' || o.model.trim() === '') throw new ValidationError('options.model', 'must be a non-empty string');
  // Checked here because fetch's own error for a bad header value quotes the value, key included.
  if (o.apiKey !== undefined && (typeof o.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(o.apiKey))) {
    throw new ValidationError('options.apiKey', 'must be a non-empty string of printable ASCII without spaces');
  }
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new ValidationError('options.fetch', 'must be a function');

  return {
    endpoint: url.href,
    displayEndpoint: url.origin + url.pathname,
    model: o.model,
    apiKey: o.apiKey,
    dimension: checkDimension(o.dimension, 'options.dimension'),
    batchSize: int(o.batchSize, 64, 1, 2048, 'options.batchSize'),
    timeoutMs: int(o.timeoutMs, 30_000, 1, MAX_TIMER_MS, 'options.timeoutMs'),
    maxRetries: int(o.maxRetries, 4, 0, 20, 'options.maxRetries'),
    retryBaseMs: int(o.retryBaseMs, 500, 0, MAX_TIMER_MS, 'options.retryBaseMs'),
    maxRetryDelayMs: int(o.maxRetryDelayMs, 30_000, 0, MAX_TIMER_MS, 'options.maxRetryDelayMs'),
    requestDimensions: bool(o.requestDimensions, false, 'options.requestDimensions'),
    normalize: bool(o.normalize, true, 'options.normalize'),
    headers: parseHeaders(o.headers),
    fetch: fetchImpl as FetchLike,
  };
}

function parseBaseUrl(v: unknown): URL {
  if (typeof v !== 'string' || v === '') throw new ValidationError('options.baseUrl', 'must be a URL such as https://api.openai.com/v1');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ValidationError('options.baseUrl', 'is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('options.baseUrl', 'must use http or https');
  if (url.username || url.password) throw new ValidationError('options.baseUrl', 'must not contain credentials; pass options.apiKey');
  url.pathname = url.pathname.replace(/\/+$/, '');
  if (!url.pathname.endsWith('/embeddings')) url.pathname += '/embeddings';
  return url;
}

function int(v: unknown, dflt: number, min: number, max: number, field: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function bool(v: unknown, dflt: boolean, field: string): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ValidationError(field, 'must be a boolean');
  return v;
}

function parseHeaders(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError('options.headers', 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    // Values are not echoed: a custom header is often a key too (Azure's `api-key`).
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new ValidationError('options.headers', `"${k}" is not a valid header name`);
    if (typeof val !== 'string' || /[\r\n\0]/.test(val)) throw new ValidationError(`options.headers.${k}`, 'must be a string without line breaks');
    out[k.toLowerCase()] = val;
  }
  return out;
}
