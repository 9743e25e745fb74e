/**
 * A deliberately tiny engine over in-memory Maps, written only for the tests: the proof that the
 * seam and the conformance suites are engine-agnostic. Writes run one at a time per storage
 * (callbacks are synchronous, so one is never interleaved with another) and are undone from a log
 * when the callback throws. Two engines opened on the same `MapStorage` share it, as two
 * connections to one database would. It lacks full-text search, backup and several processes.
 */
import { ClosedError } from '../../src/errors.js';
import type { FilterNode } from '../../src/engine/filter-ast.js';
import type {
  Engine,
  EngineCapabilities,
  EngineFactory,
  EngineOpenOptions,
  EngineStats,
  EventQuery,
  EventRow,
  HealthCheck,
  PutOptions,
  RankScanOptions,
  RecordRow,
  ScanOptions,
  StoreSize,
  WriteTx,
} from '../../src/engine/types.js';
import { compareCodePoints } from '../../src/engine/code-points.js';
import { matchesFilter } from '../../src/stores/vectors/filter-match.js';

type Row = { -readonly [K in keyof RecordRow]: RecordRow[K] } & { ns: string; store: string };

/** What outlives one engine instance: the records, the feed and the write queue's tail. */
export class MapStorage {
  readonly rows = new Map<string, Row>();
  events: EventRow[] = [];
  seq = 0;
  tail: Promise<unknown> = Promise.resolve();
}

const id = (ns: string, store: string, key: string) => `${ns}\u0000${store}\u0000${key}`;
const byKey = (a: Row, b: Row) => compareCodePoints(a.key, b.key);

class MapTx implements WriteTx {
  now = 0;
  /** Undo steps of the running write, newest last. */
  undo: (() => void)[] | undefined;

  constructor(
    private readonly s: MapStorage,
    private readonly maxEvents: number,
  ) {}

  private visible = (r: Row | undefined): r is Row => r !== undefined && (r.expiresAt === null || r.expiresAt > this.now);
  private rowsOf(ns: string, store: string, includeExpired = false): Row[] {
    return [...this.s.rows.values()].filter((r) => r.ns === ns && r.store === store && (includeExpired || this.visible(r)));
  }

  get(ns: string, store: string, key: string): RecordRow | undefined {
    const r = this.s.rows.get(id(ns, store, key));
    return this.visible(r) ? { ...r } : undefined;
  }
  getValue(ns: string, store: string, key: string) {
    const r = this.get(ns, store, key);
    return r && { version: r.version, value: r.value, expiresAt: r.expiresAt };
  }
  getIncludingExpired(ns: string, store: string, key: string): RecordRow | undefined {
    const r = this.s.rows.get(id(ns, store, key));
    return r && { ...r };
  }
  scan(ns: string, store: string, o: ScanOptions): RecordRow[] {
    const rows = this.rowsOf(ns, store)
      .filter((r) => r.key.startsWith(o.prefix ?? ''))
      .filter(
        (r) => (o.after === undefined || compareCodePoints(r.key, o.after) > 0) && (o.before === undefined || compareCodePoints(r.key, o.before) < 0),
      )
      .sort(byKey);
    if (o.reverse) rows.reverse();
    return rows.slice(0, o.limit).map((r) => ({ ...r }));
  }
  scanByRank(ns: string, store: string, o: RankScanOptions): RecordRow[] {
    const order = (a: { rank: number | null; key: string }, b: { rank: number; key: string }) => a.rank! - b.rank || compareCodePoints(a.key, b.key);
    const rows = this.rowsOf(ns, store, o.includeExpired)
      .filter((r) => r.rank !== null)
      .filter((r) => !o.after || (o.reverse ? order(r, o.after) < 0 : order(r, o.after) > 0))
      .sort((a, b) => order(a, { rank: b.rank!, key: b.key }));
    if (o.reverse) rows.reverse();
    return rows.slice(0, o.limit).map((r) => ({ ...r }));
  }
  expiredKeys(store: string, limit: number) {
    return [...this.s.rows.values()]
      .filter((r) => r.store === store && r.expiresAt !== null && r.expiresAt <= this.now)
      .slice(0, limit)
      .map((r) => ({ ns: r.ns, key: r.key }));
  }
  sizes(store: string): StoreSize[] {
    const out = new Map<string, { ns: string; count: number; bytes: number }>();
    for (const r of this.s.rows.values()) {
      if (r.store !== store) continue;
      const s = out.get(r.ns) ?? { ns: r.ns, count: 0, bytes: 0 };
      s.count++;
      s.bytes += Buffer.byteLength(r.value);
      out.set(r.ns, s);
    }
    return [...out.values()];
  }
  scanWhere(ns: string, store: string, filter: FilterNode | undefined, o: { limit: number; after?: string }): RecordRow[] {
    return this.rowsOf(ns, store)
      .filter((r) => (o.after === undefined || compareCodePoints(r.key, o.after) > 0) && this.matches(r, filter))
      .sort(byKey)
      .slice(0, o.limit)
      .map((r) => ({ ...r }));
  }
  countWhere(ns: string, store: string, filter: FilterNode | undefined): number {
    return this.rowsOf(ns, store).filter((r) => this.matches(r, filter)).length;
  }
  searchText(): { key: string; score: number }[] {
    throw new Error('the map engine has no full-text search (capabilities.fullText is false)');
  }
  count(ns: string, store: string): number {
    return this.rowsOf(ns, store).length;
  }
  countByStore(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.s.rows.values()) if (this.visible(r)) out[r.store] = (out[r.store] ?? 0) + 1;
    return out;
  }
  eventsSince(seq: number, q: EventQuery): EventRow[] {
    return this.s.events
      .filter((e) => e.seq > seq && (q.store === undefined || e.store === q.store) && (q.ns === undefined || e.ns === q.ns))
      .slice(0, q.limit);
  }
  lastSeq(): number {
    return this.s.seq;
  }

  put(ns: string, store: string, key: string, value: string, o: PutOptions): number {
    const version = this.event(ns, store, key, 'set');
    const old = this.s.rows.get(id(ns, store, key));
    const createdAt = old && this.visible(old) ? old.createdAt : this.now;
    const rank = o.rank === 'version' ? version : (o.rank ?? null);
    this.setRow(id(ns, store, key), { ns, store, key, value, version, createdAt, updatedAt: this.now, expiresAt: o.expiresAt, rank });
    return version;
  }
  setRank(ns: string, store: string, key: string, rank: number): boolean {
    const r = this.s.rows.get(id(ns, store, key));
    if (!r) return false;
    this.setRow(id(ns, store, key), { ...r, rank });
    return true;
  }
  delete(ns: string, store: string, key: string): boolean {
    const r = this.s.rows.get(id(ns, store, key));
    if (!r) return false;
    this.setRow(id(ns, store, key), undefined);
    if (!this.visible(r)) return false;
    this.event(ns, store, key, 'delete');
    return true;
  }
  deleteAll(ns: string, store: string): number {
    const all = this.rowsOf(ns, store, true);
    const n = all.filter(this.visible).length;
    for (const r of all) this.setRow(id(ns, store, r.key), undefined);
    if (n > 0) this.event(ns, store, null, 'clear');
    return n;
  }
  deletePrefix(ns: string, store: string, prefix: string): number {
    const doomed = this.rowsOf(ns, store, true).filter((r) => r.key.startsWith(prefix));
    for (const r of doomed) this.setRow(id(ns, store, r.key), undefined);
    if (doomed.length > 0) this.event(ns, store, prefix, 'deletePrefix');
    return doomed.length;
  }
  setText(): void {
    // No full-text index to keep: the seam lets an engine without `fullText` ignore texts.
  }
  deleteWhere(ns: string, store: string, filter: FilterNode): number {
    let n = 0;
    for (const r of this.scanWhere(ns, store, filter, { limit: Number.MAX_SAFE_INTEGER })) n += this.delete(ns, store, r.key) ? 1 : 0;
    return n;
  }
  purgeExpired(): number {
    const expired = [...this.s.rows.entries()].filter(([, r]) => r.expiresAt !== null && r.expiresAt <= this.now);
    for (const [k] of expired) this.setRow(k, undefined);
    return expired.length;
  }

  private matches(r: Row, filter: FilterNode | undefined): boolean {
    return filter === undefined || matchesFilter(filter, (JSON.parse(r.value) as { metadata?: unknown }).metadata);
  }
  private setRow(k: string, next: Row | undefined): void {
    const prev = this.s.rows.get(k);
    this.undo!.push(() => (prev ? this.s.rows.set(k, prev) : this.s.rows.delete(k)));
    if (next) this.s.rows.set(k, next);
    else this.s.rows.delete(k);
  }
  private event(ns: string, store: string, key: string | null, op: string): number {
    const seq = ++this.s.seq;
    const events = this.s.events;
    this.undo!.push(() => {
      this.s.seq = seq - 1;
      this.s.events = events;
    });
    // Retention keeps the newest maxEvents; a new array so that the undo can restore the old one.
    this.s.events = [...events, { seq, at: this.now, ns, store, key, op, version: seq }].slice(-this.maxEvents);
    return seq;
  }
}

class MapEngine implements Engine {
  readonly kind = 'map';
  readonly clockSource = 'given';
  readonly capabilities: EngineCapabilities = {
    multiProcess: false,
    multiHost: false,
    durableFull: false,
    backup: false,
    persistent: true,
    fullText: false,
  };
  private readonly tx: MapTx;
  private closed = false;
  private readonly counts = { reads: 0, writes: 0 };

  constructor(
    private readonly s: MapStorage,
    private readonly o: EngineOpenOptions,
  ) {
    this.tx = new MapTx(s, o.maxEvents);
  }

  derivedPath(): undefined {
    return undefined;
  }
  read<T>(fn: (tx: MapTx) => T): Promise<T> {
    return this.snapshot(fn);
  }
  async snapshot<T>(fn: (tx: MapTx) => T): Promise<T> {
    this.assertOpen();
    this.counts.reads++;
    this.tx.now = this.o.clock();
    return fn(this.tx);
  }
  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    this.assertOpen();
    const run = this.s.tail.then(() => {
      this.tx.now = this.o.clock();
      this.tx.undo = [];
      try {
        const out = fn(this.tx);
        this.counts.writes++;
        return out;
      } catch (e) {
        for (const step of this.tx.undo.reverse()) step();
        throw e;
      } finally {
        this.tx.undo = undefined;
      }
    });
    this.s.tail = run.catch(() => undefined);
    return run;
  }
  stats(): EngineStats {
    const lock = { acquisitions: this.counts.writes, waits: 0, totalWaitMs: 0, maxWaitMs: 0, timeouts: 0, busyRetries: 0 };
    return { reads: this.counts.reads, writes: this.counts.writes, commits: this.counts.writes, lock, recentTimeouts: [] };
  }
  async health(): Promise<HealthCheck[]> {
    this.assertOpen();
    return [{ name: 'storage', ok: true, detail: `map engine, ${this.s.rows.size} records` }];
  }
  async backup(): Promise<void> {
    throw new Error('the map engine cannot back up (capabilities.backup is false)');
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.s.tail;
  }
  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

/** An engine factory over `storage` (a fresh one unless given). */
export function mapEngine(storage = new MapStorage()): EngineFactory {
  return { kind: 'map', open: (o) => new MapEngine(storage, o) };
}
