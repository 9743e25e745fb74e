import { closeSync, fsyncSync, openSync } from 'node:fs';
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

  constructor(
    readonly dimension: number,
    saved?: { file: string; labels: (string | null)[] },
  ) {
    this.hnsw = new HierarchicalNSW('cosine', dimension);
    if (saved) {
      this.hnsw.readIndexSync(saved.file, true);
      this.capacity = this.hnsw.getMaxElements();
      this.ids = saved.labels.map((id) => id ?? undefined);
      this.ids.forEach((id, label) => id !== undefined && this.labels.set(id, label));
    } else {
      this.hnsw.initIndex({ maxElements: this.capacity, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: SEED, allowReplaceDeleted: true });
    }
  }

  /** The label → id table, for saving alongside the graph. */
  labelTable(): (string | null)[] {
    return this.ids.map((id) => id ?? null);
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
