import { cacheOps, locksOps } from './cache-locks.js';
import { conversationsOps } from './conversations.js';
import { eventsOps, memexOps } from './events-memex.js';
import { kvOps } from './kv.js';
import type { Op } from './op.js';
import { profilesOps } from './profiles.js';
import { sitesOps } from './sites.js';
import { vectorsOps } from './vectors.js';

export { opPath, type Access, type Op, type OpContext, type Retry } from './op.js';
export type { Holds } from './holds.js';

/** Every public operation, declared once: the server's routes, the OpenAPI document and the client come from this list. */
export const OPS: readonly Op[] = [
  ...kvOps,
  ...conversationsOps,
  ...cacheOps,
  ...vectorsOps,
  ...profilesOps,
  ...sitesOps,
  ...locksOps,
  ...eventsOps,
  ...memexOps,
];

/** Operations by id (`kv.get`, …). */
export const OP_BY_ID: ReadonlyMap<string, Op> = new Map(OPS.map((o) => [o.id, o]));
