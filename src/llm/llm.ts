import type { z } from 'zod';

/** What one model call asks: Memex's prompt and the JSON structure the answer must have. */
export interface LlmRequest {
  /** The instructions (Memex's versioned prompt, or the one the caller configured). */
  readonly system: string;
  /** The material: messages to extract from, or facts to consolidate, as text. */
  readonly user: string;
  /** A name for the answer's structure (sent as the JSON schema's name). */
  readonly schemaName: string;
  /** The JSON Schema of the answer, sent to servers that support structured output. */
  readonly jsonSchema: Readonly<Record<string, unknown>>;
}

/** What one model call cost and answered. */
export interface LlmAnswer {
  /** The answer's text: JSON, to be checked by the caller against its schema. */
  readonly text: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/**
 * A chat model behind one method, as `embedder` is for vectors: `openAiChat(...)` for any
 * OpenAI-compatible server, or an object of your own (a test double, another provider). It answers
 * text; Memex parses and validates it (see {@link askJson}), so an implementation need not.
 *
 * @example
 * ```ts
 * import { openMemex, openAiChat } from 'memex';
 * const mx = await openMemex({ path: './memex.db', llm: openAiChat({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' }) });
 * ```
 */
export interface Llm {
  /** `<provider>:<model>`, for `stats()` and `/v1/memex/info`. */
  readonly name: string;
  /** Throws `LlmError` (`unavailable`, `timeout`, `http`) when no usable answer came back. */
  complete(request: LlmRequest): Promise<LlmAnswer>;
}

/** Process-local counters of the model calls, reported by `stats()` under `llm`. */
export interface LlmCounters {
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
}

/** A zod schema with its JSON Schema, as one request declares its answer. */
export interface AnswerShape<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly jsonSchema: Readonly<Record<string, unknown>>;
}
