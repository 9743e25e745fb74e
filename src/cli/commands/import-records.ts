import { randomBytes } from 'node:crypto';
import { MemexError, ValidationError } from '../../errors.js';
import type { Engine, RecordRow, WriteTx } from '../../engine/types.js';
import { CACHE, CACHE_ERRORS, CACHE_META, LOCKS, THREADS } from '../../stores/names.js';
import { FACT_DOCS, FACT_VERSIONS } from '../../stores/memories/records.js';
import { VECTOR_DOCS, type DocStores } from '../../stores/vectors/doc-stores.js';
import { decodeVector } from '../../stores/vectors/doc.js';
import type { ImportLine } from './import-line.js';

/** What to do with a record whose key the target holds already with another value. */
export type OnConflict = 'skip' | 'replace' | 'fail';

/** What one batch did; `unchanged` counts records the target held already with the same value. */
export interface BatchResult {
  imported: number;
  replaced: number;
  unchanged: number;
  skipped: number;
  /** Past their expiry at import time, or kept by the stores for live processes only (locks). */
  dropped: number;
}

/**
 * Stores whose records are not copied: a lease belongs to a live process of the source, a cache
 * error to callers waiting there, and the cache's size record is re-derived from its entries.
 */
const NOT_COPIED = new Set([LOCKS, CACHE_ERRORS, CACHE_META]);

/** The searchable collections: their documents are checked and indexed for full text as their stores do. */
const COLLECTIONS: readonly DocStores[] = [VECTOR_DOCS, FACT_DOCS, FACT_VERSIONS];
const collectionOf = (store: string) => COLLECTIONS.find((c) => c.docs === store);
const isMeta = (store: string) => COLLECTIONS.some((c) => c.meta === store);

const sameRecord = (row: RecordRow, value: string, line: ImportLine) =>
  row.expiresAt === line.expiresAt && JSON.stringify(JSON.parse(row.value)) === value;

/**
 * Writes one batch of lines in one transaction: all of it or none. What the stores keep beside
 * their records is derived again here, as their own writes would: the full-text entry of each
 * vector document, the rank of each thread (a new version, in the order the export gave), and the
 * cache's size record of each namespace it touched. `vectors.meta` of a collection that exists
 * is the target's own (its dimension and the id naming its saved index) and is never replaced.
 */
export function importBatch(engine: Engine, lines: readonly ImportLine[], onConflict: OnConflict): Promise<BatchResult> {
  return engine.write((tx) => {
    const r: BatchResult = { imported: 0, replaced: 0, unchanged: 0, skipped: 0, dropped: 0 };
    const existing = existingRows(tx, lines);
    const cacheNamespaces = new Set<string>();
    const vectors = new Collections(tx);
    for (const line of lines) {
      if (NOT_COPIED.has(line.store) || (line.expiresAt !== null && line.expiresAt <= tx.now)) {
        r.dropped++;
        continue;
      }
      const value = JSON.stringify(line.value);
      const row = existing.get(id(line));
      if (row && sameRecord(row, value, line)) {
        r.unchanged++;
        continue;
      }
      if (row && (onConflict === 'skip' || isMeta(line.store))) {
        r.skipped++;
        continue;
      }
      if (row && onConflict === 'fail') {
        const what = `${line.ns}/${line.store}/${JSON.stringify(line.key)}`;
        throw new MemexError('version_conflict', `line ${line.lineNo}: ${what} exists with another value (--on-conflict fail)`);
      }
      const collection = collectionOf(line.store);
      if (collection) vectors.check(line, collection);
      const rank = line.store === THREADS ? 'version' : line.rank;
      tx.put(line.ns, line.store, line.key, value, { expiresAt: line.expiresAt, rank });
      if (collection) tx.setText(line.ns, collection.docs, line.key, textOf(line.value));
      if (line.store === CACHE) cacheNamespaces.add(line.ns);
      if (row) r.replaced++;
      else r.imported++;
    }
    if (cacheNamespaces.size > 0) resyncCacheSize(tx, cacheNamespaces);
    return r;
  });
}

const id = (l: { ns: string; store: string; key: string }) => `${l.ns}\u0000${l.store}\u0000${l.key}`;

/**
 * The target's records for the batch's keys. An export is in key order per store, so each group
 * of the batch is read with one range scan; a range that holds many more of the target's own
 * records than the batch falls back to one read per key.
 */
function existingRows(tx: WriteTx, lines: readonly ImportLine[]): Map<string, RecordRow> {
  const groups = new Map<string, ImportLine[]>();
  for (const l of lines) {
    const g = `${l.ns}\u0000${l.store}`;
    const group = groups.get(g);
    if (group) group.push(l);
    else groups.set(g, [l]);
  }
  const found = new Map<string, RecordRow>();
  for (const group of groups.values()) {
    const { ns, store } = group[0]!;
    const keys = group.map((l) => l.key).sort();
    const first = keys[0]!;
    const last = keys[keys.length - 1]!;
    const limit = group.length * 4 + 16;
    const head = tx.get(ns, store, first);
    const rows = tx.scan(ns, store, { after: first, before: `${last}\u0000`, limit });
    if (rows.length < limit) {
      for (const row of head ? [head, ...rows] : rows) found.set(id({ ns, store, key: row.key }), row);
    } else {
      for (const key of keys) {
        const row = tx.get(ns, store, key);
        if (row) found.set(id({ ns, store, key }), row);
      }
    }
  }
  return found;
}

const textOf = (value: unknown): string | null => {
  const text = (value as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : null;
};

/** The cache's size record of each namespace, from its entries (as `sweep` re-derives it). */
function resyncCacheSize(tx: WriteTx, namespaces: ReadonlySet<string>): void {
  for (const s of tx.sizes(CACHE)) {
    if (namespaces.has(s.ns)) tx.put(s.ns, CACHE_META, 'size', JSON.stringify({ count: s.count, bytes: s.bytes }), { expiresAt: null });
  }
}

/**
 * The fixed dimension of each vector collection the batch writes into. A document of another
 * dimension is refused (the whole batch with it); a collection the target does not have yet is
 * created as `upsert` would, unless the export's own `vectors.meta` records come first.
 */
class Collections {
  private readonly dims = new Map<string, number>();
  constructor(private readonly tx: WriteTx) {}

  check(line: ImportLine, c: DocStores): void {
    const v = (line.value as { v?: unknown } | null)?.v;
    if (typeof v !== 'string') throw new ValidationError(`line ${line.lineNo}: value.v`, `must be the base64 vector of a ${c.docs} record`);
    const dim = decodeVector(v).length;
    const at = `${c.docs}\u0000${line.ns}`;
    const known = this.dims.get(at) ?? this.stored(line.ns, c);
    if (known === undefined) {
      this.tx.put(line.ns, c.meta, 'dimension', JSON.stringify(dim), { expiresAt: null });
      this.tx.put(line.ns, c.meta, 'id', JSON.stringify(randomBytes(8).toString('hex')), { expiresAt: null });
    } else if (known !== dim) {
      throw new ValidationError(`line ${line.lineNo}: value.v`, `namespace ${line.ns} holds ${known}-dimensional vectors, this one has ${dim}`);
    }
    this.dims.set(at, dim);
  }

  private stored(ns: string, c: DocStores): number | undefined {
    const row = this.tx.get(ns, c.meta, 'dimension');
    return row ? (JSON.parse(row.value) as number) : undefined;
  }
}
