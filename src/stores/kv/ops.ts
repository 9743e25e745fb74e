import type { KvEntry } from '../../api/kv.js';
import { ConflictError, ValidationError } from '../../errors.js';
import type { RecordRow, WriteTx } from '../../engine/types.js';
import { validateKey } from '../../values/keys.js';
import { serializeValue } from '../../values/json.js';
import { parseFrozen, type DeepReadonly } from '../../values/freeze.js';
import { isThenable } from '../../values/thenable.js';
import { checkPatchOps, type PatchOp } from '../../values/patch.js';
import type { StoreContext } from '../context.js';

/** A kv-shaped store's context: the scope's context plus which store its records live in. */
export interface KvContext extends StoreContext {
  readonly store: string;
  /** How errors name the key: `key` in kv, `userId` in profiles. */
  readonly keyField: string;
}

/** A caller's view of a row; `committed` is false for rows read inside a write transaction. */
export function toEntry<T>(ctx: KvContext, row: RecordRow, committed: boolean): KvEntry<T> {
  return Object.freeze({
    key: row.key,
    value: committed ? ctx.frozen.committed<T>(row.version, row.value) : ctx.frozen.uncommitted<T>(row.version, row.value),
    version: row.version,
    updatedAt: row.updatedAt,
    expiresAt: row.expiresAt,
  });
}

export function checkTtl(ttlMs: unknown, field = 'options.ttlMs'): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(field, 'must be a positive integer number of milliseconds');
  }
  return ttlMs;
}

export function checkVersion(v: unknown, field = 'options.ifVersion'): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ValidationError(field, 'must be a non-negative integer (0 = only if absent)');
  }
  return v;
}

const OPTION_KEYS: Record<string, readonly string[]> = {
  set: ['ttlMs', 'ifVersion'],
  delete: ['ifVersion'],
  update: ['ttlMs'],
  patch: ['ttlMs', 'ifVersion'],
};

/** Refuses non-object options and unknown option names (a typo must not be silently ignored). */
export function checkOptions(opts: unknown, method: 'set' | 'delete' | 'update' | 'patch', field = 'options'): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValidationError(field, 'must be an object');
  const allowed = OPTION_KEYS[method] ?? [];
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ValidationError(`${field}.${k}`, `unknown option for ${method}`);
  }
  return opts as Record<string, unknown>;
}

/** `kv.patch`'s arguments checked, in the order both the embedded store and the remote client check them. */
export function checkPatchArgs(
  key: unknown,
  ops: unknown,
  options: unknown,
  keyField: string,
): { key: string; ops: readonly PatchOp[]; ttlMs: number | undefined; ifVersion: number | undefined } {
  const k = validateKey(key, keyField);
  const checked = checkPatchOps(ops);
  const o = checkOptions(options, 'patch');
  return { key: k, ops: checked, ttlMs: checkTtl(o.ttlMs), ifVersion: checkVersion(o.ifVersion) };
}

/** A set whose input is already validated: ready to run inside a write transaction. */
export interface PreparedSet {
  readonly key: string;
  readonly json: string;
  readonly ttlMs: number | undefined;
  readonly ifVersion: number | undefined;
}

/**
 * Validates one set. `field` prefixes the key and value names; `optionsField` names where the
 * options live (`options` for `set`, the entry itself for a `setMany` entry).
 */
export function prepareSet(ctx: KvContext, key: unknown, value: unknown, opts: unknown, field = '', optionsField = 'options'): PreparedSet {
  const o = checkOptions(opts, 'set', optionsField);
  return {
    key: validateKey(key, `${field}${ctx.keyField}`),
    json: serializeValue(value, ctx.maxValueBytes, `${field}value`, true),
    ttlMs: checkTtl(o.ttlMs, `${optionsField}.ttlMs`),
    ifVersion: checkVersion(o.ifVersion, `${optionsField}.ifVersion`),
  };
}

/**
 * Compare-and-set check against the visible record; absent counts as version 0. Without an
 * expected version there is nothing to check, so nothing is read.
 */
export function assertVersion(ctx: KvContext, tx: WriteTx, key: string, expected: number | undefined): void {
  if (expected === undefined) return;
  const actual = tx.getValue(ctx.ns, ctx.store, key)?.version ?? 0;
  if (actual !== expected) {
    ctx.counters(ctx.store).conflicts++;
    throw new ConflictError(key, expected, actual);
  }
}

export function applySet(ctx: KvContext, tx: WriteTx, p: PreparedSet): number {
  assertVersion(ctx, tx, p.key, p.ifVersion);
  const expiresAt = p.ttlMs === undefined ? null : tx.now + p.ttlMs;
  return tx.put(ctx.ns, ctx.store, p.key, p.json, { expiresAt });
}

/**
 * The read-modify-write step of `update`: `fn` sees a frozen copy of the current value and its
 * result is validated before anything is written. `ttlMs` omitted keeps the current expiry.
 */
export function applyUpdate<T>(
  ctx: KvContext,
  tx: WriteTx,
  key: string,
  fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
  ttlMs: number | undefined,
): UpdateResult<T> {
  const row = tx.getValue(ctx.ns, ctx.store, key);
  const current = row ? ctx.frozen.uncommitted<T>(row.version, row.value) : undefined;
  const next = fn(current);
  if (isThenable(next)) throw new ValidationError('fn', 'must be synchronous; it returned a promise (use locks for async work)');
  if (next === undefined) {
    if (row) tx.delete(ctx.ns, ctx.store, key);
    return { value: undefined, version: 0, json: '' };
  }
  const json = serializeValue(next, ctx.maxValueBytes, 'value returned by fn', true);
  const expiresAt = ttlMs !== undefined ? tx.now + ttlMs : (row?.expiresAt ?? null);
  const version = tx.put(ctx.ns, ctx.store, key, json, { expiresAt });
  return { value: parseFrozen<DeepReadonly<T>>(json), version, json };
}

/** What an update wrote: once its transaction has committed, `version` may be remembered. */
export interface UpdateResult<T> {
  readonly value: DeepReadonly<T> | undefined;
  /** 0 when the update deleted the record. */
  readonly version: number;
  readonly json: string;
}
