import { ValidationError } from '../errors.js';
import type { KvEntry } from '../api/kv.js';
import type { ListPage } from '../api/list.js';
import type { DeepReadonly } from '../values/freeze.js';
import { typeName, validateKey } from '../values/keys.js';
import { isThenable } from '../values/thenable.js';
import type { StoreContext } from './context.js';
import { Kv } from './kv/kv.js';
import { applyUpdate, type KvContext } from './kv/ops.js';
import type { WriteTx } from '../engine/types.js';

import { PROFILES } from './names.js';

import type { ProfileEntry, ProfilesStore } from '../api/profiles.js';
import { storeModule } from './module.js';

const toProfile = <T>(e: KvEntry<T>): ProfileEntry<T> =>
  Object.freeze({ userId: e.key, profile: e.value, version: e.version, updatedAt: e.updatedAt });

function checkProfile(p: unknown, field: string): void {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new ValidationError(field, `must be a plain object, got ${typeName(p)}`);
}

/** Wraps an update callback so that what it returns must be a profile (an object) or `undefined`. */
export function checkedUpdate<T>(fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined) {
  return (cur: DeepReadonly<T> | undefined) => {
    const next = fn(cur);
    // A promise is refused by kv's own check with a clearer message.
    if (next !== undefined && !isThenable(next)) checkProfile(next, 'profile returned by fn');
    return next;
  };
}

function checkNoTtl(options: unknown): void {
  if (options !== null && typeof options === 'object' && 'ttlMs' in options) {
    throw new ValidationError('options.ttlMs', 'profiles do not expire; delete them instead');
  }
}

/**
 * User context as immutable snapshots: every read is a deeply frozen copy (typed
 * `DeepReadonly<T>`), so an agent can hand it to a prompt builder without defensive copies, and a
 * mutation attempted on it throws in strict mode and never reaches the store.
 *
 * @example
 * ```ts
 * type Profile = { name: string; visits: number; prefs: { lang: string } };
 * await mx.profiles.set('u42', { name: 'Ada', visits: 0, prefs: { lang: 'en' } });
 * const p = await mx.profiles.update<Profile>('u42', (p) => ({ ...p!, visits: p!.visits + 1 }));
 * ```
 */
export class Profiles implements ProfilesStore {
  private readonly records: Kv;
  private readonly kvCtx: KvContext;

  constructor(ctx: StoreContext) {
    this.kvCtx = { ...ctx, store: PROFILES, keyField: 'userId' };
    this.records = new Kv(this.kvCtx);
  }

  /** The profile of `userId` (deeply frozen), or `undefined`. */
  async get<T = Record<string, unknown>>(userId: string): Promise<DeepReadonly<T> | undefined> {
    return this.records.get<T>(userId);
  }

  /** The profile with its version, for compare-and-set. */
  async getEntry<T = Record<string, unknown>>(userId: string): Promise<ProfileEntry<T> | undefined> {
    const e = await this.records.getEntry<T>(userId);
    return e && toProfile(e);
  }

  /**
   * Replaces the profile; `ifVersion` makes it a compare-and-set (`0` = only if absent).
   * @example
   * ```ts
   * await mx.profiles.set('u42', { name: 'Ada' }, { ifVersion: 0 });
   * ```
   */
  async set(userId: string, profile: object, options?: { ifVersion?: number }): Promise<{ version: number }> {
    checkProfile(profile, 'profile');
    checkNoTtl(options);
    return this.records.set(userId, profile, options);
  }

  /**
   * Atomic read-modify-write, like `kv.update`: `fn` is synchronous, sees a frozen snapshot and
   * returns the new profile (or `undefined` to delete it).
   * @example
   * ```ts
   * await mx.profiles.update<{ visits: number }>('u42', (p) => ({ visits: (p?.visits ?? 0) + 1 }));
   * ```
   */
  async update<T = Record<string, unknown>>(
    userId: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
  ): Promise<DeepReadonly<T> | undefined> {
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    return this.records.update<T>(userId, checkedUpdate(fn));
  }

  /**
   * The read-modify-write of `update` inside a write transaction that is already open (so
   * `remember` changes the profile atomically with its other writes). Resolves the new profile.
   */
  updateInTx<T = Record<string, unknown>>(
    tx: WriteTx,
    userId: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T>,
  ): DeepReadonly<T> | undefined {
    return applyUpdate<T>(this.kvCtx, tx, validateKey(userId, 'userId'), checkedUpdate(fn), undefined).value;
  }

  /** Removes the profile; resolves whether it existed. */
  async delete(userId: string, options?: { ifVersion?: number }): Promise<boolean> {
    return this.records.delete(userId, options);
  }

  /**
   * Profiles in `userId` order, a page at a time.
   * @example
   * ```ts
   * const { items, cursor } = await mx.profiles.list({ prefix: 'acme-', limit: 50 });
   * ```
   */
  async list<T = Record<string, unknown>>(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<ProfileEntry<T>>> {
    const page = await this.records.list<T>(options);
    return { items: page.items.map(toProfile), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
  }
}

/** The profiles' wiring. */
export const profilesModule = storeModule({ create: (ctx) => new Profiles(ctx) });
