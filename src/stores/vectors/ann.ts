import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';
import { checkGraphFile, GraphFileError } from './graph-file.js';

// usearch's CommonJS build, on purpose: its ES module build finds its native binary by walking up
// from the caller's file name taken from a stack trace, which never ends inside a worker thread
// started from code (`eval: true`, how TypeScript workers start under tsx): the import spun forever.
const { Index, MetricKind, ScalarKind } = createRequire(import.meta.url)('usearch') as typeof Usearch;

/**
 * Graph parameters, chosen by measurement (`bench/ann-sweep.ts`, `bench/ann-small-sweep.ts`;
 * BENCHMARKS.md "Vectors"): an 8-bit graph with 32 links per node, built with expansion 128 and
 * searched with 80, asked for twice the wanted results, which the caller re-scores exactly in
 * float32. On 100k x 384 it reached recall@10 0.98 (harder set) and 1.00 (clustered) at 2,400 and
 * 4,000 queries/s, where float32 hnswlib-node (M 16, ef 128) reached 0.918 and 1.00 at ~1,550 and
 * ~2,400, and it built in 11-16 s on 2 cores against ~67 s. A build expansion of 256 made the
 * clustered set's queries 40% slower for no recall there.
 */
export const GRAPH = {
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 80,
  /** The graph is asked for this many candidates per wanted result, never fewer than `minCandidates`. */
  oversample: 2,
  minCandidates: 20,
  /**
   * Graphs under `smallGraph` nodes are searched with expansion `smallGraphExpansion` (usearch
   * searches with the larger of its expansion and the count asked for): queries far from every
   * cluster of documents need it — 0.93 recall@10 at 80 on the tests' 6,000 x 32-d set, 0.98 at
   * 160 — and a graph that small answers in about 0.1 ms either way.
   */
  smallGraph: 20_000,
  smallGraphExpansion: 160,
} as const;
/** usearch keeps removed nodes as tombstones; past this share of the graph it is rebuilt. */
const MAX_TOMBSTONE_SHARE = 0.25;
const MIN_TOMBSTONES = 1000;
/** Documents a loaded graph is asked to find (see probe). */
const PROBES = 16;

/** The graph as saved: its file and, for each saved document id, the label of its node. */
export interface SavedGraph {
  readonly file: string;
  readonly ids: readonly string[];
  readonly labels: readonly number[];
  /** Nodes in the graph, live or not (labels run from 0 to nodes - 1). */
  readonly nodes: number;
  /** The file's CRC-32 when it was saved (absent for a build's scratch file, read back at once). */
  readonly crc?: number;
}

/**
 * Throws a {@link GraphFileError} unless `saved` is safe to hand usearch's loader: its file of the
 * shape Memex writes (and of its CRC, when one was saved), its labels naming nodes it has. What a
 * load checks before any native code runs, and what `memex check` reports.
 */
export function checkSavedGraph(saved: Pick<SavedGraph, 'file' | 'labels' | 'nodes' | 'crc'>, dimension: number): void {
  checkGraphFile(saved.file, { dimension, nodes: saved.nodes, connectivity: GRAPH.connectivity, crc: saved.crc });
  if (saved.labels.some((l) => !Number.isInteger(l) || l < 0 || l >= saved.nodes)) {
    throw new GraphFileError('the saved labels name nodes the graph lacks');
  }
}

const hashOf = (v: Float32Array) =>
  createHash('sha1')
    .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    .digest('base64');

/** A unit-length copy: cosine ignores length, and 8-bit quantization needs components in [-1, 1]. */
function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  // A plain loop: Float32Array.from with a mapping callback cost ~100 µs per 384-d vector here.
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** An empty usearch graph with {@link GRAPH}'s parameters (also what the benchmark drives directly). */
export const newGraph = (dimension: number): Usearch.Index =>
  new Index({
    dimensions: dimension,
    metric: MetricKind.Cos,
    quantization: ScalarKind.I8,
    connectivity: GRAPH.connectivity,
    expansion_add: GRAPH.expansionAdd,
    expansion_search: GRAPH.expansionSearch,
    multi: false,
  });

interface GraphNode {
  /** The vector's hash; computed when first needed after a load (it is not saved). */
  hash: string | undefined;
  ids: string[];
}

/** Candidate documents: ids, and each one's row in the caller's table. */
export interface Candidates {
  readonly ids: string[];
  readonly rows: number[];
}

/**
 * An approximate nearest-neighbour graph (usearch HNSW, 8-bit) over the derived index's vectors.
 * It only proposes candidates: the caller re-scores them exactly against the records' vectors, so
 * the graph's approximation can cost recall but never a wrong score or a deleted document.
 *
 * Identical vectors share one node. Agent memory is full of them (repeated short messages), and
 * HNSW degrades badly when many points coincide: measured here, 1 in 10 documents sharing a vector
 * dropped recall@10 to 0.82 for every query. A shared node also keeps exact ties together, so the
 * caller can break them by id.
 */
export class AnnIndex {
  private graph;
  /** Document id → node label (built on the first change after a load). */
  private readonly labelOf = new Map<string, number>();
  /** Vector hash → node label, for live nodes (built when a vector is first added after a load). */
  private readonly byHash = new Map<string, number>();
  /** Node label → its documents (`undefined` once removed). */
  private nodes: (GraphNode | undefined)[] = [];
  private live = 0;
  /**
   * For each label whose node holds one document (most do), that document's id and row in the
   * caller's table once a search has looked them up, -1 otherwise. A row stays the same while its
   * id is in the node (the caller removes an id from the graph whenever it frees its row), and a
   * node that changes is forgotten. Looking candidates up by id on every search was 4% of a 20k
   * search; shared nodes, rare, still are.
   */
  private soleRow = new Int32Array(0);
  private soleId: (string | undefined)[] = [];
  private labelsBuilt = true;
  private hashesBuilt = true;

  /**
   * @param vectorOf the caller's vector of a document: after a load, the node hashes (needed to
   *   share nodes between identical vectors) are computed from it on the first insert.
   */
  constructor(
    readonly dimension: number,
    private readonly vectorOf: (id: string) => Float32Array | undefined,
    saved?: SavedGraph,
  ) {
    this.graph = newGraph(dimension);
    if (saved) {
      // Never hand usearch a file that was not proven to be of the shape it loads safely.
      checkSavedGraph(saved, dimension);
      this.graph.load(saved.file);
      // Every label the graph holds is taken, live or not: new nodes get labels from here on.
      this.nodes = new Array<GraphNode | undefined>(saved.nodes).fill(undefined);
      saved.ids.forEach((id, i) => {
        const label = saved.labels[i]!;
        const node = (this.nodes[label] ??= { hash: undefined, ids: [] });
        node.ids.push(id);
      });
      for (const n of this.nodes) if (n) this.live++;
      // A build's own scratch file (no checksum) is fresh; a saved one is proven before use.
      if (saved.crc !== undefined) this.probe(saved.ids, saved.labels);
      // Lookups are only needed to change the graph: a reopen that only searches skips them.
      this.labelsBuilt = false;
      this.hashesBuilt = false;
    }
  }

  /**
   * A loaded graph must find a sample of its documents' own vectors at their labels: a file and a
   * sidecar that each pass their checks but do not belong together (labels of another save, a
   * graph of other vectors) would otherwise propose the wrong documents — correct scores, missed
   * answers. A dozen searches of a few microseconds each.
   */
  private probe(ids: readonly string[], labels: readonly number[]): void {
    const step = Math.max(1, Math.floor(ids.length / PROBES));
    let tried = 0;
    let found = 0;
    for (let i = 0; i < ids.length; i += step) {
      const v = this.vectorOf(ids[i]!);
      if (!v) continue;
      tried++;
      const { keys } = this.graph.search(unit(v), 4, 1);
      if (Array.from(keys).some((k) => Number(k) === labels[i])) found++;
    }
    // HNSW can miss a node now and then even for its own vector; a mismatch misses them all.
    if (found < tried * 0.8) throw new GraphFileError(`does not hold its documents' vectors (${found} of ${tried} found)`);
  }

  /**
   * A graph over `entries`, inserted in one call on all cores (an insert-at-a-time build on one
   * thread took 4-5x longer for 100k vectors).
   */
  static build(dimension: number, entries: Iterable<[string, Float32Array]>, vectorOf: (id: string) => Float32Array | undefined): AnnIndex {
    const ann = new AnnIndex(dimension, vectorOf);
    const fresh: Float32Array[] = [];
    for (const [id, v] of entries) {
      const hash = hashOf(v);
      let label = ann.byHash.get(hash);
      if (label === undefined) {
        label = ann.nodes.length;
        ann.nodes.push({ hash, ids: [] });
        ann.byHash.set(hash, label);
        fresh.push(v);
        ann.live++;
      }
      ann.nodes[label]!.ids.push(id);
      ann.labelOf.set(id, label);
    }
    if (fresh.length > 0) {
      const all = new Float32Array(fresh.length * dimension);
      fresh.forEach((v, i) => all.set(unit(v), i * dimension));
      const keys = new BigUint64Array(fresh.length);
      for (let i = 0; i < keys.length; i++) keys[i] = BigInt(i);
      ann.graph.add(keys, all, 0);
    }
    return ann;
  }

  /** Whether removed nodes have piled up enough that the caller should rebuild the graph. */
  worn(): boolean {
    const dead = this.nodes.length - this.live;
    return dead >= MIN_TOMBSTONES && dead > this.nodes.length * MAX_TOMBSTONE_SHARE;
  }

  /** The node label of each of `ids`, for saving alongside the graph. */
  labelsFor(ids: readonly string[]): number[] {
    this.buildLabels();
    return ids.map((id) => this.labelOf.get(id) ?? -1);
  }

  /** Nodes in the graph, live and tombstoned (what a saved graph must hold). */
  nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * Writes the graph to `file` (making it durable is the caller's part) and reads it back through
   * the same check a load makes, so no file is ever named that a load would refuse; returns its
   * CRC-32.
   */
  write(file: string): number {
    this.graph.save(file);
    return checkGraphFile(file, { dimension: this.dimension, nodes: this.nodes.length, connectivity: GRAPH.connectivity });
  }

  private buildLabels(): void {
    if (this.labelsBuilt) return;
    this.nodes.forEach((n, label) => {
      for (const id of n?.ids ?? []) this.labelOf.set(id, label);
    });
    this.labelsBuilt = true;
  }

  private buildHashes(): void {
    if (this.hashesBuilt) return;
    this.nodes.forEach((n, label) => {
      const v = n && this.vectorOf(n.ids[0]!);
      if (!n || !v) return;
      n.hash ??= hashOf(v);
      this.byHash.set(n.hash, label);
    });
    this.hashesBuilt = true;
  }

  upsert(id: string, v: Float32Array): void {
    this.buildLabels();
    this.buildHashes();
    const hash = hashOf(v);
    const current = this.labelOf.get(id);
    if (current !== undefined && this.nodes[current]?.hash === hash) return;
    this.remove(id);
    let label = this.byHash.get(hash);
    if (label === undefined) {
      label = this.nodes.length;
      this.nodes.push({ hash, ids: [] });
      this.byHash.set(hash, label);
      this.graph.add(BigInt(label), unit(v), 1);
      this.live++;
    }
    const node = this.nodes[label]!;
    node.ids.push(id);
    this.forget(label);
    this.labelOf.set(id, label);
  }

  remove(id: string): void {
    this.buildLabels();
    const label = this.labelOf.get(id);
    if (label === undefined) return;
    const node = this.nodes[label]!;
    const at = node.ids.indexOf(id);
    node.ids.splice(at, 1);
    this.forget(label);
    this.labelOf.delete(id);
    if (node.ids.length === 0) {
      // A tombstone in JavaScript only: the node stays in the usearch graph (still a route for
      // searches, never a result) until the graph is rebuilt. usearch's own remove is never
      // called — adding after removals can spin forever in its insert, and a graph saved with
      // removed slots aborts the process that loads it (issue 28).
      if (node.hash !== undefined) this.byHash.delete(node.hash);
      this.nodes[label] = undefined;
      this.live--;
    }
  }

  /** Drops what {@link soleRow} remembers of `label`, whose node just changed. */
  private forget(label: number): void {
    if (label < this.soleRow.length) this.soleRow[label] = -1;
  }

  private remember(label: number, id: string, row: number): void {
    if (label >= this.soleRow.length) {
      const grown = new Int32Array(Math.max(1024, label + 1, this.soleRow.length * 2)).fill(-1);
      grown.set(this.soleRow);
      this.soleRow = grown;
    }
    this.soleRow[label] = row;
    this.soleId[label] = id;
  }

  /**
   * Candidate ids near `q`: about `k` x `GRAPH.oversample`, for the caller to re-score. With
   * `allow`, only ids it accepts; `share` (the part of all documents it accepts) sizes the first
   * ask, which widens until enough candidates pass or the whole graph was asked. May return fewer
   * than `k` (the caller then scans exactly).
   */
  search(q: Float32Array, k: number, allow?: (id: string) => boolean, share = 1): string[] {
    return this.candidates(q, k, () => -1, allow, share).ids;
  }

  /**
   * {@link search}, with each candidate's row in the caller's table (`rowOf`; remembered for
   * single-document nodes, see `soleRow`): the caller re-scores every candidate of every search.
   */
  candidates(q: Float32Array, k: number, rowOf: (id: string) => number | undefined, allow?: (id: string) => boolean, share = 1): Candidates {
    if (this.live === 0 || k <= 0) return { ids: [], rows: [] };
    const enough = Math.max(k * GRAPH.oversample, GRAPH.minCandidates);
    const size = this.nodes.length;
    const least = size < GRAPH.smallGraph ? GRAPH.smallGraphExpansion : enough;
    const query = unit(q);
    // Tombstoned nodes come back from the graph too: ask for as many more as their share.
    const liveShare = this.live / size;
    let ask = Math.max(least, Math.ceil(enough / Math.max(share * liveShare, 1e-6)));
    for (;;) {
      const wanted = Math.min(ask, size);
      const { keys } = this.graph.search(query, wanted, 1);
      // Labels are node indexes, far below 2^32: their low halves (little-endian, as every platform
      // usearch ships for) read without making a BigInt per candidate.
      const low = new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);
      const ids: string[] = [];
      const rows: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const label = low[2 * i]!;
        const sole = label < this.soleRow.length ? this.soleRow[label]! : -1;
        if (sole >= 0) {
          const id = this.soleId[label]!;
          if (allow && !allow(id)) continue;
          ids.push(id);
          rows.push(sole);
          continue;
        }
        const node = this.nodes[label];
        if (!node) continue;
        for (const id of node.ids) {
          const row = rowOf(id) ?? -1;
          if (node.ids.length === 1 && row >= 0) this.remember(label, id, row);
          if (allow && !allow(id)) continue;
          ids.push(id);
          rows.push(row);
        }
      }
      if (ids.length >= enough || wanted >= size) return { ids, rows };
      ask = wanted * 4;
    }
  }
}
