import type { KvEntry, KvStore } from '../api/kv.js';

/**
 * The entries of `kv` under `prefix`, a page at a time, so memory stays one page however many
 * there are. The cursor is the last key read, so deleting what a page holds does not skip anything.
 */
export async function* kvPages<T>(kv: KvStore, prefix: string, pageSize = 1000): AsyncGenerator<KvEntry<T>[]> {
  let cursor: string | undefined;
  do {
    const page = await kv.list<T>({ prefix, limit: pageSize, ...(cursor ? { cursor } : {}) });
    if (page.items.length > 0) yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** The entries of `kv` under `prefix`, one by one (read a page at a time). */
export async function* kvEntries<T>(kv: KvStore, prefix: string, pageSize = 1000): AsyncGenerator<KvEntry<T>> {
  for await (const page of kvPages<T>(kv, prefix, pageSize)) yield* page;
}
