import { ValidationError } from '../errors.js';
import { validateKey } from '../values/keys.js';
import { MAX_PAGE_LIMIT } from '../values/limits.js';

export function checkListOptions(options: unknown): { prefix: string; limit: number; cursor: string | undefined } {
  if (options === undefined) return { prefix: '', limit: 100, cursor: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValidationError('options', 'must be an object');
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['prefix', 'limit', 'cursor'].includes(k)) throw new ValidationError(`options.${k}`, 'unknown option for list');
  }
  if (o.prefix !== undefined && o.prefix !== '') validateKey(o.prefix, 'options.prefix');
  if (o.limit !== undefined && (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1 || o.limit > MAX_PAGE_LIMIT)) {
    throw new ValidationError('options.limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  if (o.cursor !== undefined && typeof o.cursor !== 'string') throw new ValidationError('options.cursor', 'must be a string from a previous page');
  return { prefix: (o.prefix as string | undefined) ?? '', limit: o.limit ?? 100, cursor: o.cursor };
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || encodeCursor(key) !== cursor) throw new ValidationError('options.cursor', 'is not a cursor returned by list');
  // Only a valid key can be a cursor: anything else was forged.
  return validateKey(key, 'options.cursor');
}
