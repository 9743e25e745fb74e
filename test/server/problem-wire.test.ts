/**
 * The wire mapping of errors (src/contract/problem.ts, one table): every MemexError code the
 * server can send comes back on the client as the very class, code, message and fields it left
 * as. The examples are a Record over MemexErrorCode, so a new code without one is a compile error.
 */
import { describe, expect, it } from 'vitest';
import {
  AccessError,
  ClosedError,
  ComputeError,
  ConflictError,
  LeaseLostError,
  LlmError,
  LimitError,
  LockTimeoutError,
  StorageError,
  ValidationError,
  type MemexError,
  type MemexErrorCode,
} from '../../src/index.js';
import { fromProblem, toProblem } from '../../src/contract/problem.js';

const EXAMPLES: Record<MemexErrorCode, MemexError> = {
  invalid_input: new ValidationError('options.ttlMs', 'must be a positive integer number of milliseconds'),
  version_conflict: Object.assign(new ConflictError('k', 3, 4), { entries: [{ key: 'k', value: { n: 1 }, version: 4 }, null] }),
  lock_timeout: new LockTimeoutError('the write lock', 250),
  limit_exceeded: new LimitError('value: 2000000 bytes is over maxValueBytes 1048576'),
  closed: new ClosedError(),
  storage_error: new StorageError('disk I/O error', 'SQLITE_IOERR'),
  access_denied: new AccessError('this token may not reach namespace "b"', 403),
  compute_error: new ComputeError('TimeoutError', 'the caller computing this entry did not answer within 100 ms'),
  lease_lost: new LeaseLostError('job'),
  llm_failed: new LlmError('http', 'the model server answered 429 three times', { status: 429 }),
};

/** What a client receives: the problem through JSON, as the HTTP body carries it. */
const overTheWire = (e: MemexError) => {
  const p = toProblem(e);
  return { p, back: fromProblem(JSON.parse(JSON.stringify(p)) as typeof p, p.status) as MemexError };
};

describe('errors on the wire: one table, both ways', () => {
  it.each(Object.entries(EXAMPLES))('%s keeps its class, code and fields', (code, e) => {
    const { p, back } = overTheWire(e);
    expect(p.code).toBe(code);
    expect(p.type).toBe(`https://memex.dev/errors/${code}`);
    expect(back.code).toBe(code);
    expect(back.constructor).toBe(e.constructor);
    expect(back.name).toBe(e.name);
    // A storage failure keeps its internals on the server; everything else says what it said.
    expect(back.message).toBe(code === 'storage_error' ? 'the storage engine failed (SQLITE_IOERR)' : e.message);
    for (const f of ['field', 'reason', 'key', 'expected', 'actual', 'waitedMs', 'driverCode', 'status', 'entries', 'lockName'] as const) {
      if (f in e) expect((back as unknown as Record<string, unknown>)[f], f).toEqual((e as unknown as Record<string, unknown>)[f]);
    }
  });

  it('statuses: 400, 409, 503, 413, 503, 500, 403, 424 as documented; anything not a MemexError is an internal error', () => {
    expect(Object.fromEntries(Object.entries(EXAMPLES).map(([c, e]) => [c, toProblem(e).status]))).toEqual({
      invalid_input: 400,
      version_conflict: 409,
      lock_timeout: 503,
      limit_exceeded: 413,
      closed: 503,
      storage_error: 500,
      access_denied: 403,
      compute_error: 424,
      lease_lost: 409,
      llm_failed: 502,
    });
    expect(toProblem(new TypeError('x is undefined'))).toMatchObject({ code: 'storage_error', status: 500, detail: 'internal error' });
  });

  it("the server's own refusals come back as the classes a caller branches on", () => {
    const cases = [
      ['unauthorized', 401, AccessError],
      ['forbidden', 403, AccessError],
      ['rate_limited', 429, LimitError],
      ['payload_too_large', 413, LimitError],
      ['not_found', 404, StorageError],
    ] as const;
    for (const [code, status, cls] of cases) {
      const back = fromProblem({ code, status, detail: `a ${code} refusal` }, status);
      expect(back, code).toBeInstanceOf(cls);
    }
    expect((fromProblem({ code: 'unauthorized', detail: 'no token' }, 401) as AccessError).status).toBe(401);
  });
});
