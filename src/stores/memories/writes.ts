import type { FactSource } from '../../api/memories.js';
import type { WriteTx } from '../../engine/types.js';
import { ConflictError, LimitError, ValidationError } from '../../errors.js';
import { MEMORIES, MEMORY_DOCS, MEMORY_HISTORY, MEMORY_VERSIONS } from '../names.js';
import { writeDocs } from '../vectors/vectors.js';
import {
  docKey,
  FACT_DOCS,
  FACT_VERSIONS,
  historyKey,
  readDoc,
  readFact,
  readHistory,
  type DocMeta,
  type FactRecord,
  type HistoryRecord,
} from './records.js';

/** Versions one fact may have: its history is bounded like every collection. */
export const MAX_FACT_VERSIONS = 10_000;

/** A fact to write, validated, with its vector. */
export interface NewFact {
  readonly text: string;
  readonly vector: Float32Array;
  readonly subject?: string | undefined;
  readonly validFrom?: number | undefined;
  readonly validTo?: number | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
}

/** Writes version `n` of a fact: its record, its searchable document and its history entry. */
function writeVersion(
  tx: WriteTx,
  ns: string,
  id: string,
  rec: FactRecord,
  vector: Float32Array,
  h: Omit<HistoryRecord, 'version' | 'text' | 'at' | 'validFrom' | 'validTo'>,
): number {
  const version = tx.put(ns, MEMORIES, id, JSON.stringify(rec), { expiresAt: null });
  const meta: DocMeta = { m: rec.metadata, rec: tx.now, ver: version };
  if (rec.invalidatedAt !== null) meta.inv = rec.invalidatedAt;
  if (rec.validFrom !== null) meta.vf = rec.validFrom;
  if (rec.validTo !== null) meta.vt = rec.validTo;
  const metadata = meta as unknown as Record<string, unknown>;
  writeDocs(ns, tx, [{ id: docKey(id, rec.n), text: rec.text, metadata, vector }], FACT_VERSIONS);
  if (rec.invalidatedAt === null) writeDocs(ns, tx, [{ id, text: rec.text, metadata, vector }], FACT_DOCS);
  else tx.delete(ns, MEMORY_DOCS, id);
  const entry: HistoryRecord = { ...h, version, text: rec.text, at: tx.now, validFrom: rec.validFrom, validTo: rec.validTo };
  tx.put(ns, MEMORY_HISTORY, historyKey(id, rec.n), JSON.stringify(entry), { expiresAt: null });
  return version;
}

/** Adds a new fact (version 1). */
export function addFactInTx(tx: WriteTx, ns: string, id: string, f: NewFact, source: FactSource): number {
  const rec: FactRecord = {
    text: f.text,
    subject: f.subject ?? null,
    metadata: f.metadata ?? {},
    validFrom: f.validFrom ?? null,
    validTo: f.validTo ?? null,
    recordedAt: tx.now,
    updatedAt: tx.now,
    invalidatedAt: null,
    deletedAt: null,
    n: 1,
  };
  return writeVersion(tx, ns, id, rec, f.vector, { op: 'added', reason: null, source });
}

/** A change to a known fact: a new text (`updated`), or the end of its validity (`invalidated`). */
export type Revision =
  { readonly op: 'updated'; readonly text: string; readonly vector: Float32Array } | { readonly op: 'invalidated'; readonly validTo: number };

/**
 * Writes a new version of fact `id`: the current version's document is marked superseded (so
 * `asOf` still finds it for the times it was current), the new one is indexed, the history grows.
 * `ifVersion` is checked here, inside the transaction. Throws ValidationError for an unknown or
 * deleted fact.
 */
export function reviseInTx(
  tx: WriteTx,
  ns: string,
  id: string,
  change: Revision,
  opts: { ifVersion?: number | undefined; reason?: string | undefined },
  source: FactSource,
): number {
  const cur = readFact(tx, ns, id);
  if (opts.ifVersion !== undefined && (cur?.version ?? 0) !== opts.ifVersion) throw new ConflictError(id, opts.ifVersion, cur?.version ?? 0);
  if (!cur || cur.rec.text === null) throw new ValidationError('id', `no fact "${id}"${cur ? ' (it was deleted)' : ''}`);
  if (cur.rec.n >= MAX_FACT_VERSIONS) throw new LimitError(`fact "${id}" has ${MAX_FACT_VERSIONS} versions, the most one fact keeps`);
  const old = readDoc(tx, ns, id, cur.rec.n);
  if (!old) throw new Error(`fact ${id} has no document for version ${cur.rec.n}`);
  tx.put(ns, MEMORY_VERSIONS, docKey(id, cur.rec.n), JSON.stringify({ ...old.doc, metadata: { ...old.meta, sup: tx.now } }), { expiresAt: null });
  tx.setText(ns, MEMORY_VERSIONS, docKey(id, cur.rec.n), old.doc.text);
  const rec: FactRecord = { ...cur.rec, updatedAt: tx.now, n: cur.rec.n + 1 };
  let vector: Float32Array;
  if (change.op === 'updated') {
    rec.text = change.text;
    vector = change.vector;
  } else {
    rec.invalidatedAt = tx.now;
    rec.validTo = rec.validFrom !== null && change.validTo < rec.validFrom ? rec.validFrom : change.validTo;
    vector = old.vector();
  }
  return writeVersion(tx, ns, id, rec, vector, { op: change.op, reason: opts.reason ?? null, source });
}

/**
 * Erases a fact: every version's document goes, every history entry loses its text, and the
 * record becomes a tombstone (so the id is never reused and `history` shows the deletion).
 */
export function deleteInTx(tx: WriteTx, ns: string, id: string, source: FactSource): boolean {
  const cur = readFact(tx, ns, id);
  if (!cur || cur.rec.text === null) return false;
  for (let n = 1; n <= cur.rec.n; n++) tx.delete(ns, MEMORY_VERSIONS, docKey(id, n));
  tx.delete(ns, MEMORY_DOCS, id);
  for (const [i, h] of readHistory(tx, ns, id).entries()) {
    tx.put(ns, MEMORY_HISTORY, historyKey(id, i + 1), JSON.stringify({ ...h, text: null }), { expiresAt: null });
  }
  const rec: FactRecord = { ...cur.rec, text: null, metadata: {}, subject: null, deletedAt: tx.now, updatedAt: tx.now, n: cur.rec.n + 1 };
  const version = tx.put(ns, MEMORIES, id, JSON.stringify(rec), { expiresAt: null });
  const entry: HistoryRecord = { op: 'deleted', text: null, at: tx.now, reason: null, validFrom: null, validTo: null, version, source };
  tx.put(ns, MEMORY_HISTORY, historyKey(id, rec.n), JSON.stringify(entry), { expiresAt: null });
  return true;
}
