import { ValidationError } from '../errors.js';
import { typeName } from './keys.js';

export const MAX_NAMESPACE_DEPTH = 8;
export const MAX_NAMESPACE_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a namespace: segments of `[A-Za-z0-9._-]` joined by `/`, at most 8 deep.
 * `.` and `..` segments are refused so a namespace can never read like a relative path.
 */
export function validateNamespace(ns: unknown, field = 'namespace'): string {
  if (typeof ns !== 'string') throw new ValidationError(field, `must be a string, got ${typeName(ns)}`);
  if (ns.length === 0) throw new ValidationError(field, 'must not be empty');
  if (ns.length > MAX_NAMESPACE_LENGTH) throw new ValidationError(field, `must be at most ${MAX_NAMESPACE_LENGTH} characters`);
  const segments = ns.split('/');
  if (segments.length > MAX_NAMESPACE_DEPTH) {
    throw new ValidationError(field, `must be at most ${MAX_NAMESPACE_DEPTH} segments deep, got ${segments.length}`);
  }
  for (const s of segments) {
    if (s.length === 0) throw new ValidationError(field, 'must not contain empty segments');
    if (!SEGMENT.test(s)) throw new ValidationError(field, `segment "${s}" may only contain A-Z a-z 0-9 . _ -`);
    if (s === '.' || s === '..') throw new ValidationError(field, `segment "${s}" is not allowed`);
  }
  return ns;
}
