import type { ProfilesStore } from '../api/profiles.js';
import type { VectorsStore } from '../api/vectors.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { ProfileEntry } from '../api/profiles.js';
import { checkedUpdate } from '../stores/profiles.js';
import type { StoredDoc, VectorDoc } from '../stores/vectors/doc.js';
import type { SearchHit, SearchOptions } from '../stores/vectors/search-options.js';
import { parseFrozen, type DeepReadonly } from '../values/freeze.js';
import { validateKey } from '../values/keys.js';
import { isThenable } from '../values/thenable.js';
import { typedReplacer } from '../values/typed.js';
import type { ListPage } from '../api/list.js';
import type { HttpTransport } from './http.js';
import { frozen } from './kv.js';
import { MAX_ATTEMPTS } from './kv-tx.js';

/** vectors over HTTP; see {@link VectorsStore}. The server embeds texts with its own embedder. */
export class RemoteVectors implements VectorsStore {
  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}
  private call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return this.http.call<T>(`vectors.${op}`, this.ns, args);
  }
  upsert(docs: VectorDoc | readonly VectorDoc[]): Promise<{ upserted: number }> {
    return this.call('upsert', { docs });
  }
  async get(id: string): Promise<StoredDoc | undefined> {
    const d = await this.call<(Omit<StoredDoc, 'vector'> & { vector: number[] }) | undefined>('get', { id });
    if (!d) return undefined;
    // Typed arrays cannot be frozen: the document is, its vector is a fresh copy (as embedded).
    return Object.freeze({ ...d, metadata: frozen(d.metadata), vector: Float32Array.from(d.vector) });
  }
  delete(id: string): Promise<boolean> {
    return this.call('delete', { id });
  }
  count(filter?: Record<string, unknown>): Promise<number> {
    return this.call('count', arguments.length === 0 ? {} : { filter });
  }
  deleteWhere(filter: Record<string, unknown>): Promise<{ deleted: number; total: number }> {
    return this.call('deleteWhere', { filter });
  }
  async search(query: SearchOptions): Promise<SearchHit[]> {
    return frozen(await this.call<SearchHit[]>('search', { query }));
  }
  async waitForIndex(): Promise<void> {
    await this.call('waitForIndex', {});
  }
}

/** profiles over HTTP; see {@link ProfilesStore}. `update` is a compare-and-set loop run here. */
export class RemoteProfiles implements ProfilesStore {
  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}
  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return frozen(await this.http.call<T>(`profiles.${op}`, this.ns, args));
  }
  get<T = Record<string, unknown>>(userId: string): Promise<DeepReadonly<T> | undefined> {
    return this.call('get', { userId });
  }
  getEntry<T = Record<string, unknown>>(userId: string): Promise<ProfileEntry<T> | undefined> {
    return this.call('getEntry', { userId });
  }
  set(userId: string, profile: object, options?: { ifVersion?: number }): Promise<{ version: number }> {
    return this.call('set', { userId, profile, options });
  }
  delete(userId: string, options?: { ifVersion?: number }): Promise<boolean> {
    return this.call('delete', { userId, options });
  }
  list<T = Record<string, unknown>>(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<ProfileEntry<T>>> {
    return this.call('list', { options });
  }
  async update<T = Record<string, unknown>>(
    userId: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
  ): Promise<DeepReadonly<T> | undefined> {
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    validateKey(userId, 'userId');
    const step = checkedUpdate(fn);
    for (let attempt = 1; ; attempt++) {
      const e = await this.getEntry<T>(userId);
      const next = step(e?.profile);
      if (isThenable(next)) throw new ValidationError('fn', 'must be synchronous; it returned a promise (use locks for async work)');
      try {
        if (next === undefined) {
          if (e) await this.delete(userId, { ifVersion: e.version });
          return undefined;
        }
        await this.set(userId, next as object, { ifVersion: e?.version ?? 0 });
        return parseFrozen<DeepReadonly<T>>(JSON.stringify(next, typedReplacer));
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
