import type { ReadTx } from '../../engine/types.js';
import { VECTORS, decodeVector, type DocRecord } from './doc.js';

const CATCH_UP_BATCH = 5000;

/**
 * The derived search index of one namespace: the records are the truth, this is a cache of their
 * vectors that knows the event `seq` it covers. Before every search it applies the events since
 * (other processes' writes included) inside the search's own snapshot, so it can never disagree
 * with the records; when events it needs were trimmed by retention, it rebuilds from the records.
 * Exact (brute-force) scoring: right for collections up to tens of thousands of documents.
 */
export class VectorIndex {
  private readonly vectors = new Map<string, Float32Array>();
  private seq = -1;
  rebuilds = 0;

  constructor(private readonly ns: string) {}

  get size(): number {
    return this.vectors.size;
  }

  /** Brings the index up to the snapshot `tx` sees. */
  catchUp(tx: ReadTx): void {
    const last = tx.lastSeq();
    if (this.seq === last) return;
    const first = this.seq < 0 ? undefined : tx.eventsSince(this.seq, { limit: 1 })[0];
    if (this.seq < 0 || (first !== undefined && first.seq > this.seq + 1)) {
      this.rebuild(tx);
    } else {
      for (;;) {
        const events = tx.eventsSince(this.seq, { limit: CATCH_UP_BATCH, store: VECTORS, ns: this.ns });
        for (const e of events) {
          if (e.key === null || e.op === 'clear' || e.op === 'deletePrefix') {
            this.rebuild(tx);
            return;
          }
          this.refresh(tx, e.key);
          this.seq = e.seq;
        }
        if (events.length < CATCH_UP_BATCH) break;
      }
    }
    this.seq = last;
  }

  /** The stored vector of `id` as of the last catch-up. */
  get(id: string): Float32Array | undefined {
    return this.vectors.get(id);
  }

  entries(): IterableIterator<[string, Float32Array]> {
    return this.vectors.entries();
  }

  private refresh(tx: ReadTx, key: string): void {
    const row = tx.get(this.ns, VECTORS, key);
    if (row) this.vectors.set(key, decodeVector((JSON.parse(row.value) as DocRecord).v));
    else this.vectors.delete(key);
  }

  private rebuild(tx: ReadTx): void {
    this.rebuilds++;
    this.vectors.clear();
    let after: string | undefined;
    for (;;) {
      const rows = tx.scan(this.ns, VECTORS, { after, limit: CATCH_UP_BATCH });
      for (const r of rows) this.vectors.set(r.key, decodeVector((JSON.parse(r.value) as DocRecord).v));
      if (rows.length < CATCH_UP_BATCH) break;
      after = rows[rows.length - 1]!.key;
    }
    this.seq = tx.lastSeq();
  }
}
