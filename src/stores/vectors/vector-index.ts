import { ValidationError } from '../../errors.js';
import type { ReadTx } from '../../engine/types.js';
import { deepFreeze } from '../../values/freeze.js';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AnnIndex, type SavedGraph } from './ann.js';
import { buildGraphInWorker, type GraphBuild } from './graph-builder.js';
import type { FilterNode } from './filter.js';
import { matchesFilter } from './filter-match.js';
import { decodeVector, type DocRecord } from './doc.js';
import { VECTOR_DOCS, type DocStores } from './doc-stores.js';
import { IndexFiles, type SaveState } from './index-files.js';
import { VectorTable, dotAt } from './vector-table.js';
import { bump, type StoreCounters } from '../context.js';

const CATCH_UP_BATCH = 5000;
/** Below this many documents an exact scan is fast enough (and exact): no graph is kept. */
export const ANN_MIN_DOCS = 2000;
/** A filter matching at most this many documents is answered by an exact scan over the matches. */
export const EXACT_FILTER_MAX = 20_000;
/** Save the index after this many applied changes (and on close), so reopening skips a rebuild. */
const SAVE_AFTER_CHANGES = 5000;
const RETRY_AFTER_CHANGES = 1000;
/**
 * From this many vectors a graph is built on a worker thread while searches scan exactly (or use
 * the graph being replaced); below, in line, which blocks for at most ~2 s (384-d, 2 cores).
 */
export const BACKGROUND_BUILD_MIN = 20_000;
const FILTER_CACHE = 16;
/** Whether [id, score] ranks before [otherId, otherScore]: higher score, then lower id. */
const ranksBefore = (score: number, id: string, otherScore: number, otherId: string): boolean =>
  score > otherScore || (score === otherScore && id < otherId);

/** A saved index that was not used when loading, and why (`corrupt`: damaged, not merely old). */
export interface Discarded {
  readonly at: number;
  readonly reason: string;
  readonly corrupt: boolean;
}

/** A ranked document: id, exact cosine score, and its row in the table (to serve it without a lookup). */
export type Ranked = [id: string, score: number, row: number];

/**
 * Inserts [id, score, row] into `best` (score descending, then id ascending) if it ranks in the
 * top k. No closure per call: this runs once per candidate of every search (a per-call closure was
 * 5% of a 20k-document search's time).
 */
function keepBest(best: Ranked[], k: number, id: string, score: number, row: number): void {
  if (best.length === k && !ranksBefore(score, id, best[k - 1]![1], best[k - 1]![0])) return;
  let i = best.length;
  while (i > 0 && ranksBefore(score, id, best[i - 1]![1], best[i - 1]![0])) i--;
  best.splice(i, 0, [id, score, row]);
  if (best.length > k) best.pop();
}

interface ParsedDoc {
  v: Float32Array;
  metadata: Record<string, unknown>;
  text: string | null;
}

function parseDoc(value: string): ParsedDoc {
  const r = JSON.parse(value) as DocRecord;
  return { v: decodeVector(r.v), metadata: deepFreeze(r.metadata), text: r.text };
}

/**
 * The derived search index of one namespace: the records are the truth, this is a cache of their
 * vectors that knows the event `seq` it covers. Before every search it applies the events since
 * (other processes' writes included) inside the search's own snapshot, so it can never disagree
 * with the records; when events it needs were trimmed by retention, it rebuilds from the records.
 * Small collections are scanned exactly; from {@link ANN_MIN_DOCS} documents an HNSW graph proposes
 * candidates that are then re-scored exactly here.
 */
export class VectorIndex {
  private vectors = new VectorTable();
  private readonly vectorOf = (id: string) => this.vectors.vector(id);
  private readonly rowOf = (id: string) => this.vectors.row(id);
  /** Matches of recent filters, valid for one `seq` (agents repeat filters such as `{ userId }`). */
  private filterCache = { seq: -1, results: new Map<string, ReadonlySet<string>>() };
  private ann: AnnIndex | undefined;
  /** A graph being built on a worker thread, and the ids changed since its vectors were taken. */
  private pending: { build: GraphBuild; changed: Set<string>; settled: Promise<void> } | undefined;
  private seq = -1;
  private unsaved = 0;
  /** After a failed save: the `unsaved` count at which the next save is tried. */
  private retryAt: number | undefined;
  private collection = '';
  private readonly files: IndexFiles | undefined;
  /** Why the saved index (or its graph) was not used at the last load, for `health()`. */
  private discarded: Discarded | undefined;

  constructor(
    private readonly ns: string,
    dir: string | undefined,
    private readonly counters: StoreCounters,
    /** The stores holding the documents and the collection's meta (curated memory keeps its own). */
    private readonly names: DocStores = VECTOR_DOCS,
  ) {
    this.files = dir === undefined ? undefined : new IndexFiles(dir, ns);
  }

  /** Whether the index already covers everything `tx` sees (then it can answer on its own). */
  isCurrent(tx: ReadTx): boolean {
    return this.seq >= 0 && tx.lastSeq() === this.seq;
  }

  /** Brings the index up to the snapshot `tx` sees. */
  catchUp(tx: ReadTx): void {
    const last = tx.lastSeq();
    if (this.seq === last) return;
    const idRow = tx.get(this.ns, this.names.meta, 'id');
    this.collection = idRow ? (JSON.parse(idRow.value) as string) : '';
    if (this.seq < 0) this.load(last);
    if (this.seq === last) return;
    const first = this.seq < 0 ? undefined : tx.eventsSince(this.seq, { limit: 1 })[0];
    if (this.seq < 0 || this.seq > last || (first !== undefined && first.seq > this.seq + 1)) {
      this.rebuild(tx);
    } else {
      for (;;) {
        const events = tx.eventsSince(this.seq, { limit: CATCH_UP_BATCH, store: this.names.docs, ns: this.ns });
        for (const e of events) {
          if (e.key === null || e.op === 'clear' || e.op === 'deletePrefix') {
            this.rebuild(tx);
            return;
          }
          this.refresh(tx, e.key);
          this.unsaved++;
          this.seq = e.seq;
        }
        if (events.length < CATCH_UP_BATCH) break;
      }
    }
    this.seq = last;
    this.ensureGraph();
  }

  /** The last event seq the index covers (-1 before it is first built), its size, saves and loads. */
  state(): { seq: number; docs: number; unsaved: number; lastSave: SaveState | undefined; discarded: Discarded | undefined } {
    return { seq: this.seq, docs: this.vectors.size, unsaved: this.unsaved, lastSave: this.files?.lastSave, discarded: this.discarded };
  }

  /** Resolves when no graph build is in flight (for warm-up after a bulk load, and for tests). */
  graphSettled(): Promise<void> {
    return this.pending?.settled ?? Promise.resolve();
  }

  /** Stops a graph build in flight (the store is closing). */
  close(): void {
    this.pending?.build.cancel();
    this.pending = undefined;
  }

  /** Starts a graph when the collection needs one (or a fresh one, once the current is worn). */
  private ensureGraph(): void {
    // Too few documents left for a graph to pay: drop a worn one (its tombstones only cost memory).
    if (this.vectors.size < ANN_MIN_DOCS && this.ann?.worn()) this.ann = undefined;
    if (this.pending || this.vectors.size < ANN_MIN_DOCS || (this.ann && !this.ann.worn())) return;
    if (this.vectors.size < BACKGROUND_BUILD_MIN) {
      this.buildAnn();
      return;
    }
    const { ids, data } = this.vectors.packed();
    const job = {
      dimension: this.vectors.dimension,
      ids: [...ids],
      data: data.slice(),
      file: this.files?.scratchFile() ?? join(tmpdir(), `memex-graph-${randomBytes(6).toString('hex')}`),
    };
    const build = buildGraphInWorker(job);
    const pending = {
      build,
      changed: new Set<string>(),
      settled: build.done
        .then(
          (built) => {
            if (this.pending === pending) this.install({ file: job.file, ids: job.ids, ...built }, pending.changed);
          },
          () => {
            // The worker failed: build in line rather than go on without a graph.
            if (this.pending !== pending) return;
            this.pending = undefined;
            this.buildAnn();
          },
        )
        .finally(() => rmSync(job.file, { force: true })),
    };
    this.pending = pending;
  }

  /** Takes a graph the worker built, after replaying the changes made meanwhile. */
  private install(built: SavedGraph, changed: ReadonlySet<string>): void {
    this.pending = undefined;
    let ann: AnnIndex;
    try {
      ann = new AnnIndex(this.vectors.dimension, this.vectorOf, built);
    } catch {
      // The file changed under us (it is checked before usearch reads it): build in line instead.
      this.buildAnn();
      return;
    }
    // Removals first: the first insert computes the untouched nodes' hashes from the table.
    for (const id of changed) ann.remove(id);
    for (const id of changed) {
      const v = this.vectors.vector(id);
      if (v) ann.upsert(id, v);
    }
    this.ann = ann;
    this.unsaved = Math.max(this.unsaved, SAVE_AFTER_CHANGES);
    bump(this.counters, 'graphBuilds');
    // Saved now rather than after some later search, so a reopen finds the graph.
    setImmediate(() => this.persist());
  }

  /**
   * The `k` best [id, exact cosine, row] among all documents, or only among those matching `filter`.
   * Ties are broken by id so results are deterministic.
   */
  nearest(q: Float32Array, k: number, filter?: FilterNode): Ranked[] {
    if (this.vectors.size > 0 && q.length !== this.vectors.dimension) {
      throw new ValidationError('query.vector', `this collection holds ${this.vectors.dimension}-dimensional vectors, got ${q.length}`);
    }
    const among = filter === undefined ? undefined : this.matching(filter);
    // Exact cosine with the query's norm computed once and each row's norm cached, keeping only
    // the best k as it goes (an exact scan over a filter's matches is the hot loop here).
    const qn = Math.sqrt(dotAt(q, 0, q, 0, q.length));
    const best: Ranked[] = [];
    if (this.ann !== undefined && (among === undefined || among.size > EXACT_FILTER_MAX)) {
      const share = among === undefined ? 1 : among.size / this.vectors.size;
      const found = this.ann.candidates(q, k, this.rowOf, among && ((id) => among.has(id)), share);
      // The graph asked wide enough always had enough; if it still came short (a graph split by
      // removals), the exact scan below keeps the promise of topK results whenever they exist.
      if (found.ids.length >= Math.min(k, among?.size ?? this.vectors.size)) {
        found.ids.forEach((id, i) => {
          const row = found.rows[i]!;
          if (row >= 0) keepBest(best, k, id, this.vectors.cosine(q, qn, row), row);
        });
        return best;
      }
    }
    for (const id of among ?? this.vectors.ids()) {
      const row = this.vectors.row(id);
      if (row !== undefined) keepBest(best, k, id, this.vectors.cosine(q, qn, row), row);
    }
    return best;
  }

  /** Text and metadata of `id` as of the last catch-up. */
  doc(id: string): { text: string | null; metadata: Readonly<Record<string, unknown>> } | undefined {
    const row = this.vectors.row(id);
    return row === undefined ? undefined : this.docAt(row);
  }

  /** {@link doc} by the table row a search's ranking gave (valid until the index next changes). */
  docAt(row: number): { text: string | null; metadata: Readonly<Record<string, unknown>> } {
    return { text: this.vectors.textOf(row), metadata: deepFreeze(this.vectors.metadataOf(row)) };
  }

  /** Ids whose metadata matches `filter`, cached until the index moves on. */
  private matching(filter: FilterNode): ReadonlySet<string> {
    if (this.filterCache.seq !== this.seq) this.filterCache = { seq: this.seq, results: new Map() };
    const key = JSON.stringify(filter);
    let ids = this.filterCache.results.get(key);
    if (!ids) {
      const found = new Set<string>();
      for (const [id, m] of this.vectors.metadata()) if (matchesFilter(filter, m)) found.add(id);
      if (this.filterCache.results.size >= FILTER_CACHE) this.filterCache.results.clear();
      this.filterCache.results.set(key, (ids = found));
    }
    return ids;
  }

  /** Whether enough changed since the last save (or the last failed one) that `persist` would save. */
  saveDue(): boolean {
    return (
      this.files !== undefined &&
      this.seq >= 0 &&
      this.vectors.size > 0 &&
      this.unsaved >= SAVE_AFTER_CHANGES &&
      (this.retryAt === undefined || this.unsaved >= this.retryAt)
    );
  }

  /** Saves the index if enough changed since the last save (or `force`); cheap otherwise. */
  persist(force = false): void {
    if (!this.files || this.seq < 0 || this.vectors.size === 0) return;
    if (force ? this.unsaved === 0 : !this.saveDue()) return;
    const ann = this.ann;
    const saved = this.files.save(
      this.collection,
      this.seq,
      this.vectors.dimension,
      this.vectors.packed(),
      ann && { labels: (ids) => ann.labelsFor(ids), nodes: ann.nodeCount(), write: (f) => ann.write(f) },
    );
    // A failed save is retried after more changes (not on every write: a save writes it all), so
    // the index is saved again by itself once the cause (a full disk, a permission) is gone.
    this.retryAt = saved ? undefined : this.unsaved + RETRY_AFTER_CHANGES;
    if (saved) this.unsaved = 0;
  }

  /**
   * Starts from the saved index when it is not newer than the records (else rebuilds later). A
   * saved set that is damaged in any way — a file that does not match its checksum, a graph not of
   * the shape usearch loads safely — costs a rebuild from the records, never the process, and is
   * remembered for `health()`.
   */
  private load(lastSeq: number): void {
    if (!this.files) return;
    const { saved, problem, corrupt } = this.files.load();
    if (problem !== undefined) this.discarded = { at: Date.now(), reason: problem, corrupt: corrupt === true };
    if (!saved || saved.seq > lastSeq || saved.collection !== this.collection || this.collection === '') return;
    try {
      // Metadata is frozen when first served (see docAt), not all 100k at load.
      this.vectors = VectorTable.from(saved.dimension, saved.ids, saved.data, saved.metadata, saved.texts);
      this.seq = saved.seq;
      bump(this.counters, 'indexLoads');
    } catch (e) {
      this.discarded = { at: Date.now(), reason: `unusable: ${(e as Error).message}`, corrupt: true };
      this.vectors.clear();
      this.seq = -1;
      return;
    }
    try {
      this.ann = saved.graph && new AnnIndex(saved.dimension, this.vectorOf, { ...saved.graph, ids: saved.ids });
    } catch (e) {
      // The vectors are sound (checksummed); only the graph is rebuilt from them.
      this.discarded = { at: Date.now(), reason: `the graph file ${(e as Error).message}`, corrupt: true };
      this.ann = undefined;
    }
    this.ensureGraph();
  }

  private set(key: string, doc: ParsedDoc | undefined): void {
    this.pending?.changed.add(key);
    // The graph changes first: it reads the table's (still old) vectors to hash its nodes.
    if (doc) {
      const v = doc.v;
      this.ann?.upsert(key, v);
      this.vectors.set(key, v, doc);
    } else {
      this.ann?.remove(key);
      this.vectors.delete(key);
    }
  }

  private buildAnn(): void {
    this.ann = undefined;
    this.ann = AnnIndex.build(this.vectors.dimension, this.vectors.entries(), this.vectorOf);
    bump(this.counters, 'graphBuilds');
  }

  private refresh(tx: ReadTx, key: string): void {
    const row = tx.get(this.ns, this.names.docs, key);
    this.set(key, row ? parseDoc(row.value) : undefined);
  }

  private rebuild(tx: ReadTx): void {
    bump(this.counters, 'indexRebuilds');
    this.close();
    this.vectors.clear();
    this.ann = undefined;
    let after: string | undefined;
    for (;;) {
      const rows = tx.scan(this.ns, this.names.docs, { after, limit: CATCH_UP_BATCH });
      for (const r of rows) {
        const d = parseDoc(r.value);
        this.vectors.set(r.key, d.v, d);
      }
      if (rows.length < CATCH_UP_BATCH) break;
      after = rows[rows.length - 1]!.key;
    }
    this.seq = tx.lastSeq();
    this.unsaved = SAVE_AFTER_CHANGES;
    this.ensureGraph();
  }
}
