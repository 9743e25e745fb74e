import { z } from 'zod';
import { decodeWire, encodeWire } from './wire.js';
import {
  AccessError,
  ClosedError,
  ConflictError,
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
        'The Memex error code (invalid_input, version_conflict, lock_timeout, limit_exceeded, closed, storage_error), or unauthorized, forbidden, not_found, rate_limited, compute_error.',
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

const STATUS: Record<MemexErrorCode, number> = {
  invalid_input: 400,
  version_conflict: 409,
  limit_exceeded: 413,
  lock_timeout: 503,
  closed: 503,
  storage_error: 500,
  access_denied: 403,
};
const TITLE: Record<string, string> = {
  invalid_input: 'Invalid input',
  version_conflict: 'Version conflict',
  limit_exceeded: 'Limit exceeded',
  lock_timeout: 'Lock timeout',
  closed: 'Store closed',
  storage_error: 'Storage error',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  rate_limited: 'Too many requests',
  compute_error: 'The computing caller failed',
  payload_too_large: 'Payload too large',
};

/** A problem for `code` (any of the codes above). */
export function problemOf(code: string, status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://memex.dev/errors/${code}`, title: TITLE[code] ?? code, status, code, detail, ...extra };
}

/** What the server answers for an error a handler threw; a `StorageError` keeps no internals but its driver code. */
export function toProblem(e: unknown): Problem {
  if (e instanceof ValidationError) return problemOf(e.code, 400, e.message, { field: e.field, reason: e.reason });
  if (e instanceof ConflictError) {
    const entries = (e as { entries?: unknown[] }).entries;
    return problemOf(e.code, 409, e.message, {
      key: e.key,
      expected: e.expected,
      actual: e.actual,
      ...(entries ? { entries: encodeWire(entries) as unknown[] } : {}),
    });
  }
  if (e instanceof LockTimeoutError) return problemOf(e.code, 503, e.message, { waitedMs: e.waitedMs });
  if (e instanceof StorageError) return problemOf(e.code, 500, 'the storage engine failed', e.driverCode ? { driverCode: e.driverCode } : {});
  if (e instanceof MemexError) return problemOf(e.code, STATUS[e.code], e.message);
  if (e instanceof ComputeError) return problemOf('compute_error', 424, e.message, { name: e.name });
  return problemOf('storage_error', 500, 'internal error');
}

/** An error raised by the caller that computed a `getOrSet` entry, as the other callers receive it. */
export class ComputeError extends Error {
  constructor(name: string, message: string) {
    super(message, { cause: 'raised by the caller that computed this entry' });
    this.name = name;
  }
}

/** The error a client throws for a problem: the same `MemexError` subclass the server raised. */
export function fromProblem(p: Partial<Problem>, status: number): Error {
  const detail = p.detail ?? p.title ?? `HTTP ${status}`;
  switch (p.code) {
    case 'invalid_input':
      return new ValidationError(p.field ?? 'request', p.reason ?? detail);
    case 'version_conflict': {
      const e = new ConflictError(p.key ?? '', p.expected ?? 0, p.actual ?? 0);
      return p.entries ? Object.assign(e, { entries: decodeWire(p.entries) }) : e;
    }
    case 'lock_timeout':
      return Object.assign(new LockTimeoutError('the lock', p.waitedMs ?? 0), { message: detail });
    case 'limit_exceeded':
    case 'payload_too_large':
    case 'rate_limited':
      return new LimitError(detail);
    case 'closed':
      return new ClosedError();
    case 'unauthorized':
      return new AccessError(detail, 401);
    case 'forbidden':
      return new AccessError(detail, 403);
    case 'compute_error':
      return new ComputeError(p.name ?? 'Error', detail);
    case 'storage_error':
      return new StorageError(detail, p.driverCode);
    default:
      return new StorageError(`the server refused the request: ${detail}`, `HTTP_${status}`);
  }
}
