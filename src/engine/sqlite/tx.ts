import type Database from 'better-sqlite3';
import type { FilterNode } from '../filter-ast.js';
import type { EventQuery, EventRow, PutOptions, RankScanOptions, RecordRow, ScanOptions, StoreSize, ValueRow, WriteTx } from '../types.js';
import { compileFilter } from './filter-sql.js';
import { ftsQuery } from './fts-query.js';
import { prefixEnd } from '../prefix-end.js';

const COLS = 'key, value, version, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt, rank';
const VISIBLE = '(expires_at IS NULL OR expires_at > @now)';
const VISIBLE_POS = '(expires_at IS NULL OR expires_at > ?)';

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
  private readonly scans = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.s = {
      // Positional parameters: binding them is measurably cheaper than named ones on the hottest path.
      get: db.prepare(`SELECT ${COLS} FROM records WHERE ns = ? AND store = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`),
      getAny: db.prepare(`SELECT ${COLS} FROM records WHERE ns = ? AND store = ? AND key = ?`),
      // Raw rows (arrays): building a three-field array is cheaper than a seven-field object.
      getValue: db
        .prepare('SELECT version, value, expires_at FROM records WHERE ns = ? AND store = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)')
        .raw(),
      count: db.prepare(`SELECT count(*) AS n FROM records WHERE ns = @ns AND store = @store AND ${VISIBLE}`),
      countByStore: db.prepare(`SELECT store, count(*) AS n FROM records WHERE ${VISIBLE} GROUP BY store`),
      sizes: db.prepare(
        'SELECT ns, count(*) AS count, coalesce(sum(length(CAST(value AS BLOB))), 0) AS bytes FROM records WHERE store = ? GROUP BY ns',
      ),
      expired: db.prepare('SELECT ns, key FROM records WHERE store = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT ?'),
      insertEvent: db.prepare('INSERT INTO events (at, ns, store, key, op) VALUES (?, ?, ?, ?, ?)'),
      upsert: db.prepare(
        `INSERT INTO records (ns, store, key, value, version, created_at, updated_at, expires_at, rank)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ns, store, key) DO UPDATE SET value = excluded.value, version = excluded.version,
           created_at = CASE WHEN records.expires_at IS NOT NULL AND records.expires_at <= excluded.updated_at
                             THEN excluded.created_at ELSE records.created_at END,
           updated_at = excluded.updated_at, expires_at = excluded.expires_at, rank = excluded.rank`,
      ),
      setRank: db.prepare('UPDATE records SET rank = ? WHERE ns = ? AND store = ? AND key = ?'),
      delete: db.prepare('DELETE FROM records WHERE ns = ? AND store = ? AND key = ? RETURNING expires_at AS expiresAt'),
      deleteAll: db.prepare(`DELETE FROM records WHERE ns = @ns AND store = @store AND ${VISIBLE}`),
      deleteAllExpired: db.prepare('DELETE FROM records WHERE ns = @ns AND store = @store AND expires_at <= @now'),
      deleteRange: db.prepare('DELETE FROM records WHERE ns = ? AND store = ? AND key >= ? AND key < ?'),
      purge: db.prepare('DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      events: db.prepare(
        `SELECT seq, at, ns, store, key, op, seq AS version FROM events WHERE seq > @seq
           AND (@store IS NULL OR store = @store) AND (@ns IS NULL OR ns = @ns) ORDER BY seq LIMIT @limit`,
      ),
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      recordId: db.prepare('SELECT id FROM records WHERE ns = ? AND store = ? AND key = ?').pluck(),
      textDelete: db.prepare('DELETE FROM texts WHERE rowid = ?'),
      textInsert: db.prepare('INSERT INTO texts (rowid, body) VALUES (?, ?)'),
    };
  }

  get(ns: string, store: string, key: string): RecordRow | undefined {
    return this.s.get.get(ns, store, key, this.now) as RecordRow | undefined;
  }

  getValue(ns: string, store: string, key: string): ValueRow | undefined {
    const r = this.s.getValue.get(ns, store, key, this.now) as [number, string, number | null] | undefined;
    return r && { version: r[0], value: r[1], expiresAt: r[2] };
  }

  getIncludingExpired(ns: string, store: string, key: string): RecordRow | undefined {
    return this.s.getAny.get(ns, store, key) as RecordRow | undefined;
  }

  scan(ns: string, store: string, opts: ScanOptions): RecordRow[] {
    const prefix = opts.prefix ?? '';
    const lower = opts.after !== undefined && opts.after >= prefix ? { op: '>', v: opts.after } : { op: '>=', v: prefix };
    const end = prefix === '' ? undefined : prefixEnd(prefix);
    const upper = opts.before !== undefined && (end === undefined || opts.before < end) ? opts.before : end;
    const sql =
      `SELECT ${COLS} FROM records WHERE ns = @ns AND store = @store AND key ${lower.op} @lower` +
      (upper === undefined ? '' : ' AND key < @upper') +
      ` AND ${VISIBLE} ORDER BY key ${opts.reverse ? 'DESC' : 'ASC'} LIMIT @limit`;
    const rows = this.statement(sql).all({ ns, store, lower: lower.v, upper, limit: opts.limit, now: this.now }) as RecordRow[];
    // The range is exact in byte order; this only guards prefixes ending in U+10FFFF.
    return end === undefined && prefix !== '' ? rows.filter((r) => r.key.startsWith(prefix)) : rows;
  }

  scanByRank(ns: string, store: string, opts: RankScanOptions): RecordRow[] {
    const sql =
      `SELECT ${COLS} FROM records WHERE ns = @ns AND store = @store AND rank IS NOT NULL` +
      (opts.includeExpired ? '' : ` AND ${VISIBLE}`) +
      (opts.after
        ? opts.reverse
          ? ' AND (rank < @afterRank OR (rank = @afterRank AND key < @afterKey))'
          : ' AND (rank > @afterRank OR (rank = @afterRank AND key > @afterKey))'
        : '') +
      ` ORDER BY rank ${opts.reverse ? 'DESC' : 'ASC'}, key ${opts.reverse ? 'DESC' : 'ASC'} LIMIT @limit`;
    const cursor = opts.after ? { afterRank: opts.after.rank, afterKey: opts.after.key } : {};
    return this.statement(sql).all({ ns, store, limit: opts.limit, now: this.now, ...cursor }) as RecordRow[];
  }

  expiredKeys(store: string, limit: number): { ns: string; key: string }[] {
    return this.s.expired.all(store, this.now, limit) as { ns: string; key: string }[];
  }

  sizes(store: string): StoreSize[] {
    return this.s.sizes.all(store) as StoreSize[];
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
    return this.s.lastSeq.get() as number;
  }

  put(ns: string, store: string, key: string, value: string, opts: PutOptions): number {
    const version = this.event(ns, store, key, 'set');
    const rank = opts.rank === 'version' ? version : (opts.rank ?? null);
    this.s.upsert.run(ns, store, key, value, version, this.now, this.now, opts.expiresAt, rank);
    return version;
  }

  setRank(ns: string, store: string, key: string, rank: number): boolean {
    const changed = this.s.setRank.run(rank, ns, store, key).changes > 0;
    if (changed) this.mutations++;
    return changed;
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

  deletePrefix(ns: string, store: string, prefix: string): number {
    const end = prefixEnd(prefix);
    let n = 0;
    if (end !== undefined) n = this.s.deleteRange.run(ns, store, prefix, end).changes;
    else for (const r of this.scan(ns, store, { prefix, limit: Number.MAX_SAFE_INTEGER })) n += this.delete(ns, store, r.key) ? 1 : 0;
    if (n > 0) {
      this.mutations++;
      this.event(ns, store, prefix, 'deletePrefix');
    }
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

  scanWhere(ns: string, store: string, filter: FilterNode | undefined, opts: { limit: number; after?: string }): RecordRow[] {
    const f = filter ? compileFilter(filter, 'records.value', '$.metadata') : { sql: '1', params: [] };
    const sql = `SELECT ${COLS} FROM records WHERE ns = ? AND store = ? AND key > ? AND ${VISIBLE_POS} AND (${f.sql}) ORDER BY key LIMIT ?`;
    return this.statement(sql).all(ns, store, opts.after ?? '', this.now, ...f.params, opts.limit) as RecordRow[];
  }

  countWhere(ns: string, store: string, filter: FilterNode | undefined): number {
    const f = filter ? compileFilter(filter, 'records.value', '$.metadata') : { sql: '1', params: [] };
    const sql = `SELECT count(*) FROM records WHERE ns = ? AND store = ? AND ${VISIBLE_POS} AND (${f.sql})`;
    return this.statement(sql)
      .pluck()
      .get(ns, store, this.now, ...f.params) as number;
  }

  searchText(ns: string, store: string, query: string, opts: { limit: number; filter?: FilterNode }): { key: string; score: number }[] {
    const match = ftsQuery(query);
    if (match === undefined) return [];
    const f = opts.filter ? compileFilter(opts.filter, 'r.value', '$.metadata') : { sql: '1', params: [] };
    // bm25() is lower-is-better and negative; its negation is a score where higher is better.
    const sql =
      'SELECT r.key AS key, -bm25(texts) AS score FROM texts JOIN records r ON r.id = texts.rowid ' +
      `WHERE texts MATCH ? AND r.ns = ? AND r.store = ? AND (r.expires_at IS NULL OR r.expires_at > ?) AND (${f.sql}) ORDER BY bm25(texts) LIMIT ?`;
    return this.statement(sql).all(match, ns, store, this.now, ...f.params, opts.limit) as { key: string; score: number }[];
  }

  setText(ns: string, store: string, key: string, text: string | null): void {
    const id = this.s.recordId.get(ns, store, key) as number | undefined;
    if (id === undefined) throw new Error(`setText: no record ${store}/${key}`);
    this.s.textDelete.run(id);
    if (text !== null && text.length > 0) this.s.textInsert.run(id, text);
    this.mutations++;
  }

  deleteWhere(ns: string, store: string, filter: FilterNode): number {
    let n = 0;
    for (;;) {
      const batch = this.scanWhere(ns, store, filter, { limit: 500 });
      for (const r of batch) n += this.delete(ns, store, r.key) ? 1 : 0;
      if (batch.length < 500) return n;
    }
  }

  /** Scans come in a few shapes; each is prepared once per connection. */
  private statement(sql: string): Database.Statement {
    let st = this.scans.get(sql);
    if (!st) this.scans.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
}
