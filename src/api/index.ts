/**
 * The public interfaces users program against. The embedded classes in `stores/` implement them;
 * so do the other ways of opening a store (PostgreSQL, the remote client). Types only.
 */
export type { Memex, MemexScope, MemexStats, MemexHealth, MemexCapabilities } from './memex.js';
export type { Stores, StoreName } from './stores.js';
export type { PatchOp } from '../values/patch.js';
export type { KvStore, KvEntry, KvTransaction, SetOptions, SetManyEntry } from './kv.js';
export type { ListOptions, ListPage } from './list.js';
export type { EventsStore, MemexEvent, SinceOptions, WatchOptions } from './events.js';
export type { ConversationsStore } from './conversations.js';
export type { CacheStore } from './cache.js';
export type { VectorsStore } from './vectors.js';
export type { ProfilesStore } from './profiles.js';
export type { SitesStore } from './sites.js';
export type { LocksStore } from './locks.js';
