export { openMemex, Memex, type MemexScope, type MemexStats, type MemexHealth } from './memex.js';
export type { MemexOptions } from './options.js';
export {
  MemexError,
  ValidationError,
  ConflictError,
  LockTimeoutError,
  LimitError,
  ClosedError,
  StorageError,
  isMemexError,
  type MemexErrorCode,
} from './errors.js';
export type { KvStore, SetManyEntry } from './stores/kv/kv.js';
export type { KvEntry, SetOptions } from './stores/kv/ops.js';
export type { KvTransaction } from './stores/kv/transaction.js';
export type { ListOptions, ListPage } from './stores/list-options.js';
export type { EventsStore, MemexEvent, SinceOptions, WatchOptions } from './stores/events.js';
export type { SitesStore } from './stores/sites/sites.js';
export type { SiteProfile, SelectorCandidate, SelectorGroup, SiteQuirk, SiteAction, VisitNote } from './stores/sites/site-profile.js';
export { LeaseLostError } from './stores/locks/locks.js';
export type { LocksStore, Lease, LockOptions, LockMode, LockInfo, LockHolderInfo, LockWaiterInfo } from './stores/locks/locks.js';
export type { ConversationsStore } from './stores/conversations/conversations.js';
export type { Message, NewMessage, ThreadInfo } from './stores/conversations/message.js';
export type { ConversationPolicy } from './stores/conversations/policy.js';
export type { ProfilesStore, ProfileEntry } from './stores/profiles.js';
export type { CacheStore, CacheKey, CacheStats } from './stores/cache/cache.js';
export type { CachePolicy } from './stores/cache/policy.js';
export type { VectorsStore, EmbedderLike } from './stores/vectors/vectors.js';
export type { VectorDoc, StoredDoc } from './stores/vectors/doc.js';
export type { SearchOptions, SearchHit, SearchMode } from './stores/vectors/search-options.js';
export type { RememberInput, RecallInput, Recall, MemoryCounters } from './stores/memory/remember.js';
export { HashingEmbedder } from './embed/hashing-embedder.js';
export { OpenAIEmbedder } from './embed/openai-embedder.js';
export type { OpenAIEmbedderOptions } from './embed/openai-options.js';
export { EmbeddingError, type EmbeddingErrorCode } from './embed/errors.js';
export { checkVector, cosine, l2normalize, type Embedder } from './embed/embedder.js';
export type { DeepReadonly } from './values/freeze.js';
export type { HealthCheck, LockStats } from './engine/types.js';
