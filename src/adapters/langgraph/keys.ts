import { createHash } from 'node:crypto';
import type { KvStore } from '../../api/kv.js';
import { kvPages } from '../../util/kv-pages.js';

/**
 * A fixed-width digest of a caller's identifier. Thread ids, namespaces and task ids are arbitrary
 * strings; hashing them keeps every key under kv's 512-byte limit and free of separator clashes.
 * Records carry the original strings and readers compare them, so a collision can never mix data.
 */
export function digest(s: string, hexChars: number): string {
  return createHash('sha256').update(s, 'utf8').digest('hex').slice(0, hexChars);
}

/**
 * An order-reversing encoding: kv lists keys ascending, LangGraph lists checkpoints newest (largest
 * id) first. Each UTF-16 unit becomes 4 hex digits of its complement and `~` (above every hex digit)
 * ends the string, so a longer id sorts before its own prefix, as it does descending.
 */
export function descending(id: string): string {
  let out = '';
  for (let i = 0; i < id.length; i++) out += (0xffff - id.charCodeAt(i)).toString(16).padStart(4, '0');
  return `${out}~`;
}

/** Deletes every key under `prefix` whose record `doomed` picks, one transaction per page. */
export async function deleteWhere<T>(kv: KvStore, prefix: string, doomed: (value: T) => boolean): Promise<number> {
  let deleted = 0;
  for await (const page of kvPages<T>(kv, prefix)) {
    const keys = page.filter((e) => doomed(e.value as T)).map((e) => e.key);
    if (keys.length > 0) deleted += await kv.transaction((tx) => keys.filter((k) => tx.delete(k)).length);
  }
  return deleted;
}
