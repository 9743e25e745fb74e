import { ValidationError } from '../errors.js';
import { typeName } from './keys.js';
import { isStorableTyped, TYPED_TAG, typedReplacer } from './typed.js';

/** Default largest serialized value: 1 MiB of UTF-8 JSON. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
/** Deeper documents are refused: recursion in parsers and freezers must stay bounded. */
export const MAX_DEPTH = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Validates that `value` is plain JSON and returns its serialized form.
 *
 * Refused (fail closed, CWE-1321 included): functions, symbols, BigInt, NaN/Infinity,
 * cycles, non-plain objects (Date, Map, class instances…), `undefined` at the top or inside
 * arrays, sparse arrays, the keys `__proto__`/`constructor`/`prototype`, accessor properties,
 * and anything larger than `maxBytes`. `undefined` object properties are dropped, as JSON does.
 */
export function serializeValue(value: unknown, maxBytes: number, field = 'value', typedArrays = false): string {
  if (value === undefined) throw new ValidationError(field, 'must not be undefined (use delete to remove a record)');
  const found = { typed: false };
  check(value, field, new Set<object>(), 0, typedArrays ? found : undefined);
  const json = found.typed ? JSON.stringify(value, typedReplacer) : JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) throw new ValidationError(field, `is ${bytes} bytes of JSON, over the limit of ${maxBytes}`);
  return json;
}

/** The checks of {@link serializeValue} without serializing (for values that are only hashed). */
export function validateJson(value: unknown, field = 'value'): void {
  if (value === undefined) throw new ValidationError(field, 'must not be undefined (use delete to remove a record)');
  check(value, field, new Set<object>(), 0);
}

/**
 * `typed`: where typed arrays are accepted (kv, cache and profile values), the flag to set when one
 * is found; elsewhere they are refused like any other non-plain object.
 */
function check(v: unknown, path: string, seen: Set<object>, depth: number, typed?: { typed: boolean }): void {
  switch (typeof v) {
    case 'string':
      if (!v.isWellFormed()) throw new ValidationError(path, 'string contains lone surrogates');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new ValidationError(path, `number must be finite, got ${String(v)}`);
      return;
    case 'object':
      break;
    default:
      throw new ValidationError(path, `${typeof v} is not a JSON value`);
  }
  if (v === null) return;
  if (typed && isStorableTyped(v)) {
    if (v instanceof Float32Array || v instanceof Float64Array)
      for (let i = 0; i < v.length; i++)
        if (!Number.isFinite(v[i])) throw new ValidationError(`${path}[${i}]`, `number must be finite, got ${String(v[i])}`);
    typed.typed = true;
    return;
  }
  if (depth >= MAX_DEPTH) throw new ValidationError(path, `nesting deeper than ${MAX_DEPTH} levels`);
  if (seen.has(v)) throw new ValidationError(path, 'contains a cycle');
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw new ValidationError(`${path}[${i}]`, 'sparse array hole is not JSON');
      const item: unknown = v[i];
      if (item === undefined) throw new ValidationError(`${path}[${i}]`, 'undefined inside an array is not JSON');
      check(item, `${path}[${i}]`, seen, depth + 1, typed);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const hint = ArrayBuffer.isView(v) ? ' (typed arrays are accepted in kv, cache and profile values, and as vectors)' : '';
      throw new ValidationError(path, `${typeName(v)} is not a plain object${hint}`);
    }
    if (Object.getOwnPropertySymbols(v).length > 0) throw new ValidationError(path, 'symbol keys are not JSON');
    for (const k of Object.getOwnPropertyNames(v)) {
      const sub = `${path}.${k}`;
      if (FORBIDDEN_KEYS.has(k)) throw new ValidationError(sub, `the key "${k}" is forbidden (prototype pollution)`);
      if (k === TYPED_TAG) throw new ValidationError(sub, `the key "${k}" is reserved (it marks a stored typed array)`);
      const desc = Object.getOwnPropertyDescriptor(v, k);
      if (!desc || !desc.enumerable) throw new ValidationError(sub, 'non-enumerable properties are not JSON');
      if (desc.get || desc.set) throw new ValidationError(sub, 'accessor properties are not allowed');
      if (!k.isWellFormed()) throw new ValidationError(sub, 'key contains lone surrogates');
      if (desc.value === undefined) continue;
      check(desc.value, sub, seen, depth + 1, typed);
    }
  }
  seen.delete(v);
}
