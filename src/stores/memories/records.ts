import { randomBytes } from 'node:crypto';
import type { Fact, FactSource, FactVersion } from '../../api/memories.js';
import type { ReadTx } from '../../engine/types.js';
import { deepFreeze } from '../../values/freeze.js';
import { MEMORIES, MEMORY_DOCS, MEMORY_DOCS_META, MEMORY_HISTORY, MEMORY_VERSIONS, MEMORY_VERSIONS_META } from '../names.js';
import type { DocStores } from '../vectors/doc-stores.js';
import { decodeVector, type DocRecord } from '../vectors/doc.js';

/**
 * Two searchable collections, each searched by the vectors' index: the believed facts (one document
 * per fact, its current version; none once invalid or deleted), which consolidation and a default
 * search use without any filter — so the graph answers them as the store grows — and every version
 * of every fact, which time-travel searches filter by their times.
 */
export const FACT_DOCS: DocStores = Object.freeze({ docs: MEMORY_DOCS, meta: MEMORY_DOCS_META });
export const FACT_VERSIONS: DocStores = Object.freeze({ docs: MEMORY_VERSIONS, meta: MEMORY_VERSIONS_META });

/** What a fact's record holds: its current state (a tombstone, `text: null`, once deleted). */
export interface FactRecord {
  text: string | null;
  subject: string | null;
  metadata: Record<string, unknown>;
  validFrom: number | null;
  validTo: number | null;
  recordedAt: number;
  updatedAt: number;
  invalidatedAt: number | null;
  deletedAt: number | null;
  /** Versions written so far: the current searchable version is `<id>#<n>`. */
  n: number;
}

/**
 * What the index keeps of one version, as its document's metadata: the fact's own metadata under
 * `m` (the caller's filter is moved there), and the times the search's filters test: `rec` when
 * this version was recorded, `sup` when a later version superseded it, `inv` when the fact was
 * marked invalid, `vf`/`vt` its validity in the world, `ver` the fact's version it was.
 */
export interface DocMeta {
  m: Record<string, unknown>;
  rec: number;
  ver: number;
  sup?: number;
  inv?: number;
  vf?: number;
  vt?: number;
}

/** One entry of a fact's history. */
export interface HistoryRecord {
  op: FactVersion['op'];
  text: string | null;
  at: number;
  reason: string | null;
  validFrom: number | null;
  validTo: number | null;
  version: number;
  source: FactSource;
}

/** A new fact id: time-ordered (so `list` is roughly in order of creation), then random. */
export const newFactId = (): string => `f${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;

export const docKey = (id: string, n: number): string => `${id}#${n}`;
export const historyKey = (id: string, n: number): string => `${id}#${String(n).padStart(6, '0')}`;
/** The fact a document (or history entry) key belongs to. */
export const factOfKey = (key: string): string => key.slice(0, key.lastIndexOf('#'));

export const readFact = (tx: ReadTx, ns: string, id: string): { rec: FactRecord; version: number } | undefined => {
  const row = tx.get(ns, MEMORIES, id);
  return row ? { rec: JSON.parse(row.value) as FactRecord, version: row.version } : undefined;
};

/** The current version's document of a live fact (its vector and search metadata). */
export const readDoc = (tx: ReadTx, ns: string, id: string, n: number): { doc: DocRecord; meta: DocMeta; vector: () => Float32Array } | undefined => {
  const row = tx.get(ns, MEMORY_VERSIONS, docKey(id, n));
  if (!row) return undefined;
  const doc = JSON.parse(row.value) as DocRecord;
  return { doc, meta: doc.metadata as unknown as DocMeta, vector: () => decodeVector(doc.v) };
};

/** The public view of a fact record (deeply frozen); `undefined` for a tombstone. */
export function toFact(id: string, version: number, r: FactRecord): Fact | undefined {
  if (r.text === null) return undefined;
  return deepFreeze({
    id,
    text: r.text,
    subject: r.subject,
    version,
    validFrom: r.validFrom,
    validTo: r.validTo,
    recordedAt: r.recordedAt,
    updatedAt: r.updatedAt,
    invalidatedAt: r.invalidatedAt,
    metadata: r.metadata,
  });
}

/** The public view of a history entry. */
export const toVersion = (h: HistoryRecord): FactVersion =>
  deepFreeze({
    version: h.version,
    op: h.op,
    text: h.text,
    at: h.at,
    reason: h.reason,
    validFrom: h.validFrom,
    validTo: h.validTo,
    source: h.source,
  });

export const readHistory = (tx: ReadTx, ns: string, id: string): HistoryRecord[] =>
  tx.scan(ns, MEMORY_HISTORY, { prefix: `${id}#`, limit: 100_000 }).map((r) => JSON.parse(r.value) as HistoryRecord);
