import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;

/** HNSW parameters (M and efConstruction are hnswlib's usual defaults; ef >= 128 keeps recall@10 >= 0.95 in the tests). */
const M = 16;
const EF_CONSTRUCTION = 200;
const EF_SEARCH_MIN = 128;
const SEED = 100;

/** One graph node: a distinct vector, and every document that has exactly that vector. */
export interface SavedNode {
  readonly hash: string;
  readonly ids: string[];
}

const hashOf = (v: Float32Array) => createHash('sha1').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('base64');

/**
 * An approximate nearest-neighbour graph (hnswlib) over the derived index's vectors. It only
 * proposes candidates: the caller re-scores them exactly against the records' vectors, so the
 * graph's approximation can cost recall but never a wrong score or a deleted document.
 *
 * Identical vectors share one node. Agent memory is full of them (repeated short messages), and
 * HNSW degrades badly when many points coincide: measured here, 1 in 10 documents sharing a vector
 * dropped recall@10 to 0.82 for every query. A shared node also keeps exact ties together, so the
 * caller can break them by id.
 */
export class AnnIndex {
  private readonly hnsw;
  /** Document id → node label. */
  private readonly labelOf = new Map<string, number>();
  /** Vector hash → node label, for nodes that still have documents. */
  private readonly byHash = new Map<string, number>();
  /** Node label → its hash and documents (`undefined` once deleted). */
  private nodes: ({ hash: string; ids: Set<string> } | undefined)[] = [];
  private docs = 0;
  private capacity = 1024;
  private lookupsBuilt = true;

  constructor(
    readonly dimension: number,
    saved?: { file: string; nodes: (SavedNode | null)[] },
  ) {
    this.hnsw = new HierarchicalNSW('cosine', dimension);
    if (saved) {
      this.hnsw.readIndexSync(saved.file, true);
      this.capacity = this.hnsw.getMaxElements();
      this.nodes = saved.nodes.map((n) => (n ? { hash: n.hash, ids: new Set(n.ids) } : undefined));
      for (const n of this.nodes) this.docs += n?.ids.size ?? 0;
      // The id and hash lookups are only needed to change the graph: built on the first change,
      // so a reopen that only searches does not pay for them.
      this.lookupsBuilt = false;
    } else {
      this.hnsw.initIndex({ maxElements: this.capacity, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: SEED, allowReplaceDeleted: true });
    }
  }

  /** The node table, for saving alongside the graph. */
  nodeTable(): (SavedNode | null)[] {
    return this.nodes.map((n) => (n ? { hash: n.hash, ids: [...n.ids] } : null));
  }

  /** Writes the graph to `file` and makes it durable (it is named by a sidecar only after this). */
  write(file: string): void {
    this.hnsw.writeIndexSync(file);
    const fd = openSync(file, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private buildLookups(): void {
    if (this.lookupsBuilt) return;
    this.nodes.forEach((n, label) => {
      if (!n) return;
      this.byHash.set(n.hash, label);
      for (const id of n.ids) this.labelOf.set(id, label);
    });
    this.lookupsBuilt = true;
  }

  upsert(id: string, v: Float32Array): void {
    this.buildLookups();
    const hash = hashOf(v);
    const current = this.labelOf.get(id);
    if (current !== undefined && this.nodes[current]?.hash === hash) return;
    this.remove(id);
    let label = this.byHash.get(hash);
    if (label === undefined) {
      label = this.nodes.length;
      if (label >= this.capacity) {
        this.capacity *= 2;
        this.hnsw.resizeIndex(this.capacity);
      }
      this.nodes.push({ hash, ids: new Set() });
      this.byHash.set(hash, label);
      this.hnsw.addPoint(Array.from(v), label);
    }
    this.nodes[label]!.ids.add(id);
    this.labelOf.set(id, label);
    this.docs++;
  }

  remove(id: string): void {
    this.buildLookups();
    const label = this.labelOf.get(id);
    if (label === undefined) return;
    const node = this.nodes[label]!;
    node.ids.delete(id);
    this.labelOf.delete(id);
    this.docs--;
    if (node.ids.size === 0) {
      this.hnsw.markDelete(label);
      this.byHash.delete(node.hash);
      this.nodes[label] = undefined;
    }
  }

  /** Candidate ids of about the `k` nearest nodes to `q`, optionally only those `allow` accepts. */
  search(q: Float32Array, k: number, allow?: (id: string) => boolean): string[] {
    const n = Math.min(k, this.docs);
    if (n === 0) return [];
    this.hnsw.setEf(Math.max(EF_SEARCH_MIN, n * 2));
    const filter = allow ? (label: number) => [...(this.nodes[label]?.ids ?? [])].some(allow) : undefined;
    const { neighbors } = this.hnsw.searchKnn(Array.from(q), n, filter);
    const ids = neighbors.flatMap((label) => [...(this.nodes[label]?.ids ?? [])]);
    return allow ? ids.filter(allow) : ids;
  }

}
