import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

/**
 * Serializes JSON with object keys sorted, so `{a:1,b:2}` and `{b:2,a:1}` give the same text.
 * The input must already be validated JSON (see serializeValue).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * SHA-256 (hex) of the canonical JSON of `v`: equal for equal JSON, whatever the key order.
 * `v` must be validated JSON; canonical text longer than `maxChars` is refused.
 */
export function hashJson(v: unknown, maxChars = Infinity, field = 'key'): string {
  const canonical = canonicalJson(v);
  if (canonical.length > maxChars) throw new ValidationError(field, `is over ${maxChars} characters of JSON`);
  return createHash('sha256').update(canonical).digest('hex');
}
