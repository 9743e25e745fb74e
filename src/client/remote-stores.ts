import type { StoreName, Stores } from '../api/stores.js';
import { RemoteCache, RemoteLocks } from './cache-locks.js';
import { RemoteEvents } from './events.js';
import type { HttpTransport } from './http.js';
import { RemoteKv } from './kv.js';
import { remoteProfiles } from './profiles.js';
import { vectorsOps } from '../contract/vectors.js';
import type { VectorsStore } from '../api/vectors.js';
import { remoteMethods } from './remote-methods.js';
import { blocksOps, memoriesOps } from '../contract/memories.js';
import { conversationsOps } from '../contract/conversations.js';
import { sitesOps } from '../contract/sites.js';
import type { ConversationsStore } from '../api/conversations.js';
import type { SitesStore } from '../api/sites.js';
import type { MemoriesStore } from '../api/memories.js';
import type { BlocksStore } from '../api/blocks.js';

/**
 * How the remote client builds each store of `Stores` for one namespace. A store of `Stores`
 * missing here, or built as something that is not its interface, does not compile.
 */
export const REMOTE_STORES = {
  kv: (http, ns) => new RemoteKv(http, ns),
  events: (http, ns) => new RemoteEvents(http, ns),
  sites: (http, ns) => remoteMethods<SitesStore>(http, ns, sitesOps),
  locks: (http, ns) => new RemoteLocks(http, ns),
  conversations: (http, ns) => remoteMethods<ConversationsStore>(http, ns, conversationsOps),
  profiles: (http, ns) => remoteProfiles(http, ns),
  cache: (http, ns) => new RemoteCache(http, ns),
  vectors: (http, ns) => remoteMethods<VectorsStore>(http, ns, vectorsOps),
  memories: (http, ns) => remoteMethods<MemoriesStore>(http, ns, memoriesOps),
  blocks: (http, ns) => remoteMethods<BlocksStore>(http, ns, blocksOps),
} satisfies { readonly [K in StoreName]: (http: HttpTransport, ns: string) => Stores[K] };

/** The store names, in the order the scope builds them. */
export const REMOTE_STORE_NAMES = Object.keys(REMOTE_STORES) as StoreName[];

/** A remote store that holds something to let go of when its client closes (a stream, a renewal timer). */
export const disposeOf = (store: unknown): void => (store as { dispose?: () => void }).dispose?.();
