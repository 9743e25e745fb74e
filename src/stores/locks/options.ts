import { ValidationError } from '../../errors.js';
import { typeName } from '../../values/keys.js';

/** `exclusive`: one holder at a time. `shared`: any number of shared holders, no exclusive one. */
export type LockMode = 'exclusive' | 'shared';

/** Options of `withLock`. Unknown option names are refused. */
export interface LockOptions {
  /** @default 'exclusive' */
  mode?: LockMode;
  /**
   * Longest wait for the lock before `LockTimeoutError` (integer ms, 0 .. 3,600,000; `0` makes one
   * attempt and never waits).
   * @default 5000 (the same as `openMemex`'s `lockTimeoutMs` default)
   */
  timeoutMs?: number;
  /**
   * How long a grant lasts without renewal (integer ms, 100 .. 3,600,000). A live holder renews
   * it every `leaseMs / 3`; a holder that dies loses the lock at most `leaseMs` after its last
   * renewal.
   * @default 30000
   */
  leaseMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 3_600_000;
export const DEFAULT_LEASE_MS = 30_000;
export const MIN_LEASE_MS = 100;
export const MAX_LEASE_MS = 3_600_000;

export interface ResolvedLockOptions {
  readonly mode: LockMode;
  readonly timeoutMs: number;
  readonly leaseMs: number;
}

const KNOWN = ['mode', 'timeoutMs', 'leaseMs'];

function intIn(v: unknown, field: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const got = typeof v === 'number' ? String(v) : typeName(v);
    throw new ValidationError(field, `must be an integer number of milliseconds from ${min} to ${max}, got ${got}`);
  }
  return v;
}

/** Validates `withLock`'s options and fills the defaults. Throws ValidationError naming the option. */
export function resolveLockOptions(opts: unknown): ResolvedLockOptions {
  if (opts === undefined) return { mode: 'exclusive', timeoutMs: DEFAULT_TIMEOUT_MS, leaseMs: DEFAULT_LEASE_MS };
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ValidationError('options', `must be an object such as { mode: 'shared' }, got ${typeName(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!KNOWN.includes(k)) throw new ValidationError(`options.${k}`, 'unknown option for withLock (mode, timeoutMs, leaseMs)');
  }
  const o = opts as Record<string, unknown>;
  const mode = o.mode === undefined ? 'exclusive' : o.mode;
  if (mode !== 'exclusive' && mode !== 'shared') {
    throw new ValidationError(
      'options.mode',
      `must be 'exclusive' or 'shared', got ${typeof mode === 'string' ? JSON.stringify(mode) : typeName(mode)}`,
    );
  }
  return {
    mode,
    timeoutMs: intIn(o.timeoutMs, 'options.timeoutMs', 0, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    leaseMs: intIn(o.leaseMs, 'options.leaseMs', MIN_LEASE_MS, MAX_LEASE_MS, DEFAULT_LEASE_MS),
  };
}
