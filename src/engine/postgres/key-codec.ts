/**
 * PostgreSQL text cannot hold U+0000, which Memex's own keys use as a separator (a thread's
 * messages are `thread \0 seq`). Keys are stored with an escape that keeps their order and their
 * prefixes: U+0000 -> U+0001 U+0001, U+0001 -> U+0001 U+0002, everything else unchanged. Both
 * codes start with U+0001, below every other character, and differ in their second one, so
 * comparing encoded keys in code point order ("C" collation) gives the order of the keys, and
 * `k` starts with `p` exactly when `encode(k)` starts with `encode(p)`.
 */
/* eslint-disable no-control-regex -- the control characters are the point of this file */
const NEEDS_ENCODING = /[\u0000\u0001]/;

export function encodeKey(key: string): string {
  return NEEDS_ENCODING.test(key) ? key.replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u0001\u0001' : '\u0001\u0002')) : key;
}

export function decodeKey(stored: string): string {
  return stored.includes('\u0001') ? stored.replace(/\u0001([\u0001\u0002])/g, (_, c: string) => (c === '\u0001' ? '\u0000' : '\u0001')) : stored;
}

/** Decodes the `key` of every row in place (rows come fresh from the driver thread). */
export function decodeRows<T extends { key: string | null }>(rows: T[]): T[] {
  for (const r of rows) if (r.key !== null && r.key.includes('\u0001')) r.key = decodeKey(r.key);
  return rows;
}
