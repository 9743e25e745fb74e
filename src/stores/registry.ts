import type { StoreName, Stores } from '../api/stores.js';
import { cacheModule } from './cache/cache.js';
import { conversationsModule } from './conversations/conversations.js';
import { eventsModule } from './events.js';
import { kvModule } from './kv/kv.js';
import { locksModule } from './locks/locks.js';
import { memoryModule, type Memory } from './memory/remember.js';
import type { StoreModule } from './module.js';
import { profilesModule } from './profiles.js';
import { sitesModule } from './sites/sites.js';
import { vectorsModule } from './vectors/vectors.js';
import { memoriesModule } from './memories/memories.js';
import { blocksModule } from './blocks/blocks.js';

/**
 * Every store a scope holds, by its name in `Stores` (api/stores.ts), in the order they are built
 * (a store may use those before it: the cache uses the locks; memory uses conversations, profiles
 * and vectors) and closed. `memory` is not a store of its own: it is what `remember`/`recall`
 * run on. A store of `Stores` missing here, or whose module builds something else, does not compile.
 */
export const STORE_MODULES = {
  kv: kvModule,
  events: eventsModule,
  sites: sitesModule,
  locks: locksModule,
  conversations: conversationsModule,
  profiles: profilesModule,
  cache: cacheModule,
  vectors: vectorsModule,
  memories: memoriesModule,
  blocks: blocksModule,
  memory: memoryModule,
} satisfies { readonly [K in StoreName]: StoreModule<Stores[K]> } & { readonly memory: StoreModule<Memory> };

/** A module's name: a store's, or `memory`. */
export type ModuleName = keyof typeof STORE_MODULES;

/** The registry's modules in build order, each with its name. */
export const MODULES = Object.entries(STORE_MODULES) as readonly (readonly [ModuleName, StoreModule<unknown>])[];

/** The names of the stores of `Stores`, in build order. */
export const STORE_NAMES = MODULES.flatMap(([name]) => (name === 'memory' ? [] : [name]));
