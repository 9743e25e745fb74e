import { ClosedError, ValidationError } from './errors.js';
import { SqliteEngine } from './engine/sqlite/engine.js';
import type { Engine, HealthCheck, LockStats } from './engine/types.js';
import { resolveOptions, type MemexOptions, type ResolvedOptions } from './options.js';
import { ConversationsStore, sweepConversations } from './stores/conversations/conversations.js';
import { bump, newCounters, type StoreContext, type StoreCounters } from './stores/context.js';
import { EventsStore } from './stores/events.js';
import { CacheStore, resyncCacheSizes } from './stores/cache/cache.js';
import { KvStore } from './stores/kv/kv.js';
import { KV } from './stores/kv/ops.js';
import { recall, remember, type MemoryParts, type Recall, type RecallInput, type RememberInput } from './stores/memory/remember.js';
import { VectorsStore } from './stores/vectors/vectors.js';
import { ProfilesStore } from './stores/profiles.js';
import { LocksStore } from './stores/locks/locks.js';
import { SitesStore } from './stores/sites/sites.js';
import { FrozenValues } from './values/frozen-cache.js';
import { validateNamespace } from './values/namespace.js';

/** The stores of one namespace. Nothing in one namespace is visible from another. */
export interface MemexScope {
  readonly ns: string;
  readonly kv: KvStore;
  readonly events: EventsStore;
  readonly sites: SitesStore;
  readonly locks: LocksStore;
  readonly conversations: ConversationsStore;
  readonly profiles: ProfilesStore;
  readonly cache: CacheStore;
  readonly vectors: VectorsStore;
  /** Appends both turns, indexes them and bumps the user's counters, in one transaction. */
  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }>;
  /** The profile, the thread's recent messages and the user's relevant earlier turns. */
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
  /** Newest event seq in the file. */
  lastSeq: number;
}

export interface MemexHealth {
  readonly ok: boolean;
  readonly checks: readonly HealthCheck[];
}

const DEFAULT_NS = 'default';

/**
 * An open Memex store. The root handle's stores use the namespace `default`.
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path: './memex.db' });
 * const user = mx.scope('acme/users/42');
 * await user.kv.update<number>('visits', (n = 0) => n + 1);
 * await mx.close();
 * ```
 */
export class Memex implements MemexScope {
  readonly ns = DEFAULT_NS;
  readonly kv: KvStore;
  readonly events: EventsStore;
  readonly sites: SitesStore;
  readonly locks: LocksStore;
  readonly conversations: ConversationsStore;
  readonly profiles: ProfilesStore;
  readonly cache: CacheStore;
  readonly vectors: VectorsStore;
  private readonly scopes = new Map<string, MemexScope>();
  private readonly rootScope: MemexScope;
  private readonly counters = new Map<string, StoreCounters>();
  private readonly frozen = new FrozenValues();
  private closed = false;

  private constructor(
    private readonly engine: Engine,
    private readonly o: ResolvedOptions,
  ) {
    const root = this.makeScope(DEFAULT_NS);
    this.kv = root.kv;
    this.events = root.events;
    this.sites = root.sites;
    this.locks = root.locks;
    this.conversations = root.conversations;
    this.profiles = root.profiles;
    this.cache = root.cache;
    this.vectors = root.vectors;
    this.rootScope = root;
  }

  /** @internal use {@link openMemex} */
  static open(options: MemexOptions): Memex {
    const o = resolveOptions(options);
    const engine = SqliteEngine.open({ ...o });
    return new Memex(engine, o);
  }

  /**
   * The stores of namespace `ns` (segments of `[A-Za-z0-9._-]` joined by `/`, at most 8 deep).
   * @example
   * ```ts
   * const alice = mx.scope('acme/users/alice');
   * ```
   */
  scope(ns: string): MemexScope {
    this.assertOpen();
    validateNamespace(ns);
    return this.scopes.get(ns) ?? this.makeScope(ns);
  }

  /**
   * Appends both turns to the conversation, indexes them in semantic memory and updates the
   * user's profile counters, in one transaction.
   * @example
   * ```ts
   * await mx.remember({ userId: 'u42', threadId: 't1', message: 'I like Python', response: 'Noted!' });
   * ```
   */
  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }> {
    return this.rootScope.remember(input);
  }

  /**
   * What an agent puts into its prompt: `{ profile, recent, relevant }`.
   * @example
   * ```ts
   * const { profile, recent, relevant } = await mx.recall({ userId: 'u42', threadId: 't1', query: 'languages' });
   * ```
   */
  recall(input: RecallInput): Promise<Recall> {
    return this.rootScope.recall(input);
  }

  /** Process-local counters plus per-store record counts. */
  async stats(): Promise<MemexStats> {
    this.assertOpen();
    const e = this.engine.stats();
    const { records, lastSeq } = await this.engine.snapshot((tx) => ({ records: tx.countByStore(), lastSeq: tx.lastSeq() }));
    const stores: MemexStats['stores'] = {};
    for (const name of new Set([...this.counters.keys(), ...Object.keys(records)])) {
      stores[name] = { ...(this.counters.get(name) ?? newCounters()), records: records[name] ?? 0 };
    }
    const conflicts = [...this.counters.values()].reduce((n, c) => n + c.conflicts, 0);
    const avgWaitMs = e.lock.waits === 0 ? 0 : e.lock.totalWaitMs / e.lock.waits;
    return { reads: e.reads, writes: e.writes, commits: e.commits, conflicts, lock: { ...e.lock, avgWaitMs }, stores, lastSeq };
  }

  /** Storage reachable, integrity (quick_check), WAL size, recent lock timeouts. */
  async health(): Promise<MemexHealth> {
    const checks = await this.engine.health();
    return { ok: checks.every((c) => c.ok), checks };
  }

  /**
   * Writes a consistent copy of the whole store to `path` while it stays in use.
   * @example
   * ```ts
   * await mx.backup('./memex-backup.db');
   * ```
   */
  async backup(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw new ValidationError('path', 'must be a non-empty file path');
    await this.engine.backup(path);
  }

  /**
   * Physically removes what has expired (it is already invisible): expired threads with their
   * messages, then every expired record. Resolves the counts.
   */
  async sweep(): Promise<{ purged: number; threads: number }> {
    this.assertOpen();
    const threads = await sweepConversations(this.engine);
    bump(this.counter('conversations'), 'expirations', threads);
    const purged = await this.engine.write((tx) => tx.purgeExpired());
    await resyncCacheSizes(this.engine);
    return { purged, threads };
  }

  /** Finishes queued writes, stops watchers and releases the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const flushes: Promise<void>[] = [];
    for (const s of this.scopes.values()) {
      s.events.stopAll();
      s.locks.dispose();
      s.vectors.flush();
      // flush() enqueues its write synchronously, so it lands before the engine refuses new calls.
      flushes.push(s.cache.flush());
    }
    await this.engine.close();
    await Promise.all(flushes);
  }

  private makeScope(ns: string): MemexScope {
    const ctx: StoreContext = {
      engine: this.engine,
      ns,
      maxValueBytes: this.o.maxValueBytes,
      dataPath: this.o.path === ':memory:' ? undefined : this.o.path,
      frozen: this.frozen,
      counters: (store) => this.counter(store),
    };
    const locks = new LocksStore(ctx);
    const conversations = new ConversationsStore(ctx, this.o.conversations);
    const profiles = new ProfilesStore(ctx);
    const vectors = new VectorsStore(ctx, this.o.embedder);
    const parts: MemoryParts = { ctx, policy: this.o.conversations, embedder: this.o.embedder, conversations, profiles, vectors };
    const scope: MemexScope = Object.freeze({
      ns,
      kv: new KvStore({ ...ctx, store: KV, keyField: 'key' }),
      events: new EventsStore(ctx),
      sites: new SitesStore(ctx),
      locks,
      cache: new CacheStore(ctx, this.o.cache, locks),
      conversations,
      profiles,
      vectors,
      remember: (input: RememberInput) => remember(parts, input),
      recall: (input: RecallInput) => recall(parts, input),
    });
    this.scopes.set(ns, scope);
    return scope;
  }

  private counter(store: string): StoreCounters {
    let c = this.counters.get(store);
    if (!c) this.counters.set(store, (c = newCounters()));
    return c;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

/**
 * Opens a Memex store. The embedded default is one SQLite file shared safely by any number of
 * processes and worker threads on this host.
 *
 * @example
 * ```ts
 * import { openMemex } from 'memex';
 * const mx = await openMemex({ path: './memex.db', durability: 'full' });
 * ```
 */
export async function openMemex(options: MemexOptions): Promise<Memex> {
  return Memex.open(options);
}
