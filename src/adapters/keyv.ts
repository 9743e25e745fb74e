import { EventEmitter } from 'node:events';
import type { KvStore } from '../api/kv.js';
import type { MemexScope } from '../api/memex.js';
import { kvEntries } from '../util/kv-pages.js';

/** Keys per page when clearing or iterating a namespace. */
const PAGE = 500;

/**
 * A Keyv 5 store on a Memex namespace: `new Keyv({ store: new KeyvMemex(mx.scope('cache')) })`.
 * Every Keyv call is one kv call (or one transaction), so several processes — or several machines
 * through PostgreSQL or `memex serve` — share one Keyv safely; TTLs are Memex's (the store's clock).
 * `clear()` removes only this Keyv namespace's keys; `disconnect()` leaves the Memex open (it is the
 * caller's). Failures reject the call and are emitted as `'error'` events, as Keyv expects.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv';
 * import { openMemex } from 'memex';
 * import { KeyvMemex } from 'memex/keyv';
 * const mx = await openMemex({ path: './memex.db' });
 * const keyv = new Keyv({ store: new KeyvMemex(mx.scope('sessions')), namespace: 'app' });
 * await keyv.set('user:1', { name: 'Ada' }, 60_000);
 * ```
 */
export class KeyvMemex extends EventEmitter {
  readonly opts: { dialect: 'memex'; url: string };
  /** Set by Keyv: keys arrive as `<namespace>:<key>`. */
  namespace?: string;
  private readonly kv: KvStore;

  constructor(scope: MemexScope) {
    super();
    this.kv = scope.kv;
    // Keyv offers `iterator()` only for adapters whose url names a backend on its list; Memex's
    // records live in SQLite (or PostgreSQL), so the url says that.
    this.opts = { dialect: 'memex', url: 'memex://sqlite' };
  }

  get<Value>(key: string): Promise<Value | undefined> {
    return this.guard(() => this.kv.get<Value>(key) as Promise<Value | undefined>);
  }

  getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    return this.guard(() => this.kv.getMany<Value>(keys) as Promise<(Value | undefined)[]>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.guard(() => this.kv.set(key, value, ttlOption(ttl)));
    return true;
  }

  async setMany(entries: { key: string; value: unknown; ttl?: number }[]): Promise<void> {
    await this.guard(() => this.kv.setMany(entries.map((e) => ({ key: e.key, value: e.value, ...ttlOption(e.ttl) }))));
  }

  delete(key: string): Promise<boolean> {
    return this.guard(() => this.kv.delete(key));
  }

  /** Deletes every key in one transaction; `true` when at least one existed. */
  deleteMany(keys: string[]): Promise<boolean> {
    return this.guard(() => this.kv.transaction((tx) => keys.map((k) => tx.delete(k)).some(Boolean)));
  }

  has(key: string): Promise<boolean> {
    return this.guard(() => this.kv.has(key));
  }

  hasMany(keys: string[]): Promise<boolean[]> {
    return this.guard(async () => (await this.kv.getMany(keys)).map((v) => v !== undefined));
  }

  /** Removes this Keyv namespace's keys (the whole Memex namespace when Keyv has none). */
  async clear(): Promise<void> {
    await this.guard(async () => {
      if (!this.namespace) return void (await this.kv.clear());
      const prefix = `${this.namespace}:`;
      for (;;) {
        const { items } = await this.kv.list({ prefix, limit: PAGE });
        if (items.length === 0) return;
        await this.kv.transaction((tx) => items.forEach((e) => tx.delete(e.key)));
      }
    });
  }

  /** `[key, value]` pairs of a Keyv namespace, a page at a time. */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value], void> {
    try {
      for await (const e of kvEntries<Value>(this.kv, namespace ? `${namespace}:` : '', PAGE)) yield [e.key, e.value as Value];
    } catch (e) {
      this.reportError(e);
      throw e;
    }
  }

  /** Nothing to release: the Memex belongs to the caller, who closes it. */
  async disconnect(): Promise<void> {}

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      this.reportError(e);
      throw e;
    }
  }

  private reportError(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }
}

/** Keyv's ttl (ms; 0 or absent = none) as kv's option. */
function ttlOption(ttl: number | undefined): { ttlMs?: number } {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? { ttlMs: Math.max(1, Math.round(ttl)) } : {};
}
