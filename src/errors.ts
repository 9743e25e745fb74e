/**
 * Every error Memex throws on purpose is a {@link MemexError} with a stable `code`.
 * Callers branch on `code` (or `instanceof`), never on message text.
 */
export type MemexErrorCode =
  | 'invalid_input'
  | 'version_conflict'
  | 'lock_timeout'
  | 'limit_exceeded'
  | 'closed'
  | 'storage_error'
  | 'access_denied'
  | 'compute_error'
  | 'lease_lost'
  | 'llm_failed';

/**
 * Base class of every Memex error.
 *
 * @example
 * ```ts
 * try { await kv.set('k', 1, { ifVersion: 0 }); }
 * catch (e) { if (isMemexError(e, 'version_conflict')) retry(); else throw e; }
 * ```
 */
export class MemexError extends Error {
  readonly code: MemexErrorCode;
  constructor(code: MemexErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Bad input: names the offending `field` and the `reason`. Nothing was written.
 *
 * @example
 * ```ts
 * await kv.set('', 1); // ValidationError: key: must not be empty
 * ```
 */
export class ValidationError extends MemexError {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super('invalid_input', `${field}: ${reason}`, options);
    this.field = field;
    this.reason = reason;
  }
}

/**
 * A compare-and-set (`ifVersion`) did not match. Nothing was written.
 *
 * @example
 * ```ts
 * await kv.set('k', 2, { ifVersion: 7 }); // throws if the current version is not 7
 * ```
 */
export class ConflictError extends MemexError {
  readonly key: string;
  readonly expected: number;
  readonly actual: number;
  constructor(key: string, expected: number, actual: number) {
    super('version_conflict', `version conflict on "${key}": expected ${expected}, found ${actual}`);
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Waited longer than `lockTimeoutMs` for the write lock (or a named lock). Nothing was written.
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path, lockTimeoutMs: 200 });
 * ```
 */
export class LockTimeoutError extends MemexError {
  readonly waitedMs: number;
  constructor(what: string, waitedMs: number) {
    super('lock_timeout', `timed out after ${Math.round(waitedMs)} ms waiting for ${what}`);
    this.waitedMs = waitedMs;
  }
}

/** A configured bound would be exceeded and the operation cannot make room. */
export class LimitError extends MemexError {
  constructor(message: string) {
    super('limit_exceeded', message);
  }
}

/** The Memex instance was closed; no further calls are accepted. */
export class ClosedError extends MemexError {
  constructor() {
    super('closed', 'this Memex instance is closed');
  }
}

/**
 * The storage engine failed. `driverCode` keeps the driver's own code (e.g. `SQLITE_CORRUPT`).
 */
export class StorageError extends MemexError {
  readonly driverCode: string | undefined;
  constructor(message: string, driverCode?: string, options?: { cause?: unknown }) {
    super('storage_error', driverCode ? `${message} (${driverCode})` : message, options);
    this.driverCode = driverCode;
  }
}

/**
 * The server refused the caller: no token or an unknown one (`status` 401), or a token that may
 * not reach this namespace or operation (403). Only the remote client throws it.
 *
 * @example
 * ```ts
 * try { await remote.scope('other-tenant').kv.get('k'); }
 * catch (e) { if (isMemexError(e, 'access_denied')) console.error('token lacks access'); }
 * ```
 */
export class AccessError extends MemexError {
  readonly status: 401 | 403;
  constructor(message: string, status: 401 | 403) {
    super('access_denied', message);
    this.status = status;
  }
}

/**
 * An error raised by the caller that computed a `getOrSet` entry, as the other callers receive
 * it. Its `name` is the name of the error that caller raised (e.g. `TimeoutError`).
 *
 * @example
 * ```ts
 * try { await cache.getOrSet(key, compute); }
 * catch (e) { if (isMemexError(e, 'compute_error')) console.warn(`${e.name}: ${e.message}`); }
 * ```
 */
export class ComputeError extends MemexError {
  constructor(name: string, message: string) {
    super('compute_error', message, { cause: 'raised by the caller that computed this entry' });
    this.name = name;
  }
}

/**
 * The reason of `lease.signal` when a renewal found that the lease had expired: the holder
 * stalled past its expiry, so another caller may hold the lock now.
 *
 * @example
 * ```ts
 * await locks.withLock('job', async (lease) => {
 *   await work({ signal: lease.signal }); // lease.signal.reason is a LeaseLostError if it is lost
 * });
 * ```
 */
export class LeaseLostError extends MemexError {
  readonly lockName: string;
  constructor(lockName: string) {
    super('lease_lost', `the lease on lock "${lockName}" expired before it was renewed; another caller may hold the lock`);
    this.lockName = lockName;
  }
}

/** What went wrong with a language model call. */
export type LlmFailure = 'unavailable' | 'timeout' | 'http' | 'malformed' | 'schema' | 'unknown_id' | 'not_configured';

/**
 * A language model call failed or answered something Memex cannot use: the server was unreachable
 * or timed out after the bounded retries (`unavailable`, `timeout`), answered an HTTP error
 * (`http`, with `status`), answered text that is not the expected JSON (`malformed`), JSON outside
 * the expected structure (`schema`), named a fact id it was not shown (`unknown_id`), or no model
 * is configured (`not_configured`). Whatever the kind, nothing was written.
 *
 * @example
 * ```ts
 * try { await mx.memories.ingest(messages, { idempotencyKey: 'turn-7' }); }
 * catch (e) { if (isMemexError(e, 'llm_failed') && e.kind === 'timeout') retryLater(); }
 * ```
 */
export class LlmError extends MemexError {
  readonly kind: LlmFailure;
  readonly status: number | undefined;
  constructor(kind: LlmFailure, message: string, options?: { status?: number; cause?: unknown }) {
    super('llm_failed', message, { cause: options?.cause });
    this.kind = kind;
    this.status = options?.status;
  }
}

/**
 * Type guard for Memex errors, optionally of one `code`.
 *
 * @example
 * ```ts
 * if (isMemexError(err, 'lock_timeout')) backOff();
 * ```
 */
export function isMemexError(e: unknown, code?: MemexErrorCode): e is MemexError {
  return e instanceof MemexError && (code === undefined || e.code === code);
}
