import { ValidationError } from '../errors.js';

/** Longest key accepted, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;

/**
 * Checks a record key: a non-empty, well-formed string of at most 512 UTF-8 bytes with no NUL.
 * Lone surrogates are rejected because they would encode to the same UTF-8 bytes as U+FFFD
 * and two different keys would collide in storage.
 */
export function validateKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string') throw new ValidationError(field, `must be a string, got ${typeName(key)}`);
  if (key.length === 0) throw new ValidationError(field, 'must not be empty');
  if (key.includes('\0')) throw new ValidationError(field, 'must not contain NUL characters');
  if (!key.isWellFormed()) throw new ValidationError(field, 'must not contain lone surrogates');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw new ValidationError(field, `must be at most ${MAX_KEY_BYTES} UTF-8 bytes, got ${bytes}`);
  return key;
}

/** A short description of a value's type for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    return proto === null || proto === Object.prototype ? 'object' : (proto.constructor?.name ?? 'object');
  }
  return typeof v;
}
