import { z } from 'zod';
import { decodeWire, encodeWire } from './wire.js';
import {
  AccessError,
  ClosedError,
  ComputeError,
  ConflictError,
  LeaseLostError,
  LlmError,
  LimitError,
  LockTimeoutError,
  MemexError,
  StorageError,
  ValidationError,
  type MemexErrorCode,
} from '../errors.js';

/**
 * An error as the server sends it: RFC 9457 problem details, with the Memex `code` and what the
 * error class carries, so that the client can rebuild the very `MemexError` subclass.
 */
export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z
      .string()
      .describe(
        'The Memex error code (invalid_input, version_conflict, lock_timeout, limit_exceeded, closed, storage_error, access_denied, compute_error, lease_lost, llm_failed), or unauthorized, forbidden, not_found, rate_limited, payload_too_large.',
      ),
    field: z.string().optional(),
    reason: z.string().optional(),
    key: z.string().optional(),
    expected: z.number().optional(),
    actual: z.number().optional(),
    waitedMs: z.number().optional(),
    driverCode: z.string().optional(),
    entries: z.array(z.unknown()).optional().describe('version_conflict of kv.commit: the current records of the checked keys (null where absent).'),
    name: z.string().optional().describe('compute_error: the name of the error the computing caller raised.'),
    lockName: z.string().optional().describe('lease_lost: the lock whose lease expired.'),
    kind: z
      .enum(['unavailable', 'timeout', 'http', 'malformed', 'schema', 'unknown_id', 'not_configured'])
      .optional()
      .describe('llm_failed: what went wrong with the language model call (nothing was written).'),
    llmStatus: z.number().int().optional().describe('llm_failed with kind http: the status the model server answered.'),
  })
  .meta({
    examples: [
      {
        type: 'https://memex.dev/errors/invalid_input',
        title: 'Invalid input',
        status: 400,
        code: 'invalid_input',
        field: 'options.ttlMs',
        reason: 'must be a positive integer number of milliseconds',
        detail: 'options.ttlMs: must be a positive integer number of milliseconds',
      },
    ],
  });
export type Problem = z.infer<typeof problem>;

/**
 * How each error code crosses the wire, both ways, in one place: the HTTP status, the problem's
 * title, what the error class adds to the problem (`fields`) and how a client rebuilds the very
 * class from it (`revive`). Codes without a `MemexErrorCode` (unauthorized, forbidden, not_found,
 * rate_limited, payload_too_large) are the server's own refusals; a code without `revive` becomes
 * a `StorageError` naming the HTTP status on the client.
 */
interface WireCode {
  status: number;
  title: string;
  /** The detail sent instead of the message (a storage failure keeps its internals on the server). */
  detail?: (e: MemexError) => string;
  fields?: (e: MemexError) => Partial<Problem>;
  revive?: (p: Partial<Problem>, detail: string, status: number) => MemexError;
}
const WIRE: Record<MemexErrorCode, WireCode> & Record<string, WireCode | undefined> = {
  invalid_input: {
    status: 400,
    title: 'Invalid input',
    fields: (e) => (e instanceof ValidationError ? { field: e.field, reason: e.reason } : {}),
    revive: (p, detail) => new ValidationError(p.field ?? 'request', p.reason ?? detail),
  },
  version_conflict: {
    status: 409,
    title: 'Version conflict',
    fields: (e) => {
      if (!(e instanceof ConflictError)) return {};
      const entries = (e as { entries?: unknown[] }).entries;
      return { key: e.key, expected: e.expected, actual: e.actual, ...(entries ? { entries: encodeWire(entries) as unknown[] } : {}) };
    },
    revive: (p) => {
      const e = new ConflictError(p.key ?? '', p.expected ?? 0, p.actual ?? 0);
      return p.entries ? Object.assign(e, { entries: decodeWire(p.entries) }) : e;
    },
  },
  limit_exceeded: { status: 413, title: 'Limit exceeded', revive: (_, detail) => new LimitError(detail) },
  lock_timeout: {
    status: 503,
    title: 'Lock timeout',
    fields: (e) => (e instanceof LockTimeoutError ? { waitedMs: e.waitedMs } : {}),
    revive: (p, detail) => Object.assign(new LockTimeoutError('the lock', p.waitedMs ?? 0), { message: detail }),
  },
  closed: { status: 503, title: 'Store closed', revive: () => new ClosedError() },
  storage_error: {
    status: 500,
    title: 'Storage error',
    detail: () => 'the storage engine failed',
    fields: (e) => (e instanceof StorageError && e.driverCode ? { driverCode: e.driverCode } : {}),
    revive: (p, detail) => new StorageError(detail, p.driverCode),
  },
  access_denied: { status: 403, title: 'Forbidden', revive: (_, detail, status) => new AccessError(detail, status === 401 ? 401 : 403) },
  compute_error: {
    status: 424,
    title: 'The computing caller failed',
    fields: (e) => ({ name: e.name }),
    revive: (p, detail) => new ComputeError(p.name ?? 'Error', detail),
  },
  llm_failed: {
    status: 502,
    title: 'Language model failed',
    fields: (e) => (e instanceof LlmError ? { kind: e.kind, ...(e.status === undefined ? {} : { llmStatus: e.status }) } : {}),
    revive: (p, detail) => new LlmError(p.kind ?? 'unavailable', detail, p.llmStatus === undefined ? undefined : { status: p.llmStatus }),
  },
  lease_lost: {
    status: 409,
    title: 'Lease lost',
    fields: (e) => (e instanceof LeaseLostError ? { lockName: e.lockName } : {}),
    revive: (p) => new LeaseLostError(p.lockName ?? ''),
  },
  unauthorized: { status: 401, title: 'Unauthorized', revive: (_, detail) => new AccessError(detail, 401) },
  forbidden: { status: 403, title: 'Forbidden', revive: (_, detail) => new AccessError(detail, 403) },
  not_found: { status: 404, title: 'Not found' },
  rate_limited: { status: 429, title: 'Too many requests', revive: (_, detail) => new LimitError(detail) },
  payload_too_large: { status: 413, title: 'Payload too large', revive: (_, detail) => new LimitError(detail) },
};

/** A problem for `code` (any of the codes above). */
export function problemOf(code: string, status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://memex.dev/errors/${code}`, title: WIRE[code]?.title ?? code, status, code, detail, ...extra };
}

/** What the server answers for an error a handler threw; a `StorageError` keeps no internals but its driver code. */
export function toProblem(e: unknown): Problem {
  if (!(e instanceof MemexError)) return problemOf('storage_error', 500, 'internal error');
  const w = WIRE[e.code];
  return problemOf(e.code, w.status, w.detail?.(e) ?? e.message, w.fields?.(e));
}

/** The error a client throws for a problem: the same `MemexError` subclass the server raised. */
export function fromProblem(p: Partial<Problem>, status: number): Error {
  const detail = p.detail ?? p.title ?? `HTTP ${status}`;
  const revive = p.code === undefined ? undefined : WIRE[p.code]?.revive;
  return revive ? revive(p, detail, status) : new StorageError(`the server refused the request: ${detail}`, `HTTP_${status}`);
}
