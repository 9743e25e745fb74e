import { cacheModule } from './cache/cache.js';
import { conversationsModule } from './conversations/conversations.js';
import { eventsModule } from './events.js';
import { kvModule } from './kv/kv.js';
import { locksModule } from './locks/locks.js';
import { memoryModule } from './memory/remember.js';
import type { StoreModule } from './module.js';
import { profilesModule } from './profiles.js';
import { sitesModule } from './sites/sites.js';
import { vectorsModule } from './vectors/vectors.js';

/**
 * Every store a scope holds, in the order they are built (a store may use those before it: the
 * cache uses the locks; memory uses conversations, profiles and vectors) and closed.
 */
export const STORE_MODULES: readonly StoreModule<unknown>[] = [
  kvModule,
  eventsModule,
  sitesModule,
  locksModule,
  conversationsModule,
  profilesModule,
  cacheModule,
  vectorsModule,
  memoryModule,
];
