import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;

/** HNSW parameters (M and efConstruction are hnswlib's usual defaults; ef >= 128 keeps recall@10 >= 0.95 in the tests). */
const M = 16;
const EF_CONSTRUCTION = 200;
const EF_SEARCH_MIN = 128;
const SEED = 100;

/**
 * An approximate nearest-neighbour graph (hnswlib) over the derived index's vectors. It only
 * proposes candidates: the caller re-scores them exactly against the records' vectors, so the
 * graph's approximation can cost recall but never a wrong score or a deleted document.
 */
export class AnnIndex {
  private readonly hnsw;
  private readonly labels = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private capacity = 1024;

  constructor(readonly dimension: number) {
    this.hnsw = new HierarchicalNSW('cosine', dimension);
    this.hnsw.initIndex({ maxElements: this.capacity, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: SEED, allowReplaceDeleted: true });
  }

  upsert(id: string, v: Float32Array): void {
    let label = this.labels.get(id);
    if (label === undefined) {
      label = this.ids.length;
      if (label >= this.capacity) {
        this.capacity *= 2;
        this.hnsw.resizeIndex(this.capacity);
      }
      this.labels.set(id, label);
      this.ids.push(id);
    }
    // Adding an existing label replaces its vector in hnswlib.
    this.hnsw.addPoint(Array.from(v), label);
  }

  remove(id: string): void {
    const label = this.labels.get(id);
    if (label === undefined) return;
    this.hnsw.markDelete(label);
    this.labels.delete(id);
    this.ids[label] = undefined;
  }

  /** Up to `k` candidate ids nearest to `q`, optionally only those `allow` accepts. */
  search(q: Float32Array, k: number, allow?: (id: string) => boolean): string[] {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return [];
    this.hnsw.setEf(Math.max(EF_SEARCH_MIN, n * 2));
    const filter = allow ? (label: number) => this.ids[label] !== undefined && allow(this.ids[label]) : undefined;
    const { neighbors } = this.hnsw.searchKnn(Array.from(q), n, filter);
    return neighbors.map((label) => this.ids[label]).filter((id): id is string => id !== undefined);
  }
}
