import { compareCodePoints } from '../code-points.js';
import type { FilterNode } from '../filter-ast.js';
import { prefixEnd } from '../prefix-end.js';
import { queryWords } from '../text-words.js';
import type { EventQuery, EventRow, PutOptions, RankScanOptions, RecordRow, ScanOptions, StoreSize, ValueRow, WriteTx } from '../types.js';
import { compilePgFilter } from './filter-sql.js';
import type { Statement, StatementResult } from './protocol.js';
import { decodeKey, decodeRows, encodeKey as enc } from './key-codec.js';
import { COLS, type Statements } from './statements.js';
import { RowCache, UNKNOWN } from './row-cache.js';
import { WriteBuffer } from './write-buffer.js';

/** Runs statements in order on this transaction's connection, synchronously (see bridge.ts). */
export type Exec = (statements: Statement[]) => StatementResult[];

const rowId = (ns: string, store: string, key: string) => `${ns}\u0000${store}\u0000${key}`;
const VISIBLE = (n: number) => `(expires_at IS NULL OR expires_at > $${n})`;

/**
 * The PostgreSQL implementation of the seam's transaction. Each read is one synchronous round
 * trip on the transaction's connection; puts are buffered (their version is the next seq, known
 * to the holder of the schema's write lock) and sent with the next statement or with COMMIT.
 *
 * A write batch runs several callbacks ("jobs") in one transaction. A job's buffered writes are
 * its own until it returns; a job that fails is undone by dropping them, and — if some already
 * reached the database — by rolling back to the savepoint taken just before they did.
 */
export class PgTx implements WriteTx {
  now = 0;
  /** Write mode: the last seq assigned (the database's at BEGIN, then ours). */
  seq = 0;
  /** A statement failed: the database transaction can only be rolled back. */
  aborted: unknown = undefined;
  private readonly base = new WriteBuffer();
  private readonly job = new WriteBuffer();
  private readonly rowsKnown = new RowCache();
  private prefix: Statement[] = [];
  private inJob = false;
  private jobSeq = 0;
  private savepoints = false;
  private savepointOpen = false;

  constructor(
    private readonly sql: Statements,
    private readonly exec: Exec,
    private readonly writing: boolean,
  ) {}

  /** Starts a write batch: `seq` as read under the lock; savepoints only when jobs share it. */
  beginBatch(seq: number, shared: boolean): void {
    this.seq = seq;
    this.savepoints = shared;
    this.aborted = undefined;
    this.prefix = [];
    this.base.clear();
    this.job.clear();
    this.rowsKnown.clear();
  }

  beginJob(now: number): void {
    this.now = now;
    this.inJob = true;
    this.jobSeq = this.seq;
    this.savepointOpen = false;
  }

  endJob(ok: boolean): void {
    if (ok) {
      this.base.absorb(this.job);
      this.rowsKnown.commitJob();
    } else {
      this.rowsKnown.dropJob();
      this.job.clear();
      this.seq = this.jobSeq;
    }
    if (this.savepointOpen) {
      if (!ok) this.prefix.push({ sql: 'ROLLBACK TO SAVEPOINT memex_job' });
      this.prefix.push({ sql: 'RELEASE SAVEPOINT memex_job' });
    }
    this.inJob = false;
    this.savepointOpen = false;
  }

  /** Whether a failed job left writes in the database that only a rollback of everything undoes. */
  get jobWroteUnprotected(): boolean {
    return this.inJob && !this.savepoints;
  }

  /** What COMMIT must carry: the writes still buffered, and the events retention trims. */
  finalStatements(trimBelowOrAt: number | undefined): Statement[] {
    return [...this.prefix.splice(0), ...this.base.drain(this.sql, trimBelowOrAt ?? 0)];
  }

  /**
   * One round trip: pending control statements, then (unless `flush` is false: a read that no
   * buffered write can affect) the buffered writes, then `sql`. A write clears what is known.
   */
  private run(sql: string, params: unknown[], writes = false, flush = true): StatementResult {
    if (this.aborted !== undefined) throw this.aborted as Error;
    if (writes) this.rowsKnown.clear();
    const list = [...this.prefix.splice(0)];
    if (flush) {
      list.push(...this.base.drain(this.sql));
      if (this.inJob && this.savepoints && !this.savepointOpen && (writes || !this.job.empty)) {
        list.push({ sql: 'SAVEPOINT memex_job' });
        this.savepointOpen = true;
      }
      list.push(...this.job.drain(this.sql));
    }
    list.push({ sql, params });
    try {
      const results = this.exec(list);
      return results[results.length - 1]!;
    } catch (e) {
      if (this.writing) this.aborted = e;
      throw e;
    }
  }

  private rows<T>(sql: string, params: unknown[]): T[] {
    return this.run(sql, params).rows as T[];
  }

  private buffer(): WriteBuffer {
    if (!this.writing) throw new TypeError('a read transaction cannot write');
    return this.inJob ? this.job : this.base;
  }

  get(ns: string, store: string, key: string): RecordRow | undefined {
    if (!this.writing) return decodeRows(this.rows<RecordRow>(this.sql.get, [ns, store, enc(key), this.now]))[0];
    const id = rowId(ns, store, key);
    let row = this.rowsKnown.lookup(id);
    if (row === UNKNOWN) {
      // Only this key's own buffered put could change the answer.
      const pending = this.job.has(ns, store, key) || this.base.has(ns, store, key);
      row = decodeRows(this.run(this.sql.getAny, [ns, store, enc(key)], false, pending).rows as unknown as RecordRow[])[0] ?? null;
      this.rowsKnown.remember(id, row);
    }
    return row !== null && (row.expiresAt === null || row.expiresAt > this.now) ? row : undefined;
  }

  getValue(ns: string, store: string, key: string): ValueRow | undefined {
    if (this.writing) return this.get(ns, store, key);
    return this.rows<ValueRow>(this.sql.getValue, [ns, store, enc(key), this.now])[0];
  }

  getIncludingExpired(ns: string, store: string, key: string): RecordRow | undefined {
    return decodeRows(this.rows<RecordRow>(this.sql.getAny, [ns, store, enc(key)]))[0];
  }

  scan(ns: string, store: string, opts: ScanOptions): RecordRow[] {
    const prefix = opts.prefix ?? '';
    const lower = opts.after !== undefined && opts.after >= prefix ? { op: '>', v: opts.after } : { op: '>=', v: prefix };
    const end = prefix === '' ? undefined : prefixEnd(prefix);
    const upper = opts.before !== undefined && (end === undefined || compareCodePoints(opts.before, end) < 0) ? opts.before : end;
    const params: unknown[] = [ns, store, enc(lower.v), this.now, opts.limit];
    if (upper !== undefined) params.push(enc(upper));
    const sql =
      `SELECT ${COLS} FROM ${this.sql.recordsTable} WHERE ns = $1 AND store = $2 AND key ${lower.op} $3` +
      (upper === undefined ? '' : ' AND key < $6') +
      ` AND ${VISIBLE(4)} ORDER BY key ${opts.reverse ? 'DESC' : 'ASC'} LIMIT $5`;
    const rows = decodeRows(this.rows<RecordRow>(sql, params));
    return end === undefined && prefix !== '' ? rows.filter((r) => r.key.startsWith(prefix)) : rows;
  }

  scanByRank(ns: string, store: string, opts: RankScanOptions): RecordRow[] {
    const sql =
      `SELECT ${COLS} FROM ${this.sql.recordsTable} WHERE ns = $1 AND store = $2 AND rank IS NOT NULL` +
      (opts.includeExpired ? ' AND $3::int8 IS NOT NULL' : ` AND ${VISIBLE(3)}`) +
      (opts.after ? (opts.reverse ? ' AND (rank < $5 OR (rank = $5 AND key < $6))' : ' AND (rank > $5 OR (rank = $5 AND key > $6))') : '') +
      ` ORDER BY rank ${opts.reverse ? 'DESC' : 'ASC'}, key ${opts.reverse ? 'DESC' : 'ASC'} LIMIT $4`;
    const params: unknown[] = [ns, store, this.now, opts.limit];
    if (opts.after) params.push(opts.after.rank, enc(opts.after.key));
    return decodeRows(this.rows<RecordRow>(sql, params));
  }

  expiredKeys(store: string, limit: number): { ns: string; key: string }[] {
    return decodeRows(this.rows<{ ns: string; key: string }>(this.sql.expired, [store, this.now, limit]));
  }

  sizes(store: string): StoreSize[] {
    return this.rows(this.sql.sizes, [store]);
  }

  count(ns: string, store: string): number {
    return this.rows<{ n: number }>(this.sql.count, [ns, store, this.now])[0]!.n;
  }

  countByStore(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows<{ store: string; n: number }>(this.sql.countByStore, [this.now])) out[r.store] = r.n;
    return out;
  }

  eventsSince(seq: number, q: EventQuery): EventRow[] {
    return decodeRows(this.rows<EventRow & { key: string | null }>(this.sql.events, [seq, q.store ?? null, q.ns ?? null, q.limit]));
  }

  lastSeq(): number {
    if (this.writing) return this.seq;
    return this.rows<{ seq: number }>(this.sql.lastSeq, [])[0]!.seq;
  }

  scanWhere(ns: string, store: string, filter: FilterNode | undefined, opts: { limit: number; after?: string }): RecordRow[] {
    const f = filter ? compilePgFilter(filter, 'r.value', ['metadata'], 5, this.sql.parseJson) : { sql: 'true', params: [] };
    const sql =
      `SELECT ${COLS} FROM ${this.sql.recordsTable} r WHERE ns = $1 AND store = $2 AND key > $3 AND ${VISIBLE(4)} AND (${f.sql}) ` +
      'ORDER BY key LIMIT $5';
    return decodeRows(this.rows<RecordRow>(sql, [ns, store, enc(opts.after ?? ''), this.now, opts.limit, ...f.params]));
  }

  countWhere(ns: string, store: string, filter: FilterNode | undefined): number {
    const f = filter ? compilePgFilter(filter, 'r.value', ['metadata'], 3, this.sql.parseJson) : { sql: 'true', params: [] };
    const sql = `SELECT count(*)::int8 AS n FROM ${this.sql.recordsTable} r WHERE ns = $1 AND store = $2 AND ${VISIBLE(3)} AND (${f.sql})`;
    return this.rows<{ n: number }>(sql, [ns, store, this.now, ...f.params])[0]!.n;
  }

  searchText(ns: string, store: string, query: string, opts: { limit: number; filter?: FilterNode }): { key: string; score: number }[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    // Letters and digits only, each quoted: nothing the user typed is tsquery syntax.
    const tsquery = words.map((w) => `'${w}'`).join(' | ');
    const f = opts.filter ? compilePgFilter(opts.filter, 'r.value', ['metadata'], 5, this.sql.parseJson) : { sql: 'true', params: [] };
    const sql =
      `SELECT r.key, ts_rank(r.tsv, q) AS score FROM ${this.sql.recordsTable} r, to_tsquery('simple', $3) q ` +
      `WHERE r.ns = $1 AND r.store = $2 AND r.tsv @@ q AND (r.expires_at IS NULL OR r.expires_at > $4) AND (${f.sql}) ` +
      'ORDER BY score DESC, r.key LIMIT $5';
    return decodeRows(this.rows<{ key: string; score: number }>(sql, [ns, store, tsquery, this.now, opts.limit, ...f.params]));
  }

  put(ns: string, store: string, key: string, value: string, opts: PutOptions): number {
    const b = this.buffer();
    const version = ++this.seq;
    const rank = opts.rank === 'version' ? version : (opts.rank ?? null);
    b.event({ seq: version, at: this.now, ns, store, key, op: 'set' });
    b.put({ ns, store, key, value, version, createdAt: this.now, updatedAt: this.now, expiresAt: opts.expiresAt, rank });
    const id = rowId(ns, store, key);
    const before = this.rowsKnown.lookup(id);
    if (before === UNKNOWN) this.rowsKnown.remember(id, UNKNOWN);
    else {
      const live = before !== null && (before.expiresAt === null || before.expiresAt > this.now);
      const createdAt = live ? before.createdAt : this.now;
      this.rowsKnown.remember(id, { key, value, version, createdAt, updatedAt: this.now, expiresAt: opts.expiresAt, rank });
    }
    return version;
  }

  setRank(ns: string, store: string, key: string, rank: number): boolean {
    this.buffer();
    return this.run(this.sql.setRank, [rank, ns, store, enc(key)], true).rowCount > 0;
  }

  delete(ns: string, store: string, key: string): boolean {
    this.buffer();
    const gone = this.run(this.sql.delete, [ns, store, enc(key)], true).rows[0] as { expiresAt: number | null } | undefined;
    if (gone === undefined || (gone.expiresAt !== null && gone.expiresAt <= this.now)) return false;
    this.event(ns, store, key, 'delete');
    return true;
  }

  deleteAll(ns: string, store: string): number {
    this.buffer();
    const n = (this.run(this.sql.deleteAll, [ns, store, this.now], true).rows[0] as { n: number }).n;
    if (n > 0) this.event(ns, store, null, 'clear');
    return n;
  }

  deletePrefix(ns: string, store: string, prefix: string): number {
    this.buffer();
    const end = prefixEnd(prefix);
    const r =
      end === undefined
        ? this.run(this.sql.deletePrefixAll, [ns, store, enc(prefix)], true)
        : this.run(this.sql.deleteRange, [ns, store, enc(prefix), enc(end)], true);
    if (r.rowCount > 0) this.event(ns, store, prefix, 'deletePrefix');
    return r.rowCount;
  }

  setText(ns: string, store: string, key: string, text: string | null): void {
    const b = this.buffer();
    if (!this.job.has(ns, store, key) && !this.base.has(ns, store, key) && this.run(this.sql.exists, [ns, store, enc(key)]).rows.length === 0) {
      throw new Error(`setText: no record ${store}/${key}`);
    }
    b.text(ns, store, key, text);
  }

  deleteWhere(ns: string, store: string, filter: FilterNode): number {
    this.buffer();
    const f = compilePgFilter(filter, 'r.value', ['metadata'], 3, this.sql.parseJson);
    const sql = `DELETE FROM ${this.sql.recordsTable} r WHERE ns = $1 AND store = $2 AND ${VISIBLE(3)} AND (${f.sql}) RETURNING key`;
    const keys = (this.run(sql, [ns, store, this.now, ...f.params], true).rows as { key: string }[])
      .map((r) => decodeKey(r.key))
      .sort(compareCodePoints);
    for (const k of keys) this.event(ns, store, k, 'delete');
    return keys.length;
  }

  purgeExpired(): number {
    this.buffer();
    return this.run(this.sql.purge, [this.now], true).rowCount;
  }

  private event(ns: string, store: string, key: string | null, op: string): void {
    this.buffer().event({ seq: ++this.seq, at: this.now, ns, store, key, op });
  }
}
