import type { DeepReadonly } from '../values/freeze.js';
import type { ListPage } from './list.js';

/** A profile snapshot with its version. */
export interface ProfileEntry<T> {
  readonly userId: string;
  readonly profile: DeepReadonly<T>;
  readonly version: number;
  readonly updatedAt: number;
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
export interface ProfilesStore {
  /** The profile of `userId` (deeply frozen), or `undefined`. */
  get<T = Record<string, unknown>>(userId: string): Promise<DeepReadonly<T> | undefined>;

  /** The profile with its version, for compare-and-set. */
  getEntry<T = Record<string, unknown>>(userId: string): Promise<ProfileEntry<T> | undefined>;

  /**
   * Replaces the profile; `ifVersion` makes it a compare-and-set (`0` = only if absent).
   * @example
   * ```ts
   * await mx.profiles.set('u42', { name: 'Ada' }, { ifVersion: 0 });
   * ```
   */
  set(userId: string, profile: object, options?: { ifVersion?: number }): Promise<{ version: number }>;

  /**
   * Atomic read-modify-write, like `kv.update`: `fn` is synchronous, sees a frozen snapshot and
   * returns the new profile (or `undefined` to delete it).
   * @example
   * ```ts
   * await mx.profiles.update<{ visits: number }>('u42', (p) => ({ visits: (p?.visits ?? 0) + 1 }));
   * ```
   */
  update<T = Record<string, unknown>>(
    userId: string,
    fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined,
  ): Promise<DeepReadonly<T> | undefined>;

  /** Removes the profile; resolves whether it existed. */
  delete(userId: string, options?: { ifVersion?: number }): Promise<boolean>;

  /**
   * Profiles in `userId` order, a page at a time.
   * @example
   * ```ts
   * const { items, cursor } = await mx.profiles.list({ prefix: 'acme-', limit: 50 });
   * ```
   */
  list<T = Record<string, unknown>>(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<ProfileEntry<T>>>;
}
