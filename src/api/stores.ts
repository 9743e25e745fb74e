import type { CacheStore } from './cache.js';
import type { ConversationsStore } from './conversations.js';
import type { EventsStore } from './events.js';
import type { KvStore } from './kv.js';
import type { LocksStore } from './locks.js';
import type { ProfilesStore } from './profiles.js';
import type { SitesStore } from './sites.js';
import type { VectorsStore } from './vectors.js';
import type { MemoriesStore } from './memories.js';
import type { BlocksStore } from './blocks.js';

/**
 * The one list of the stores a scope holds: property name → public interface. The embedded
 * registry (stores/registry.ts), the remote client's factories (client/remote-stores.ts) and the
 * conformance suites (testing/conformance.ts) are records over these names checked with
 * `satisfies`, so a store missing from any of them, or of the wrong type, does not compile.
 *
 * @example
 * ```ts
 * import type { Stores } from 'memex';
 * const kvOf = (s: Stores) => s.kv;
 * ```
 */
export interface Stores {
  readonly kv: KvStore;
  readonly events: EventsStore;
  readonly sites: SitesStore;
  readonly locks: LocksStore;
  readonly conversations: ConversationsStore;
  readonly profiles: ProfilesStore;
  readonly cache: CacheStore;
  readonly vectors: VectorsStore;
  readonly memories: MemoriesStore;
  readonly blocks: BlocksStore;
}

/** The name of one store of a scope (`'kv'`, `'vectors'`, …). */
export type StoreName = keyof Stores;
