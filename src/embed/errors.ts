import { StorageError } from '../errors.js';

/**
 * What went wrong with an embedding request: `HTTP_<status>` for a non-2xx answer, `TIMEOUT` when
 * no full answer came within `timeoutMs`, `NETWORK` when the connection failed, `BAD_RESPONSE`
 * when the answer was not the expected JSON (wrong count, wrong dimension, non-finite values).
 */
export type EmbeddingErrorCode = `HTTP_${number}` | 'TIMEOUT' | 'NETWORK' | 'BAD_RESPONSE';

/**
 * An embedding model could not produce vectors. It is a {@link StorageError} (code
 * `'storage_error'`), because for the caller an unreachable model is like an unreachable disk:
 * nothing was written, and retrying later may succeed. `driverCode` says what failed, `status`
 * keeps the HTTP status when there was one, `retryable` says whether the adapter considered it
 * transient (it has already retried those up to `maxRetries` times), `attempts` how many
 * requests were made.
 *
 * Messages never contain the API key.
 *
 * @example
 * ```ts
 * try { await embedder.embed(texts); }
 * catch (e) {
 *   if (e instanceof EmbeddingError && e.driverCode === 'HTTP_401') throw new Error('check the API key');
 *   throw e;
 * }
 * ```
 */
export class EmbeddingError extends StorageError {
  declare readonly driverCode: EmbeddingErrorCode;
  /** HTTP status of the last answer, when the failure was an HTTP answer. */
  readonly status: number | undefined;
  /** Whether the failure was transient (429, 5xx, timeout, network). */
  readonly retryable: boolean;
  /** Requests made for the failing batch, retries included. */
  readonly attempts: number;

  constructor(
    message: string,
    driverCode: EmbeddingErrorCode,
    details: { status?: number; retryable?: boolean; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, driverCode, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.attempts = details.attempts ?? 1;
  }
}
