/**
 * THE SEAM. Stores are written once against these interfaces; nothing above this file knows SQL
 * or a driver, nothing below it knows what a conversation or a cache entry is.
 *
 * A transaction callback is synchronous: it may not await anything, so no engine ever holds its
 * write lock across user I/O. A networked engine may run a callback more than once (it re-runs it
 * after fetching what it asked for), so callbacks must have no effects outside `tx`.
 */
import type { FilterNode } from './filter-ast.js';

/** One stored record. `value` is serialized JSON; `version` never repeats for a key. */
export interface RecordRow {
  readonly key: string;
  readonly value: string;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
  /** A store-defined order (LRU recency, activity); `null` when the store does not use one. */
  readonly rank: number | null;
}

/** One entry of the change feed. */
export interface EventRow {
  readonly seq: number;
  readonly at: number;
  readonly ns: string;
  readonly store: string;
  readonly key: string | null;
  readonly op: string;
  readonly version: number | null;
}

export interface ScanOptions {
  /** Only keys that start with this string. */
  readonly prefix?: string;
  /** Only keys strictly greater than this one (a cursor). */
  readonly after?: string;
  /** Only keys strictly less than this one. */
  readonly before?: string;
  /** Newest key first. */
  readonly reverse?: boolean;
  readonly limit: number;
}

/** Records in (rank, key) order. */
export interface RankScanOptions {
  readonly limit: number;
  /** Highest rank first. */
  readonly reverse?: boolean;
  /** Include records past their expiry (eviction must see them: they still take space). */
  readonly includeExpired?: boolean;
  /**
   * Only records after this one in the scan's (rank, key) order — ascending, or descending with
   * `reverse` — a cursor for paging either way.
   */
  readonly after?: { readonly rank: number; readonly key: string };
}

/** Physical size of one store in one namespace, expired-but-unpurged records included. */
export interface StoreSize {
  readonly ns: string;
  readonly count: number;
  readonly bytes: number;
}

export interface EventQuery {
  readonly limit: number;
  readonly store?: string;
  readonly ns?: string;
}

/** What {@link ReadTx.getValue} reads of a record. */
export interface ValueRow {
  readonly version: number;
  readonly value: string;
  readonly expiresAt: number | null;
}

/** Reads inside one consistent snapshot. Records past their `expiresAt` are invisible. */
export interface ReadTx {
  /** The clock reading this transaction uses for expiry. */
  readonly now: number;
  get(ns: string, store: string, key: string): RecordRow | undefined;
  /**
   * Only the version, value and expiry of a visible record: the cheapest read, for hot paths
   * (`kv.get`, the read of `kv.update`), which need no timestamps or rank.
   */
  getValue(ns: string, store: string, key: string): ValueRow | undefined;
  /** Like `get`, but also returns a record past its expiry (for size bookkeeping). */
  getIncludingExpired(ns: string, store: string, key: string): RecordRow | undefined;
  scan(ns: string, store: string, opts: ScanOptions): RecordRow[];
  /** Records that have a rank, lowest first (or highest with `reverse`). */
  scanByRank(ns: string, store: string, opts: RankScanOptions): RecordRow[];
  /** Keys of one store whose expiry has passed, in every namespace (for sweep hooks). */
  expiredKeys(store: string, limit: number): { ns: string; key: string }[];
  /** Count and bytes of a store in every namespace, expired-but-unpurged records included. */
  sizes(store: string): StoreSize[];
  /** Records matching a metadata filter (`value.metadata`), in key order. */
  scanWhere(ns: string, store: string, filter: FilterNode | undefined, opts: { limit: number; after?: string }): RecordRow[];
  /** How many records match a metadata filter. */
  countWhere(ns: string, store: string, filter: FilterNode | undefined): number;
  /**
   * Full-text search over texts set with `setText`: keys best first with a relevance score
   * (higher is better). `query` is plain user text; the engine builds a safe query from its words.
   */
  searchText(ns: string, store: string, query: string, opts: { limit: number; filter?: FilterNode }): { key: string; score: number }[];
  count(ns: string, store: string): number;
  /** Number of visible records per store (all namespaces). */
  countByStore(): Record<string, number>;
  eventsSince(seq: number, q: EventQuery): EventRow[];
  lastSeq(): number;
}

export interface PutOptions {
  readonly expiresAt: number | null;
  /** The record's rank; `'version'` uses the version this put produces (a monotonic order). */
  readonly rank?: number | 'version' | null;
}

/** A write transaction: all or nothing; each mutation appends its event in the same transaction. */
export interface WriteTx extends ReadTx {
  /** Inserts or replaces; returns the new version (the event's `seq`). */
  put(ns: string, store: string, key: string, value: string, opts: PutOptions): number;
  /** Removes a visible record; returns whether there was one. */
  delete(ns: string, store: string, key: string): boolean;
  /** Removes every record of a store in a namespace; one `clear` event; returns the count. */
  deleteAll(ns: string, store: string): number;
  /** Removes every record whose key starts with `prefix`; one `deletePrefix` event; returns the count. */
  deletePrefix(ns: string, store: string, prefix: string): number;
  /** Changes only the rank (an LRU touch): no event, the version stays. Returns whether it existed. */
  setRank(ns: string, store: string, key: string, rank: number): boolean;
  /**
   * Indexes (or with `null`, un-indexes) a record's text for `searchText`; the record must exist.
   * An engine without `capabilities.fullText` ignores it.
   */
  setText(ns: string, store: string, key: string, text: string | null): void;
  /** Removes every record matching a metadata filter, one `delete` event each; returns the count. */
  deleteWhere(ns: string, store: string, filter: FilterNode): number;
  /** Physically removes records whose expiry has passed (all namespaces); returns the count. */
  purgeExpired(): number;
}

/** What an engine can do beyond the required surface; tests switch on these, never on names. */
export interface EngineCapabilities {
  /** Writers in other OS processes on this host see a consistent, serializable store. */
  readonly multiProcess: boolean;
  /** Writers on other machines do too. */
  readonly multiHost: boolean;
  /** `durability: 'full'` survives power loss. */
  readonly durableFull: boolean;
  /** `backup(path)` writes a consistent copy. */
  readonly backup: boolean;
  /** Data outlives the engine instance: a store opened again on the same storage sees it. */
  readonly persistent: boolean;
  /** `setText` / `searchText` are available. */
  readonly fullText: boolean;
}

export interface LockStats {
  /** Write transactions begun. */
  acquisitions: number;
  /** Of those, how many had to wait for another connection. */
  waits: number;
  totalWaitMs: number;
  maxWaitMs: number;
  /** Calls that gave up after `lockTimeoutMs`. */
  timeouts: number;
  /** Times the driver answered "busy" and we tried again. */
  busyRetries: number;
}

export interface EngineStats {
  reads: number;
  /** Write callbacks committed. */
  writes: number;
  /** Transactions committed: with group commit, several writes share one. */
  commits: number;
  lock: LockStats;
  /** Unix ms of each of the recent lock timeouts (bounded). */
  recentTimeouts: number[];
}

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The check's measure where it has one (connections in use, events behind), for metrics. */
  readonly value?: number;
}

/**
 * What Memex hands every engine when it opens one: the facts the stores above the seam rely on,
 * so that each engine applies them the same way.
 */
export interface EngineOpenOptions {
  /** Source of "now" (Unix ms) for `tx.now`: TTLs, timestamps, leases. */
  readonly clock: () => number;
  /** Longest a call may wait for contention before it fails with `LockTimeoutError`. */
  readonly lockTimeoutMs: number;
  /** Change-feed retention: the newest `maxEvents` events are kept. */
  readonly maxEvents: number;
  /**
   * True when the caller chose `clock` (a test's manual clock): the engine must use it. Otherwise
   * an engine shared by several machines uses one clock for all of them (the database's).
   */
  readonly customClock?: boolean;
}

/**
 * Builds an engine: what `openMemex({ engine })` takes. Engine-specific settings (a file path,
 * durability, a connection string) are given to the function that makes the factory.
 *
 * @example
 * ```ts
 * import { openMemex, sqliteEngine } from 'memex';
 * const mx = await openMemex({ engine: sqliteEngine({ path: './memex.db', durability: 'full' }) });
 * ```
 */
export interface EngineFactory {
  /** A short name for messages and health checks (`'sqlite'`). Never used to decide behaviour. */
  readonly kind: string;
  open(options: EngineOpenOptions): Engine | Promise<Engine>;
}

/**
 * A storage engine: what every store is written against. To implement one, see the SQLite engine
 * (`src/engine/sqlite/engine.ts`) as the example, and run the exported conformance suites
 * (`memex/testing`: `engineConformance` for the seam, `memexConformance` for every store) against
 * it. What an implementation must provide:
 *
 * - `write(fn)` runs `fn` atomically and serializably against every other writer of the same
 *   storage (other processes and machines included, as far as its capabilities claim), appends one
 *   event per mutation in the same transaction, and uses the event's `seq` as the record's new
 *   `version`. `fn` is synchronous and may be run more than once (an engine that fetches lazily
 *   re-runs it), so it has no effects outside `tx`; a throwing `fn` writes nothing.
 * - `read(fn)` / `snapshot(fn)` never wait for writers; `snapshot` sees one consistent state.
 * - Records past `expiresAt` (on `tx.now`, the engine's clock) are invisible at once.
 * - Errors are `MemexError`s: `LockTimeoutError` after `lockTimeoutMs` of contention,
 *   `StorageError` (with the driver's code) for the storage's own failures, `ClosedError` after
 *   `close()`.
 */
export interface Engine {
  /** A short name for messages and health checks. Never used to decide behaviour. */
  readonly kind: string;
  readonly capabilities: EngineCapabilities;
  /**
   * Where `tx.now` comes from when the caller gave no clock of its own: `'given'` (the clock in
   * `EngineOpenOptions`, Memex's monotonic one) or `'storage'` (the storage's own, as PostgreSQL
   * reads the database's clock so every node agrees). Memex watches the given clock in `health()`
   * only where the engine uses it. @default 'given'
   */
  readonly clockSource?: 'given' | 'storage';
  /**
   * Where a store may keep files derived from the records (a saved search index) under `name`,
   * or `undefined` when derived state must stay in memory (private or remote storage).
   */
  derivedPath(name: string): string | undefined;
  /** Runs `fn` for reads that are a single statement each (no snapshot across statements). */
  read<T>(fn: (tx: ReadTx) => T): Promise<T>;
  /** Runs `fn` against one consistent snapshot, however many reads it makes. */
  snapshot<T>(fn: (tx: ReadTx) => T): Promise<T>;
  /** Runs `fn` atomically under the write lock; resolves once durable per the durability setting. */
  write<T>(fn: (tx: WriteTx) => T): Promise<T>;
  stats(): EngineStats;
  /** The engine's own checks: storage reachable, integrity, and what it watches. */
  health(): Promise<HealthCheck[]>;
  /** A consistent copy of the whole storage at `path` (only with `capabilities.backup`). */
  backup(path: string): Promise<void>;
  /** Lets queued writes finish, then releases the connection. */
  close(): Promise<void>;
}
