import type { EngineCapabilities, HealthCheck, LockStats } from '../engine/types.js';
import type { StoreCounters } from '../stores/context.js';
import type { Recall, RecallInput, RememberInput } from '../stores/memory/remember.js';
import type { Stores } from './stores.js';

/**
 * The stores of one namespace. Nothing in one namespace is visible from another.
 *
 * @example
 * ```ts
 * const user = mx.scope('acme/users/42');
 * await user.kv.update<number>('visits', (n = 0) => n + 1);
 * await user.conversations.append('t1', { role: 'user', content: 'hi' });
 * ```
 */
export interface MemexScope extends Stores {
  readonly ns: string;
  /**
   * Appends both turns to the conversation, indexes them in semantic memory and updates the
   * user's profile counters, in one transaction.
   * @example
   * ```ts
   * await mx.remember({ userId: 'u42', threadId: 't1', message: 'I like Python', response: 'Noted!' });
   * ```
   */
  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }>;
  /**
   * What an agent puts into its prompt: `{ profile, recent, relevant }`.
   * @example
   * ```ts
   * const { profile, recent, relevant } = await mx.recall({ userId: 'u42', threadId: 't1', query: 'languages' });
   * ```
   */
  recall(input: RecallInput): Promise<Recall>;
}

export interface MemexStats {
  /** Read calls served by this process. */
  reads: number;
  /** Writes committed by this process. */
  writes: number;
  /** Transactions committed: fewer than writes when group commit shared them. */
  commits: number;
  /** Compare-and-set mismatches (ConflictError) in this process. */
  conflicts: number;
  lock: LockStats & { avgWaitMs: number };
  /** Per store: this process's operation counts and the records stored (all processes). */
  stores: Record<string, StoreCounters & { records: number }>;
  /** Newest event seq in the store. */
  lastSeq: number;
  /** Writes of this process that failed with a `StorageError`, by driver code (`SQLITE_FULL`, `57P01`…). */
  storageErrors: Record<string, number>;
}

/** A namespace that holds records, and how many per store (expired-but-unpurged included). */
export interface NamespaceInfo {
  readonly ns: string;
  readonly records: Readonly<Record<string, number>>;
}

export interface MemexHealth {
  readonly ok: boolean;
  readonly checks: readonly HealthCheck[];
}

/** What the store behind a `Memex` can do; the conformance suite gates its groups on these. */
export type MemexCapabilities = EngineCapabilities;

/**
 * An open Memex store, however it was opened (embedded SQLite, another engine, later PostgreSQL
 * or the remote client): the root handle's stores use the namespace `default`.
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path: './memex.db' });
 * const user = mx.scope('acme/users/42');
 * await user.kv.update<number>('visits', (n = 0) => n + 1);
 * await mx.close();
 * ```
 */
export interface Memex extends MemexScope {
  /** What the store behind this handle can do (several processes, several hosts, backup, full text). */
  readonly capabilities: MemexCapabilities;
  /**
   * The stores of namespace `ns` (segments of `[A-Za-z0-9._-]` joined by `/`, at most 8 deep).
   * @example
   * ```ts
   * const alice = mx.scope('acme/users/alice');
   * ```
   */
  scope(ns: string): MemexScope;
  /**
   * Process-local counters plus per-store record counts.
   * @example
   * ```ts
   * const { writes, lock } = await mx.stats();
   * ```
   */
  stats(): Promise<MemexStats>;
  /**
   * Every namespace that holds records, in name order, with its record count per store (over
   * HTTP: those the token may read).
   * @example
   * ```ts
   * for (const { ns, records } of await mx.namespaces()) console.log(ns, records.kv ?? 0);
   * ```
   */
  namespaces(): Promise<NamespaceInfo[]>;
  /**
   * `{ ok, checks }`: storage reachable, integrity, and what the engine watches (WAL size, recent
   * lock timeouts).
   * @example
   * ```ts
   * const { ok, checks } = await mx.health();
   * ```
   */
  health(): Promise<MemexHealth>;
  /**
   * Writes a consistent copy of the whole store to `path` while it stays in use (engines with the
   * `backup` capability).
   * @example
   * ```ts
   * await mx.backup('./memex-backup.db');
   * ```
   */
  backup(path: string): Promise<void>;
  /**
   * Physically removes what has expired (it is already invisible): expired threads with their
   * messages, then every expired record.
   * @example
   * ```ts
   * const { purged, threads } = await mx.sweep();
   * ```
   */
  sweep(): Promise<{ purged: number; threads: number }>;
  /**
   * Finishes queued writes, stops watchers and releases the storage. Idempotent.
   * @example
   * ```ts
   * await mx.close();
   * ```
   */
  close(): Promise<void>;
}
