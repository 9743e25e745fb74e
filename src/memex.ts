import type { Memex, MemexCapabilities, MemexHealth, MemexScope, MemexStats, NamespaceInfo } from './api/memex.js';
import { ClosedError, ValidationError } from './errors.js';
import type { Engine } from './engine/types.js';
import { WriteFailures } from './write-failures.js';
import { MonotonicClock } from './values/monotonic-clock.js';
import { configFor, remoteOptions, resolveOptions, type MemexOptions, type StoreConfig } from './options.js';
import { RemoteMemex } from './client/remote-memex.js';
import { newCounters, type StoreContext, type StoreCounters } from './stores/context.js';
import type { Memory, Recall, RecallInput, RememberInput } from './stores/memory/remember.js';
import type { SweepResult } from './stores/module.js';
import { MODULES, STORE_NAMES, type ModuleName } from './stores/registry.js';
import { recordOf } from './util/record-of.js';
import type { Stores } from './api/stores.js';
import { FrozenValues } from './values/frozen-cache.js';
import { validateNamespace } from './values/namespace.js';

const DEFAULT_NS = 'default';

/** One namespace's stores as built by their modules, with the scope handed to callers. */
interface BuiltScope {
  readonly scope: MemexScope;
  /** Each store by its module's name. */
  readonly stores: ReadonlyMap<ModuleName, unknown>;
}

/** The stores of `Stores`, as properties of every scope (assigned from the registry). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- see the class
export interface EngineMemex extends Stores {}

/**
 * The stores written against the seam, over any engine: what `openMemex` returns for the embedded
 * SQLite engine and for every engine passed in. Users program against the {@link Memex} interface.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the stores are the registry's, assigned in the constructor: one list (api/stores.ts), not one field per store here
export class EngineMemex implements Memex {
  readonly ns = DEFAULT_NS;
  readonly capabilities: MemexCapabilities;
  private readonly root: MemexScope;
  private readonly scopes = new Map<string, BuiltScope>();
  /** Counters by namespace, then store: a scope's stores count their own (a tenant's cache stats are its own). */
  private readonly counters = new Map<string, Map<string, StoreCounters>>();
  private readonly frozen = new FrozenValues();
  private closed = false;
  private readonly writeFailures = new WriteFailures();
  private readonly engine: Engine;

  constructor(
    engine: Engine,
    private readonly config: StoreConfig,
    /** The clock the engine was given, for the `clock` health check (absent: the engine's own). */
    private readonly clock?: MonotonicClock,
  ) {
    // Every store writes through this view, so a failing disk shows in health() and stats().
    this.engine = this.writeFailures.watch(engine);
    this.capabilities = engine.capabilities;
    const root = (this.root = this.build(DEFAULT_NS).scope);
    Object.assign(
      this,
      recordOf<Stores>(STORE_NAMES, (name) => root[name]),
    );
  }

  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }> {
    return this.root.remember(input);
  }

  recall(input: RecallInput): Promise<Recall> {
    return this.root.recall(input);
  }

  scope(ns: string): MemexScope {
    this.assertOpen();
    validateNamespace(ns);
    return (this.scopes.get(ns) ?? this.build(ns)).scope;
  }

  async stats(): Promise<MemexStats> {
    this.assertOpen();
    const e = this.engine.stats();
    const { records, lastSeq } = await this.engine.snapshot((tx) => ({ records: tx.countByStore(), lastSeq: tx.lastSeq() }));
    const stores: MemexStats['stores'] = {};
    const totals = sumCounters(this.counters.values());
    for (const name of new Set([...totals.keys(), ...Object.keys(records)])) {
      stores[name] = { ...(totals.get(name) ?? newCounters()), records: records[name] ?? 0 };
    }
    const conflicts = [...totals.values()].reduce((n, c) => n + c.conflicts, 0);
    const avgWaitMs = e.lock.waits === 0 ? 0 : e.lock.totalWaitMs / e.lock.waits;
    return {
      reads: e.reads,
      writes: e.writes,
      commits: e.commits,
      conflicts,
      lock: { ...e.lock, avgWaitMs },
      stores,
      lastSeq,
      storageErrors: this.writeFailures.counts(),
    };
  }

  async namespaces(): Promise<NamespaceInfo[]> {
    this.assertOpen();
    return this.engine.snapshot((tx) => {
      const out = new Map<string, Record<string, number>>();
      for (const store of Object.keys(tx.countByStore())) {
        for (const s of tx.sizes(store)) {
          const r = out.get(s.ns) ?? {};
          r[store] = s.count;
          out.set(s.ns, r);
        }
      }
      return [...out.keys()].sort().map((ns) => ({ ns, records: out.get(ns)! }));
    });
  }

  async health(): Promise<MemexHealth> {
    const checks = [...(await this.engine.health()), this.writeFailures.check()];
    if (this.clock) checks.push(this.clock.check());
    const lastSeq = await this.engine.read((tx) => tx.lastSeq()).catch(() => undefined);
    if (lastSeq !== undefined) {
      for (const { stores } of this.scopes.values()) {
        for (const [name, m] of MODULES) {
          const store = stores.get(name);
          const c = store === undefined ? undefined : m.health?.(store, lastSeq);
          if (c) checks.push(c);
        }
      }
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  async backup(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw new ValidationError('path', 'must be a non-empty file path');
    await this.engine.backup(path);
  }

  async sweep(): Promise<SweepResult> {
    this.assertOpen();
    const result: SweepResult = { purged: 0, threads: 0 };
    const counter = (store: string) => this.counter(DEFAULT_NS, store);
    const run = async (phase: 'before' | 'after') => {
      for (const [, m] of MODULES) if (m.sweep?.phase === phase) Object.assign(result, await m.sweep.run(this.engine, counter));
    };
    await run('before');
    result.purged = await this.engine.write((tx) => tx.purgeExpired());
    await run('after');
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending: Promise<void>[] = [];
    for (const { stores } of this.scopes.values()) {
      for (const [name, m] of MODULES) {
        const p = m.close?.(stores.get(name));
        if (p) pending.push(p);
      }
    }
    await this.engine.close();
    await Promise.all(pending);
  }

  private build(ns: string): BuiltScope {
    const ctx: StoreContext = {
      engine: this.engine,
      ns,
      maxValueBytes: this.config.maxValueBytes,
      frozen: this.frozen,
      counters: (store) => this.counter(ns, store),
    };
    const stores = new Map<ModuleName, unknown>();
    const lookup = <S>(name: ModuleName): S => {
      if (!stores.has(name)) throw new Error(`store "${name}" is used before it is built: reorder STORE_MODULES`);
      return stores.get(name) as S;
    };
    const config = configFor(this.config, ns);
    for (const [name, m] of MODULES) stores.set(name, m.create(ctx, config, lookup));
    const memory = lookup<Memory>('memory');
    const scope: MemexScope = Object.freeze({
      ns,
      ...recordOf<Stores>(STORE_NAMES, (name) => lookup(name)),
      remember: (i: RememberInput) => memory.remember(i),
      recall: (i: RecallInput) => memory.recall(i),
    });
    const built = { scope, stores };
    this.scopes.set(ns, built);
    return built;
  }

  private counter(ns: string, store: string): StoreCounters {
    let byStore = this.counters.get(ns);
    if (!byStore) this.counters.set(ns, (byStore = new Map<string, StoreCounters>()));
    let c = byStore.get(store);
    if (!c) byStore.set(store, (c = newCounters()));
    return c;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

/** Each store's counters summed over namespaces. */
function sumCounters(namespaces: Iterable<Map<string, StoreCounters>>): Map<string, StoreCounters> {
  const out = new Map<string, StoreCounters>();
  for (const byStore of namespaces) {
    for (const [store, c] of byStore) {
      const t = out.get(store) ?? newCounters();
      for (const [k, v] of Object.entries(c)) t[k] = (t[k] ?? 0) + v;
      out.set(store, t);
    }
  }
  return out;
}

/**
 * Opens a Memex store. The embedded default (`path`) is one SQLite file shared safely by any
 * number of processes and worker threads on this host; `url: 'postgres://…'` opens the
 * PostgreSQL engine (fleet mode); `url: 'http://…'` connects to a `memex serve` (the remote client,
 * the same interface); `engine` opens any other engine.
 *
 * @example
 * ```ts
 * import { openMemex } from 'memex';
 * const mx = await openMemex({ path: './memex.db', durability: 'full' });
 * const fleet = await openMemex({ url: 'postgres://memex:memex@127.0.0.1:5432/memex' });
 * const remote = await openMemex({ url: 'http://127.0.0.1:7077', token: process.env.MEMEX_TOKEN });
 * ```
 */
export async function openMemex(options: MemexOptions): Promise<Memex> {
  const remote = remoteOptions(options);
  if (remote) return RemoteMemex.connect(remote);
  const o = resolveOptions(options);
  const clock = new MonotonicClock(o.clock);
  const engine = await o.engine.open({ clock: clock.now, customClock: o.customClock, lockTimeoutMs: o.lockTimeoutMs, maxEvents: o.maxEvents });
  // An engine that reads its storage's clock does not use this one: nothing to check.
  return new EngineMemex(engine, o, (engine.clockSource ?? 'given') === 'given' ? clock : undefined);
}
