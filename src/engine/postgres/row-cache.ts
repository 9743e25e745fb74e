import type { RecordRow } from '../types.js';

/** Not known: the database (after a flush) must be asked. */
export const UNKNOWN = Symbol('unknown');
type Entry = RecordRow | null | typeof UNKNOWN;

/**
 * What a write batch knows of single records: rows it has read, and rows as its own puts left
 * them. Valid because the batch holds the schema's write lock: no one else changes a record
 * until it commits. So a batch of updates of one hot key reads it once. Two layers, so that a job
 * that fails leaves the batch's knowledge as it was; `null` means known absent.
 */
export class RowCache {
  private batch = new Map<string, Entry>();
  private job = new Map<string, Entry>();

  lookup(id: string): Entry {
    const j = this.job.get(id);
    if (j !== undefined) return j;
    return this.batch.get(id) ?? UNKNOWN;
  }

  remember(id: string, row: Entry): void {
    this.job.set(id, row);
  }

  commitJob(): void {
    for (const [k, v] of this.job) this.batch.set(k, v);
    this.job = new Map();
  }

  dropJob(): void {
    this.job = new Map();
  }

  /** After a write that may touch many records (delete, clear, prefix, filter, purge, rank). */
  clear(): void {
    this.batch = new Map();
    this.job = new Map();
  }
}
