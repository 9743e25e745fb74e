import type { HealthCheck } from '../../engine/types.js';
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import type { ReadTx, WriteTx } from '../../engine/types.js';
import { deepFreeze } from '../../values/freeze.js';
import { validateKey } from '../../values/keys.js';
import type { StoreContext } from '../context.js';
import { checkDoc, decodeVector, encodeVector, type DocRecord, type StoredDoc, type VectorDoc } from './doc.js';
import { VECTORS } from '../names.js';
import { VECTOR_DOCS, type DocStores } from './doc-stores.js';
import { parseFilter } from './filter.js';
import { VectorIndex, type Ranked } from './vector-index.js';
import { checkSearch, fuse, type CheckedSearch, type SearchHit, type SearchOptions } from './search-options.js';
import type { VectorsStore } from '../../api/vectors.js';
import { storeModule } from '../module.js';
import { MAX_VECTOR_BATCH } from '../../values/limits.js';

/** What the vector store needs of an embedder (see src/embed). */
export interface EmbedderLike {
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** A document ready to write: validated, with its vector. */
export interface PreparedDoc {
  readonly id: string;
  readonly text: string | null;
  readonly metadata: Record<string, unknown>;
  readonly vector: Float32Array;
}

/**
 * Writes prepared documents inside a write transaction: checks the collection's fixed dimension,
 * stores each record and indexes its text. Shared by `upsert` and `remember`.
 */
export function writeDocs(ns: string, tx: WriteTx, docs: readonly PreparedDoc[], names: DocStores = VECTOR_DOCS): void {
  const metaRow = tx.get(ns, names.meta, 'dimension');
  let dimension = metaRow ? (JSON.parse(metaRow.value) as number) : undefined;
  for (const [i, d] of docs.entries()) {
    dimension ??= d.vector.length;
    if (d.vector.length !== dimension) {
      throw new ValidationError(`docs[${i}].vector`, `this collection holds ${dimension}-dimensional vectors, got ${d.vector.length}`);
    }
    const rec: DocRecord = { text: d.text, metadata: d.metadata, v: encodeVector(d.vector) };
    tx.put(ns, names.docs, d.id, JSON.stringify(rec), { expiresAt: null });
    tx.setText(ns, names.docs, d.id, d.text);
  }
  if (!metaRow && dimension !== undefined) {
    tx.put(ns, names.meta, 'dimension', JSON.stringify(dimension), { expiresAt: null });
    // Names this collection, so a saved index is never loaded for another database at the same path.
    tx.put(ns, names.meta, 'id', JSON.stringify(randomBytes(8).toString('hex')), { expiresAt: null });
  }
}

/** A typed array cannot be frozen; the vector is a fresh copy, so changing it reaches nothing. */
const toStored = (id: string, value: string): StoredDoc => {
  const r = JSON.parse(value) as DocRecord;
  return Object.freeze({ id, text: r.text, metadata: deepFreeze(r.metadata), vector: decodeVector(r.v) });
};

/**
 * Semantic memory: documents with text, vector and metadata; vector, full-text and hybrid search
 * with JSON metadata filters. The records are the truth; the search index is derived from them
 * and caught up before every search, so a deleted or replaced document never appears in results.
 *
 * @example
 * ```ts
 * await mx.vectors.upsert({ id: 'doc-1', text: 'Python tips', metadata: { type: 'doc' } });
 * const hits = await mx.vectors.search({ text: 'python programming', topK: 5, filter: { type: 'doc' } });
 * ```
 */
export class Vectors implements VectorsStore {
  private readonly index: VectorIndex;

  constructor(
    private readonly ctx: StoreContext,
    private readonly embedder: EmbedderLike,
  ) {
    this.index = new VectorIndex(ctx.ns, ctx.engine.derivedPath('vectors'), ctx.counters(VECTORS));
  }

  /**
   * Inserts or replaces documents; a batch is all or nothing. Texts without a vector are embedded
   * first (outside the transaction).
   * @example
   * ```ts
   * await mx.vectors.upsert([{ id: 'a', text: 'first' }, { id: 'b', vector: myVector, metadata: { n: 2 } }]);
   * ```
   */
  async upsert(docs: VectorDoc | readonly VectorDoc[]): Promise<{ upserted: number }> {
    const prepared = await this.prepare(Array.isArray(docs) ? (docs as readonly VectorDoc[]) : [docs as VectorDoc], Array.isArray(docs));
    await this.ctx.engine.write((tx) => writeDocs(this.ctx.ns, tx, prepared));
    this.ctx.counters(VECTORS).writes += prepared.length;
    return { upserted: prepared.length };
  }

  /** Validates documents and embeds the texts that came without a vector. */
  async prepare(docs: readonly VectorDoc[], batch = true): Promise<PreparedDoc[]> {
    if (docs.length === 0 || docs.length > MAX_VECTOR_BATCH) throw new ValidationError('docs', `must hold 1..${MAX_VECTOR_BATCH} documents`);
    const checked = [];
    const seen = new Set<string>();
    for (let i = 0; i < docs.length; i++) {
      const d = checkDoc(docs[i], batch ? `docs[${i}]` : 'doc');
      if (seen.has(d.id)) throw new ValidationError(`docs[${i}].id`, `duplicate id "${d.id}" in one batch`);
      seen.add(d.id);
      checked.push(d);
    }
    const missing = checked.filter((d) => d.vector === undefined);
    if (missing.length > 0) {
      const vectors = await this.embedder.embed(missing.map((d) => d.text ?? ''));
      missing.forEach((d, i) => (d.vector = vectors[i]));
    }
    return checked.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata, vector: d.vector! }));
  }

  /** The document (deeply frozen, vector included), or `undefined`. */
  async get(id: string): Promise<StoredDoc | undefined> {
    const key = validateKey(id, 'id');
    this.ctx.counters(VECTORS).reads++;
    const row = await this.ctx.engine.read((tx) => tx.get(this.ctx.ns, VECTORS, key));
    return row ? toStored(key, row.value) : undefined;
  }

  /** Removes a document; resolves whether it existed. */
  async delete(id: string): Promise<boolean> {
    const key = validateKey(id, 'id');
    const existed = await this.ctx.engine.write((tx) => tx.delete(this.ctx.ns, VECTORS, key));
    this.ctx.counters(VECTORS).writes++;
    return existed;
  }

  /**
   * How many documents match `filter` (all when omitted).
   * @example
   * ```ts
   * const docs = await mx.vectors.count({ type: 'doc' });
   * ```
   */
  async count(filter?: Record<string, unknown>): Promise<number> {
    const f = filter === undefined ? undefined : parseFilter(filter, 'filter');
    return this.ctx.engine.read((tx) => tx.countWhere(this.ctx.ns, VECTORS, f));
  }

  /**
   * Removes every document matching `filter` in one transaction.
   * @example
   * ```ts
   * const { deleted, total } = await mx.vectors.deleteWhere({ userId: 'u42' });
   * ```
   */
  async deleteWhere(filter: Record<string, unknown>): Promise<{ deleted: number; total: number }> {
    const f = parseFilter(filter, 'filter');
    const out = await this.ctx.engine.write((tx) => ({
      deleted: tx.deleteWhere(this.ctx.ns, VECTORS, f),
      total: tx.countWhere(this.ctx.ns, VECTORS, undefined),
    }));
    this.ctx.counters(VECTORS).writes++;
    return out;
  }

  /**
   * Vector (cosine), full-text (BM25) or hybrid (reciprocal rank fusion) search, best first.
   * @example
   * ```ts
   * const hits = await mx.vectors.search({ text: 'refund policy', mode: 'hybrid', topK: 5, filter: { lang: 'en' } });
   * ```
   */
  async search(query: SearchOptions): Promise<SearchHit[]> {
    const q = checkSearch(query);
    if (q.mode !== 'vector' && !this.ctx.engine.capabilities.fullText) {
      throw new ValidationError(
        'query.mode',
        `'${q.mode}' needs full-text search, which this engine (${this.ctx.engine.kind}) does not have; use mode 'vector'`,
      );
    }
    let qv = q.vector;
    if (q.mode !== 'text' && qv === undefined) qv = (await this.embedder.embed([q.text ?? '']))[0];
    this.ctx.counters(VECTORS).reads++;
    // Vector mode needs no transaction when the index already covers the latest write: it then
    // is the snapshot (one cheap read to check). Otherwise catch up inside a snapshot.
    const current = q.mode === 'vector' && qv !== undefined && (await this.ctx.engine.read((tx) => this.index.isCurrent(tx)));
    const hits =
      current && qv
        ? this.hits(undefined, this.vectorRank(qv, q, q.topK), q.minScore, q.topK, true)
        : await this.ctx.engine.snapshot((tx) => this.searchIn(tx, q, qv));
    // Saving (when enough changed) happens after the answer, not inside the read snapshot; most
    // searches have nothing to save and schedule nothing.
    if (this.index.saveDue()) setImmediate(() => this.index.persist());
    return hits;
  }

  /**
   * Resolves once the search index is complete: caught up with the records, and any graph being
   * built on a worker thread installed (from 20,000 documents the graph is built there while
   * searches scan exactly, so nothing else waits). Useful after a bulk load, before latency matters.
   * @example
   * ```ts
   * await mx.vectors.upsert(manyDocs);
   * await mx.vectors.waitForIndex();
   * ```
   */
  async waitForIndex(): Promise<void> {
    await this.ctx.engine.snapshot((tx) => this.index.catchUp(tx));
    await this.index.graphSettled();
  }

  /**
   * How far this process's search index trails the change feed (it catches up at the next
   * search, so a lag is normal between searches; it is reported, not judged). Nothing before the
   * index is first built (at the first search of the namespace).
   */
  indexHealth(lastSeq: number): HealthCheck | undefined {
    const { seq, docs, unsaved, lastSave, discarded } = this.index.state();
    if (seq < 0) return undefined;
    // A damaged saved index is a warning until a save replaces it: the disk behind it needs a look.
    const damaged = discarded?.corrupt === true && (!lastSave?.ok || lastSave.at < discarded.at);
    const loaded = discarded ? `; the saved index was not used (${discarded.reason}) and was rebuilt from the records` : '';
    const save = !lastSave
      ? 'not saved yet'
      : lastSave.ok
        ? `saved at ${new Date(lastSave.at).toISOString()} (seq ${lastSave.seq})`
        : `last save FAILED at ${new Date(lastSave.at).toISOString()}: ${lastSave.error ?? 'unknown error'} (the records are intact; a reopen rebuilds the index)`;
    return {
      name: `vectors index (${this.ctx.ns})`,
      // Not ok while saves fail: the index itself is derived, but the disk or permission behind it needs a look.
      ok: lastSave?.ok !== false && !damaged,
      detail: `${docs} documents, covers seq ${seq}, ${Math.max(0, lastSeq - seq)} events behind the feed; ${unsaved} changes unsaved; ${save}${loaded}`,
      value: Math.max(0, lastSeq - seq),
    };
  }

  /** Saves the derived index so the next open need not rebuild it, and stops a graph build (called by close). */
  flush(): void {
    this.index.persist(true);
    this.index.close();
  }

  private searchIn(tx: ReadTx, q: CheckedSearch, qv: Float32Array | undefined): SearchHit[] {
    const ns = this.ctx.ns;
    const wide = q.mode === 'hybrid' ? Math.min(1000, q.topK * 4) : q.topK;
    let scored: Ranked[] = [];
    if (q.mode !== 'text' && qv) {
      this.index.catchUp(tx);
      scored = this.vectorRank(qv, q, wide);
    }
    if (q.mode === 'vector') return this.hits(tx, scored, q.minScore, q.topK, true);
    const textRank = tx.searchText(ns, VECTORS, q.text ?? '', { limit: wide, filter: q.filter }).map((h): [string, number] => [h.key, h.score]);
    if (q.mode === 'text') return this.hits(tx, textRank, q.minScore, q.topK, false);
    const fused = [...fuse([scored.map(([id]) => id), textRank.map(([id]) => id)])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return this.hits(tx, fused, q.minScore, q.topK, true);
  }

  /**
   * Cosine ranking over the derived index. A filter is evaluated first, over the index's copy of
   * the metadata (the same semantics as the SQL filter): a filter matching few documents is answered
   * by an exact scan over exactly those, a broad one by the graph searching only among them — so a
   * selective filter still yields `topK` matches whenever that many documents match.
   */
  private vectorRank(qv: Float32Array, q: CheckedSearch, limit: number): Ranked[] {
    return this.index.nearest(qv, limit, q.filter);
  }

  /**
   * Text and metadata of the ranked ids, from the same snapshot: from the index when this search
   * caught it up (it then mirrors the snapshot exactly; by the row a vector ranking gave, else by
   * id), else from the records.
   */
  private hits(
    tx: ReadTx | undefined,
    ranked: readonly (readonly [string, number, number?])[],
    minScore: number | undefined,
    topK: number,
    fromIndex: boolean,
  ): SearchHit[] {
    const out: SearchHit[] = [];
    for (const [id, score, row] of ranked) {
      if (out.length >= topK) break;
      if (minScore !== undefined && score < minScore) continue;
      let doc: { text: string | null; metadata: Readonly<Record<string, unknown>> } | undefined;
      if (row !== undefined) doc = this.index.docAt(row);
      else if (fromIndex || !tx) doc = this.index.doc(id);
      else {
        const row = tx.get(this.ctx.ns, VECTORS, id);
        const r = row && (JSON.parse(row.value) as DocRecord);
        doc = r && { text: r.text, metadata: deepFreeze(r.metadata) };
      }
      if (doc) out.push(Object.freeze({ id, score, text: doc.text, metadata: doc.metadata }));
    }
    return out;
  }
}

/** Semantic memory's wiring: the embedder from the options; the derived index is saved at close. */
export const vectorsModule = storeModule({
  create: (ctx, config) => new Vectors(ctx, config.embedder),
  close: (v: Vectors) => v.flush(),
  health: (v: Vectors, lastSeq: number) => v.indexHealth(lastSeq),
});
