import type { StoreName } from '../api/stores.js';
import { cacheOps, locksOps } from './cache-locks.js';
import { conversationsOps } from './conversations.js';
import { eventsOps, memexOps } from './events-memex.js';
import { kvOps } from './kv.js';
import type { Op } from './op.js';
import { profilesOps } from './profiles.js';
import { sitesOps } from './sites.js';
import { vectorsOps } from './vectors.js';
import { blocksOps, memoriesOps } from './memories.js';

export { opPath, unknownField, type Access, type Op, type OpContext, type Retry } from './op.js';
export type { Holds } from './holds.js';

/** Each store's operations: a store of `Stores` without its entry here does not compile. */
const STORE_OPS = {
  kv: kvOps,
  conversations: conversationsOps,
  cache: cacheOps,
  vectors: vectorsOps,
  profiles: profilesOps,
  sites: sitesOps,
  locks: locksOps,
  events: eventsOps,
  memories: memoriesOps,
  blocks: blocksOps,
} satisfies Record<StoreName, readonly Op[]>;

/** Every public operation, declared once: the server's routes, the OpenAPI document and the client come from this list. */
export const OPS: readonly Op[] = [...Object.values(STORE_OPS).flat(), ...memexOps];

/** Operations by id (`kv.get`, …). */
export const OP_BY_ID: ReadonlyMap<string, Op> = new Map(OPS.map((o) => [o.id, o]));
