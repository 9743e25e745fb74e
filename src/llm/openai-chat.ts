import { z } from 'zod';
import { LlmError } from '../errors.js';
import { backoffDelay, isRetryableStatus, retryAfterMs, sleep } from '../embed/retry.js';
import type { FetchLike } from '../embed/openai-options.js';
import { parseOptions } from '../values/options.js';
import type { Llm, LlmAnswer, LlmRequest } from './llm.js';

/** Options of {@link openAiChat}. Unknown options are refused. */
export interface OpenAiChatOptions {
  /** API root: `https://api.openai.com/v1`, `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1` (vLLM). */
  baseUrl: string;
  /** The model, e.g. `'gpt-4o-mini'`, `'llama3.1'`. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never shown in errors or logs. Omit for local servers. */
  apiKey?: string;
  /** Longest wait for one complete answer. @default 60000 */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx, a timeout or a network error (other 4xx fail at once). @default 2 */
  maxRetries?: number;
  /** First backoff delay, doubled each retry, with jitter; a `Retry-After` is honoured. @default 500 */
  retryBaseMs?: number;
  /** `json_schema` (structured output: OpenAI, vLLM, Ollama ≥ 0.5) or `json_object` (JSON mode only). @default 'json_schema' */
  responseFormat?: 'json_schema' | 'json_object';
  /** @default 0 */
  temperature?: number;
  /** Extra request headers (Azure's `api-key`, an organization). */
  headers?: Record<string, string>;
  /** `fetch` implementation, for proxies. @default globalThis.fetch */
  fetch?: FetchLike;
}

const optionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  apiKey: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  retryBaseMs: z.number().int().min(0).max(60_000).optional(),
  responseFormat: z.enum(['json_schema', 'json_object']).optional(),
  temperature: z.number().min(0).max(2).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fetch: z.custom<FetchLike>((v) => typeof v === 'function', 'must be a fetch function').optional(),
});

const completion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).optional(),
});

/**
 * A chat model on any OpenAI-compatible `POST /chat/completions` endpoint (OpenAI, Ollama, vLLM,
 * LM Studio, LiteLLM): the request asks for JSON of the answer's schema; each attempt has its own
 * timeout; 429, 5xx, timeouts and network errors are retried `maxRetries` times with backoff.
 * Failures are `LlmError`s (`timeout`, `unavailable`, `http` with `status`); the key is never in them.
 *
 * @example
 * ```ts
 * const llm = openAiChat({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: process.env.OPENAI_API_KEY });
 * const mx = await openMemex({ path: './memex.db', llm });
 * ```
 */
export function openAiChat(options: OpenAiChatOptions): Llm {
  const o = parseOptions(optionsSchema, options, 'options', "{ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' }");
  const endpoint = /\/chat\/completions\/?$/.test(o.baseUrl) ? o.baseUrl : `${o.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const display = endpoint.replace(/\?.*$/, '');
  const apiKey = o.apiKey;
  const secrets = [apiKey, ...Object.values(o.headers ?? {})].filter((s): s is string => s !== undefined && s.length >= 6);
  const scrub = (m: string) => secrets.reduce((acc, s) => acc.split(s).join('***'), m);
  const doFetch = o.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const timeoutMs = o.timeoutMs ?? 60_000;
  const maxRetries = o.maxRetries ?? 2;
  const retryBaseMs = o.retryBaseMs ?? 500;

  async function attempt(req: LlmRequest): Promise<LlmAnswer | { error: LlmError; retryable: boolean; waitMs?: number }> {
    const body = {
      model: o.model,
      temperature: o.temperature ?? 0,
      messages: [
        { role: 'system', content: req.system },
        { role: 'user', content: req.user },
      ],
      response_format:
        o.responseFormat === 'json_object'
          ? { type: 'json_object' }
          : { type: 'json_schema', json_schema: { name: req.schemaName, schema: req.jsonSchema, strict: true } },
    };
    const headers: Record<string, string> = { ...o.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
      text = await res.text();
    } catch (e) {
      const timedOut = signal.aborted || (e instanceof Error && e.name === 'TimeoutError');
      const why = timedOut ? `no complete answer within ${timeoutMs} ms` : scrub((e as Error)?.message ?? String(e));
      return {
        error: new LlmError(timedOut ? 'timeout' : 'unavailable', `chat request to ${display} failed: ${why}`, { cause: e }),
        retryable: true,
      };
    }
    if (!res.ok) {
      const error = new LlmError('http', scrub(`chat request to ${display} answered HTTP ${res.status}: ${text.slice(0, 200)}`), {
        status: res.status,
      });
      return { error, retryable: isRetryableStatus(res.status), waitMs: retryAfterMs(res.headers) };
    }
    let parsed: z.infer<typeof completion>;
    try {
      parsed = completion.parse(JSON.parse(text));
    } catch {
      return { error: new LlmError('malformed', `chat request to ${display} answered something that is not a chat completion`), retryable: false };
    }
    return {
      text: parsed.choices[0]!.message.content ?? '',
      promptTokens: parsed.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.usage?.completion_tokens ?? 0,
    };
  }

  return Object.freeze({
    name: `openai:${o.model}`,
    async complete(req: LlmRequest): Promise<LlmAnswer> {
      for (let n = 0; ; n++) {
        const r = await attempt(req);
        if (!('error' in r)) return r;
        if (!r.retryable || n >= maxRetries) throw r.error;
        await sleep(Math.min(30_000, r.waitMs ?? backoffDelay(n, retryBaseMs, 30_000)));
      }
    },
  });
}
