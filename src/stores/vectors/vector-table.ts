/** What a search returns of a document besides its score. */
export interface TableDoc {
  readonly text: string | null;
  readonly metadata: Record<string, unknown>;
}

/**
 * The derived index's float32 vectors in one contiguous buffer, one row per document. Measured on
 * 100k x 384: as 100k separate typed arrays they cost most of a reopen in allocation and garbage
 * collection, and re-scoring read them from scattered places; one buffer is read from disk in one
 * call and needs no per-document object. Rows of deleted documents are reused.
 *
 * Each row's text and metadata sit in arrays by row too: a search reaches its hits by the rows it
 * re-scored, with no lookup by id (two map lookups per hit were 3% of a 20k-document search).
 */
export class VectorTable {
  private data: Float32Array = new Float32Array(0);
  /** Each row's norm, or -1 until first needed (a loaded table computes them lazily). */
  private norms = new Float64Array(0);
  private readonly rowOf = new Map<string, number>();
  private idAt: (string | undefined)[] = [];
  private metadataAt: (Record<string, unknown> | undefined)[] = [];
  private textAt: (string | null)[] = [];
  private free: number[] = [];
  private dim = 0;

  /**
   * A table over `ids`, whose vectors are rows 0.. of `data` (which may hold spare rows after
   * them) and whose metadata and texts, when given, are those arrays' entries in the same order
   * (kept, not copied).
   */
  static from(
    dimension: number,
    ids: readonly string[],
    data: Float32Array,
    metadata?: Record<string, unknown>[],
    texts?: (string | null)[],
  ): VectorTable {
    const t = new VectorTable();
    t.dim = dimension;
    t.data = data;
    t.norms = new Float64Array(data.length / dimension).fill(-1);
    t.idAt = [...ids];
    t.metadataAt = metadata ?? [];
    t.textAt = texts ?? [];
    ids.forEach((id, row) => t.rowOf.set(id, row));
    return t;
  }

  get size(): number {
    return this.rowOf.size;
  }

  get dimension(): number {
    return this.dim;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  row(id: string): number | undefined {
    return this.rowOf.get(id);
  }

  /** A view of `id`'s vector (valid until the table changes). */
  vector(id: string): Float32Array | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.data.subarray(row * this.dim, (row + 1) * this.dim);
  }

  ids(): IterableIterator<string> {
    return this.rowOf.keys();
  }

  /** The text of the document in `row`. */
  textOf(row: number): string | null {
    return this.textAt[row] ?? null;
  }

  /** The metadata of the document in `row`, as stored (the caller freezes it before serving it). */
  metadataOf(row: number): Record<string, unknown> {
    return this.metadataAt[row] ?? {};
  }

  /** Each document's id and metadata, for evaluating a filter. */
  *metadata(): IterableIterator<[string, Record<string, unknown>]> {
    for (const [id, row] of this.rowOf) yield [id, this.metadataAt[row] ?? {}];
  }

  *entries(): IterableIterator<[string, Float32Array]> {
    for (const [id, row] of this.rowOf) yield [id, this.data.subarray(row * this.dim, (row + 1) * this.dim)];
  }

  set(id: string, v: Float32Array, doc: TableDoc): void {
    if (this.dim === 0) this.dim = v.length;
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.free.pop() ?? this.idAt.length;
      if (row === this.idAt.length) this.idAt.push(undefined);
      if ((row + 1) * this.dim > this.data.length) this.grow(row + 1);
      this.rowOf.set(id, row);
      this.idAt[row] = id;
    }
    this.data.set(v, row * this.dim);
    this.norms[row] = -1;
    this.metadataAt[row] = doc.metadata;
    this.textAt[row] = doc.text;
  }

  delete(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    this.rowOf.delete(id);
    this.idAt[row] = undefined;
    this.metadataAt[row] = undefined;
    this.textAt[row] = null;
    this.free.push(row);
  }

  clear(): void {
    this.rowOf.clear();
    this.idAt = [];
    this.metadataAt = [];
    this.textAt = [];
    this.free = [];
    this.data = new Float32Array(0);
    this.norms = new Float64Array(0);
    this.dim = 0;
  }

  /** Exact cosine of `q` (whose norm is `qn`) with `row`; 0 when either is the zero vector. */
  cosine(q: Float32Array, qn: number, row: number): number {
    const d = this.data;
    const off = row * this.dim;
    let norm = this.norms[row]!;
    if (norm < 0) this.norms[row] = norm = Math.sqrt(dotAt(d, off, d, off, this.dim));
    return qn === 0 || norm === 0 ? 0 : dotAt(q, 0, d, off, this.dim) / (qn * norm);
  }

  /** The ids and their rows packed in that order, for saving (no copy when no row is free). */
  packed(): PackedTable {
    const n = this.rowOf.size;
    if (this.free.length === 0 && this.metadataAt.length === n && this.textAt.length === n) {
      const [metadata, texts] = [this.metadataAt as Record<string, unknown>[], this.textAt];
      return { ids: this.idAt as string[], data: this.data.subarray(0, n * this.dim), metadata, texts };
    }
    const out: PackedTable = { ids: [], data: new Float32Array(n * this.dim), metadata: [], texts: [] };
    for (const [id, row] of this.rowOf) {
      out.data.set(this.data.subarray(row * this.dim, (row + 1) * this.dim), out.ids.length * this.dim);
      out.ids.push(id);
      out.metadata.push(this.metadataAt[row] ?? {});
      out.texts.push(this.textAt[row] ?? null);
    }
    return out;
  }

  private grow(rows: number): void {
    const capacity = Math.max(rows, Math.ceil((this.data.length / Math.max(this.dim, 1)) * 1.5), 1024);
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data);
    const norms = new Float64Array(capacity).fill(-1);
    norms.set(this.norms);
    this.data = data;
    this.norms = norms;
  }
}

/** A table's documents in row order: ids, vectors, and each one's metadata and text. */
export interface PackedTable {
  ids: string[];
  data: Float32Array;
  metadata: Record<string, unknown>[];
  texts: (string | null)[];
}

/** Dot product of `n` floats at offsets, with four running sums (about twice as fast as one in V8). */
export function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  const end = n - (n % 4);
  let i = 0;
  for (; i < end; i += 4) {
    d0 += a[ao + i]! * b[bo + i]!;
    d1 += a[ao + i + 1]! * b[bo + i + 1]!;
    d2 += a[ao + i + 2]! * b[bo + i + 2]!;
    d3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < n; i++) d0 += a[ao + i]! * b[bo + i]!;
  return d0 + d1 + d2 + d3;
}
