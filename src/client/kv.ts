import type { KvEntry, KvStore, KvTransaction, SetManyEntry, SetOptions } from '../api/kv.js';
import type { ListOptions, ListPage } from '../api/list.js';
import { ValidationError } from '../errors.js';
import { newCounters } from '../stores/context.js';
import type { KvContext } from '../stores/kv/ops.js';
import { checkOptions, checkPatchArgs, checkTtl } from '../stores/kv/ops.js';
import type { PatchOp } from '../values/patch.js';
import { deepFreeze, type DeepReadonly } from '../values/freeze.js';
import { FrozenValues } from '../values/frozen-cache.js';
import { validateKey } from '../values/keys.js';
import type { HttpTransport } from './http.js';
import { PatchBatcher } from './kv-patch.js';
import { remoteTransaction } from './kv-tx.js';

/** Deeply frozen, as the embedded store returns every value. */
export const frozen = <T>(v: T): T => (v === null || typeof v !== 'object' ? v : deepFreeze(v));
const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null || v === undefined ? undefined : v);

/** The context the embedded transaction code runs on, here: no engine, limits checked by the server. */
export function clientKvContext(ns: string, store: string, keyField: string): KvContext {
  // Counters are per run: remoteTransaction merges the deciding run's into the client's.
  return {
    engine: undefined as never,
    ns,
    maxValueBytes: Number.MAX_SAFE_INTEGER,
    frozen: new FrozenValues(),
    counters: newCounters,
    store,
    keyField,
  };
}

/** Updates of one key gathered into one commit. */
const MAX_BATCH = 64;

interface UpdateJob {
  readonly fn: (current: unknown) => unknown;
  readonly options: { ttlMs?: number } | undefined;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** kv over HTTP; see {@link KvStore}. */
export class RemoteKv implements KvStore {
  private readonly ctx: KvContext;
  private readonly updates = new Map<string, UpdateJob[]>();
  private readonly patches: PatchBatcher;

  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {
    this.ctx = clientKvContext(ns, 'kv', 'key');
    this.patches = new PatchBatcher(http, ns);
  }

  private call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return this.http.call<T>(`kv.${op}`, this.ns, args);
  }

  async get<T = unknown>(key: string): Promise<DeepReadonly<T> | undefined> {
    return frozen(await this.call<DeepReadonly<T> | undefined>('get', { key }));
  }
  async getEntry<T = unknown>(key: string): Promise<KvEntry<T> | undefined> {
    return orUndefined(frozen(await this.call<KvEntry<T> | undefined>('getEntry', { key })));
  }
  has(key: string): Promise<boolean> {
    return this.call('has', { key });
  }
  set(key: string, value: unknown, options?: SetOptions): Promise<{ version: number }> {
    return this.call('set', { key, value, options });
  }
  delete(key: string, options?: { ifVersion?: number }): Promise<boolean> {
    return this.call('delete', { key, options });
  }
  async getMany<T = unknown>(keys: readonly string[]): Promise<(DeepReadonly<T> | undefined)[]> {
    // Through the records, not kv.getMany: its answer says null both for a missing key and for a
    // stored null, and this method must tell them apart as the embedded store does.
    const entries = await this.getEntries<T>(keys);
    return entries.map((e) => e?.value);
  }
  async getEntries<T = unknown>(keys: readonly string[]): Promise<(KvEntry<T> | undefined)[]> {
    const entries = await this.call<unknown>('getEntries', { keys });
    // kv.getEntries is also a step of update and transaction, so the transport does not count it.
    this.http.counters.of('kv').reads++;
    return Array.isArray(entries) ? entries.map((e) => orUndefined(frozen(e)) as KvEntry<T> | undefined) : (entries as never);
  }
  setMany(entries: readonly SetManyEntry[]): Promise<{ versions: number[] }> {
    return this.call('setMany', { entries });
  }
  async patch<T = unknown>(
    key: string,
    ops: readonly PatchOp[],
    options?: { ifVersion?: number; ttlMs?: number },
  ): Promise<{ value: DeepReadonly<T> | undefined; version: number }> {
    // The embedded store's checks, before anything is sent.
    checkPatchArgs(key, ops, options, 'key');
    const r = await this.patches.patch(options === undefined ? { key, ops } : { key, ops, options });
    return { value: orUndefined(frozen(r.value as DeepReadonly<T> | undefined)), version: r.version };
  }
  async update<T = unknown>(
    key: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
    options?: { ttlMs?: number },
  ): Promise<DeepReadonly<T> | undefined> {
    // The embedded store's checks, in its order, before anything is sent.
    validateKey(key, 'key');
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    checkTtl(checkOptions(options, 'update').ttlMs);
    return new Promise((resolve, reject) => {
      const job: UpdateJob = { fn: fn as UpdateJob['fn'], options, resolve: resolve as UpdateJob['resolve'], reject };
      const queue = this.updates.get(key);
      if (queue) return void queue.push(job);
      this.updates.set(key, [job]);
      void this.drain(key);
    });
  }

  /**
   * The updates of one key made by this client's callers go together: each batch is one commit
   * (one round trip, every update its own write and event, in order), and while it is under way
   * the next callers queue for the next batch. Contention on a hot key is then between clients,
   * not between every caller of every client — as the embedded store's group commit gathers a
   * process's writes. A throwing `fn` fails only its own caller.
   */
  private async drain(key: string): Promise<void> {
    const queue = this.updates.get(key)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const results = await remoteTransaction(
          this.http,
          this.ctx,
          (tx) =>
            batch.map((j) => {
              try {
                return { value: tx.update(key, j.fn, j.options) };
              } catch (error) {
                return { error };
              }
            }),
          false,
        );
        results.forEach((r, i) => ('error' in r ? batch[i]!.reject(r.error) : batch[i]!.resolve(r.value)));
      } catch (e) {
        for (const j of batch) j.reject(e);
      }
    }
    this.updates.delete(key);
  }
  async transaction<R>(fn: (tx: KvTransaction) => R): Promise<R> {
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    return remoteTransaction(this.http, this.ctx, fn);
  }
  async list<T = unknown>(options?: ListOptions): Promise<ListPage<KvEntry<T>>> {
    const page = await this.call<ListPage<KvEntry<T>>>('list', { options });
    return frozen({ ...page, items: page.items.map((e) => frozen(e)) });
  }
  async clear(...args: never[]): Promise<number> {
    if (args.length > 0) throw new ValidationError('arguments', 'clear() takes no arguments; it removes every key of the namespace');
    return this.call('clear', {});
  }
}
