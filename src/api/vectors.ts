import type { StoredDoc, VectorDoc } from '../stores/vectors/doc.js';
import type { SearchHit, SearchOptions } from '../stores/vectors/search-options.js';

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
export interface VectorsStore {
  /**
   * Inserts or replaces documents; a batch is all or nothing. Texts without a vector are embedded
   * first (outside the transaction).
   * @example
   * ```ts
   * await mx.vectors.upsert([{ id: 'a', text: 'first' }, { id: 'b', vector: myVector, metadata: { n: 2 } }]);
   * ```
   */
  upsert(docs: VectorDoc | readonly VectorDoc[]): Promise<{ upserted: number }>;

  /** The document (deeply frozen, vector included), or `undefined`. */
  get(id: string): Promise<StoredDoc | undefined>;

  /** Removes a document; resolves whether it existed. */
  delete(id: string): Promise<boolean>;

  /**
   * How many documents match `filter` (all when omitted).
   * @example
   * ```ts
   * const docs = await mx.vectors.count({ type: 'doc' });
   * ```
   */
  count(filter?: Record<string, unknown>): Promise<number>;

  /**
   * Removes every document matching `filter` in one transaction.
   * @example
   * ```ts
   * const { deleted, total } = await mx.vectors.deleteWhere({ userId: 'u42' });
   * ```
   */
  deleteWhere(filter: Record<string, unknown>): Promise<{ deleted: number; total: number }>;

  /**
   * Vector (cosine), full-text (BM25) or hybrid (reciprocal rank fusion) search, best first.
   * @example
   * ```ts
   * const hits = await mx.vectors.search({ text: 'refund policy', mode: 'hybrid', topK: 5, filter: { lang: 'en' } });
   * ```
   */
  search(query: SearchOptions): Promise<SearchHit[]>;

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
  waitForIndex(): Promise<void>;
}
