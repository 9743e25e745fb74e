import type Database from 'better-sqlite3';
import type { EventQuery, EventRow, PutOptions, RecordRow, ScanOptions, WriteTx } from '../types.js';

const COLS = 'key, value, version, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt';
const VISIBLE = '(expires_at IS NULL OR expires_at > @now)';

/**
 * The SQLite implementation of the seam's transaction. One instance per connection; the engine
 * sets `now` before each callback and guarantees callbacks run inside BEGIN … COMMIT.
 */
export class SqliteTx implements WriteTx {
  now = 0;
  /** Highest event seq written by the current transaction (0 when none): drives event retention. */
  lastWrittenSeq = 0;
  /** Counts statements that changed rows; the write queue compares it to see if a callback wrote. */
  mutations = 0;
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      // Positional parameters: binding them is measurably cheaper than named ones on the hottest path.
      get: db.prepare(`SELECT ${COLS} FROM records WHERE ns = ? AND store = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`),
      scan: db.prepare(
        `SELECT ${COLS} FROM records WHERE ns = @ns AND store = @store AND key >= @from AND ${VISIBLE} ORDER BY key LIMIT @limit`,
      ),
      scanAfter: db.prepare(
        `SELECT ${COLS} FROM records WHERE ns = @ns AND store = @store AND key > @from AND ${VISIBLE} ORDER BY key LIMIT @limit`,
      ),
      count: db.prepare(`SELECT count(*) AS n FROM records WHERE ns = @ns AND store = @store AND ${VISIBLE}`),
      countByStore: db.prepare(`SELECT store, count(*) AS n FROM records WHERE ${VISIBLE} GROUP BY store`),
      insertEvent: db.prepare('INSERT INTO events (at, ns, store, key, op) VALUES (?, ?, ?, ?, ?)'),
      upsert: db.prepare(
        `INSERT INTO records (ns, store, key, value, version, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ns, store, key) DO UPDATE SET value = excluded.value, version = excluded.version,
           created_at = CASE WHEN records.expires_at IS NOT NULL AND records.expires_at <= excluded.updated_at
                             THEN excluded.created_at ELSE records.created_at END,
           updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
      ),
      delete: db.prepare('DELETE FROM records WHERE ns = ? AND store = ? AND key = ? RETURNING expires_at AS expiresAt'),
      deleteAll: db.prepare(`DELETE FROM records WHERE ns = @ns AND store = @store AND ${VISIBLE}`),
      deleteAllExpired: db.prepare('DELETE FROM records WHERE ns = @ns AND store = @store AND expires_at <= @now'),
      purge: db.prepare('DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      events: db.prepare(
        `SELECT seq, at, ns, store, key, op, seq AS version FROM events WHERE seq > @seq
           AND (@store IS NULL OR store = @store) AND (@ns IS NULL OR ns = @ns) ORDER BY seq LIMIT @limit`,
      ),
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events'),
    };
  }

  get(ns: string, store: string, key: string): RecordRow | undefined {
    return this.s.get.get(ns, store, key, this.now) as RecordRow | undefined;
  }

  scan(ns: string, store: string, opts: ScanOptions): RecordRow[] {
    const prefix = opts.prefix ?? '';
    const useAfter = opts.after !== undefined && opts.after >= prefix;
    const stmt = useAfter ? this.s.scanAfter : this.s.scan;
    const rows = stmt.all({ ns, store, from: useAfter ? opts.after : prefix, limit: opts.limit, now: this.now }) as RecordRow[];
    // Keys sharing a prefix are contiguous in byte order, so the first miss ends the range.
    const end = rows.findIndex((r) => !r.key.startsWith(prefix));
    return end === -1 ? rows : rows.slice(0, end);
  }

  count(ns: string, store: string): number {
    return (this.s.count.get({ ns, store, now: this.now }) as { n: number }).n;
  }

  countByStore(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.s.countByStore.all({ now: this.now }) as { store: string; n: number }[]) out[r.store] = r.n;
    return out;
  }

  eventsSince(seq: number, q: EventQuery): EventRow[] {
    return this.s.events.all({ seq, limit: q.limit, store: q.store ?? null, ns: q.ns ?? null }) as EventRow[];
  }

  lastSeq(): number {
    return (this.s.lastSeq.get() as { seq: number }).seq;
  }

  put(ns: string, store: string, key: string, value: string, opts: PutOptions): number {
    const version = this.event(ns, store, key, 'set');
    this.s.upsert.run(ns, store, key, value, version, this.now, this.now, opts.expiresAt);
    return version;
  }

  delete(ns: string, store: string, key: string): boolean {
    const gone = this.s.delete.get(ns, store, key) as { expiresAt: number | null } | undefined;
    if (gone !== undefined) this.mutations++;
    if (gone === undefined || (gone.expiresAt !== null && gone.expiresAt <= this.now)) return false;
    this.event(ns, store, key, 'delete');
    return true;
  }

  deleteAll(ns: string, store: string): number {
    const n = this.s.deleteAll.run({ ns, store, now: this.now }).changes;
    const expired = this.s.deleteAllExpired.run({ ns, store, now: this.now }).changes;
    if (n + expired > 0) this.mutations++;
    if (n > 0) this.event(ns, store, null, 'clear');
    return n;
  }

  purgeExpired(): number {
    const n = this.s.purge.run(this.now).changes;
    if (n > 0) this.mutations++;
    return n;
  }

  /** Appends an event; its seq is the version of the write it records (so versions never repeat). */
  private event(ns: string, store: string, key: string | null, op: string): number {
    this.mutations++;
    const seq = Number(this.s.insertEvent.run(this.now, ns, store, key, op).lastInsertRowid);
    this.lastWrittenSeq = seq;
    return seq;
  }
}
