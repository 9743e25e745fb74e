import { checkTexts, type Embedder } from './embedder.js';
import { EmbeddingError, type EmbeddingErrorCode } from './errors.js';
import { errorSnippet, parseEmbeddingResponse } from './openai-response.js';
import { resolveOpenAIOptions, type OpenAIEmbedderOptions, type ResolvedOpenAIOptions } from './openai-options.js';
import { backoffDelay, isRetryableStatus, retryAfterMs, sleep } from './retry.js';

/** One failed attempt, before we know whether it is the last. */
interface Failure {
  code: EmbeddingErrorCode;
  detail: string;
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Embeds texts with any OpenAI-compatible `POST /v1/embeddings` endpoint: OpenAI itself, Ollama,
 * vLLM, LM Studio, text-embeddings-inference, LiteLLM and others.
 *
 * - Inputs are sent in batches of `batchSize`, one batch at a time (gentle on rate limits);
 *   results come back in input order even when the server reorders them.
 * - Each request has its own `timeoutMs` (covering the response body too).
 * - 429, 5xx, timeouts and network errors are retried up to `maxRetries` times with exponential
 *   backoff and jitter, waiting what `Retry-After` asks when the server says. Other 4xx fail at once.
 * - Every failure is an {@link EmbeddingError} (a `StorageError`, code `'storage_error'`) whose
 *   `driverCode` is `HTTP_<status>`, `TIMEOUT`, `NETWORK` or `BAD_RESPONSE`. A response of the
 *   wrong size or dimension, or with non-finite numbers, is `BAD_RESPONSE`: it is never stored.
 * - The API key is sent as `Authorization: Bearer …`, kept in a private field (not shown by
 *   `console.log` or `JSON.stringify`) and scrubbed from error messages.
 *
 * Worst case, one batch takes about `(maxRetries + 1) × timeoutMs` plus the backoff delays.
 *
 * @example
 * ```ts
 * const openai = new OpenAIEmbedder({
 *   baseUrl: 'https://api.openai.com/v1',
 *   model: 'text-embedding-3-small',
 *   apiKey: process.env.OPENAI_API_KEY,
 *   dimension: 1536,
 * });
 * const local = new OpenAIEmbedder({ baseUrl: 'http://localhost:11434/v1', model: 'nomic-embed-text', dimension: 768 });
 * const [v] = await local.embed(['hello world']);
 * ```
 */
export class OpenAIEmbedder implements Embedder {
  readonly dimension: number;
  /** `openai:<model>`: the vector space is the model's, whichever server hosts it. */
  readonly name: string;
  // Private (#) so that util.inspect and JSON.stringify never show the API key.
  readonly #o: ResolvedOpenAIOptions;
  readonly #secrets: string[];

  /** @throws ValidationError naming the offending option (`options.baseUrl`, `options.dimension`, …). */
  constructor(options: OpenAIEmbedderOptions) {
    this.#o = resolveOpenAIOptions(options);
    this.dimension = this.#o.dimension;
    this.name = `openai:${this.#o.model}`;
    // Custom header values are scrubbed too: they are often keys (Azure's `api-key`).
    this.#secrets = [this.#o.apiKey, ...Object.values(this.#o.headers)].filter((s): s is string => s !== undefined && s.length >= 6);
  }

  /**
   * One vector per text, in input order; unit length unless `normalize: false`. An empty list
   * makes no request.
   *
   * @throws ValidationError when `texts` is not an array of strings.
   * @throws EmbeddingError when a batch fails for good (after retries, when retryable).
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const all = checkTexts(texts);
    const out: Float32Array[] = [];
    for (let i = 0; i < all.length; i += this.#o.batchSize) {
      out.push(...(await this.#embedBatch(all.slice(i, i + this.#o.batchSize))));
    }
    return out;
  }

  async #embedBatch(input: string[]): Promise<Float32Array[]> {
    const o = this.#o;
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(input, attempt);
      if (!('code' in result)) return result;
      let giveUp = !result.retryable || attempt > o.maxRetries;
      let why = '';
      let wait = backoffDelay(attempt - 1, o.retryBaseMs, o.maxRetryDelayMs);
      if (!giveUp && result.retryAfterMs !== undefined) {
        if (result.retryAfterMs > o.maxRetryDelayMs) {
          giveUp = true;
          why = `; the server asked to wait ${Math.ceil(result.retryAfterMs / 1000)} s, more than maxRetryDelayMs`;
        } else {
          // What the server asked, plus a little jitter so throttled clients do not return in lockstep.
          wait = result.retryAfterMs + Math.random() * Math.min(o.retryBaseMs, result.retryAfterMs * 0.1);
        }
      }
      if (giveUp) {
        const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
        const message = this.#scrub(`embedding request to ${o.displayEndpoint} failed: ${result.detail}${tries}${why}`);
        throw new EmbeddingError(message, result.code, {
          status: result.status,
          retryable: result.retryable,
          attempts: attempt,
          cause: result.cause,
        });
      }
      await sleep(wait);
    }
  }

  /** One HTTP request: the vectors, or a description of the failure (thrown only for BAD_RESPONSE). */
  async #attempt(input: string[], attempt: number): Promise<Float32Array[] | Failure> {
    const o = this.#o;
    const payload: Record<string, unknown> = { model: o.model, input };
    if (o.requestDimensions) payload.dimensions = o.dimension;
    const headers: Record<string, string> = { ...o.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (o.apiKey !== undefined) headers.authorization = `Bearer ${o.apiKey}`;
    const signal = AbortSignal.timeout(o.timeoutMs);
    let res: Response;
    let body: string;
    try {
      res = await o.fetch(o.endpoint, { method: 'POST', headers, body: JSON.stringify(payload), signal });
      // Read under the same signal: a server that sends headers and then stalls is a timeout too.
      body = await res.text();
    } catch (e) {
      if (signal.aborted || (e instanceof Error && e.name === 'TimeoutError')) {
        return { code: 'TIMEOUT', detail: `no complete response within ${o.timeoutMs} ms`, retryable: true, cause: e };
      }
      return { code: 'NETWORK', detail: describeNetworkError(e), retryable: true, cause: e };
    }
    if (!res.ok) {
      const snippet = errorSnippet(body);
      return {
        code: `HTTP_${res.status}`,
        status: res.status,
        detail: `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`,
        retryable: isRetryableStatus(res.status),
        retryAfterMs: retryAfterMs(res.headers),
      };
    }
    // Not retried: a malformed or wrong-sized answer is a configuration problem, not a hiccup.
    return parseEmbeddingResponse(body, {
      count: input.length,
      dimension: o.dimension,
      normalize: o.normalize,
      attempts: attempt,
      context: `embedding request to ${o.displayEndpoint} failed`,
    });
  }

  /** Removes every secret from a message, whatever the server or the network stack echoed. */
  #scrub(message: string): string {
    let m = message;
    for (const s of this.#secrets) m = m.split(s).join('[redacted]');
    return m;
  }
}

/** undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  const inner = cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : undefined;
  const outer = e instanceof Error ? e.message : String(e);
  return inner ? `${outer} (${inner})` : outer;
}
