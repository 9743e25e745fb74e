export { openMemex } from './memex.js';
export type { MemexOptions } from './options.js';
export type * from './api/index.js';
export { sqliteEngine } from './engine/sqlite/factory.js';
export { postgresEngine } from './engine/postgres/factory.js';
export type { PostgresSettings } from './engine/postgres/options.js';
export type { SqliteSettings } from './engine/sqlite/options.js';
export type {
  Engine,
  EngineFactory,
  EngineOpenOptions,
  EngineCapabilities,
  EngineStats,
  ReadTx,
  WriteTx,
  RecordRow,
  ValueRow,
  EventRow,
  PutOptions,
  ScanOptions,
  RankScanOptions,
  StoreSize,
  EventQuery,
  HealthCheck,
  LockStats,
} from './engine/types.js';
export type { FilterNode } from './engine/filter-ast.js';
export {
  MemexError,
  ValidationError,
  ConflictError,
  LockTimeoutError,
  LimitError,
  ClosedError,
  StorageError,
  AccessError,
  ComputeError,
  LeaseLostError,
  LlmError,
  type LlmFailure,
  isMemexError,
  type MemexErrorCode,
} from './errors.js';
export type { StoreCounters } from './stores/context.js';
export type { SiteProfile, SelectorCandidate, SelectorGroup, SiteQuirk, SiteAction, VisitNote } from './stores/sites/site-profile.js';
export type { Lease, LockOptions, LockMode } from './stores/locks/locks.js';
export type { LockInfo, LockHolderInfo, LockWaiterInfo } from './api/locks.js';
export type { Message, NewMessage, ThreadInfo } from './stores/conversations/message.js';
export type { ConversationPolicy } from './stores/conversations/policy.js';
export type { ProfileEntry } from './api/profiles.js';
export type { CacheKey, CacheStats } from './api/cache.js';
export type { CachePolicy } from './stores/cache/policy.js';
export type { EmbedderLike } from './stores/vectors/vectors.js';
export type { VectorDoc, StoredDoc } from './stores/vectors/doc.js';
export type { SearchOptions, SearchHit, SearchMode } from './stores/vectors/search-options.js';
export type { RememberInput, RecallInput, Recall, MemoryCounters } from './stores/memory/remember.js';
export { HashingEmbedder } from './embed/hashing-embedder.js';
export { OpenAIEmbedder } from './embed/openai-embedder.js';
export type { OpenAIEmbedderOptions } from './embed/openai-options.js';
export { EmbeddingError, type EmbeddingErrorCode } from './embed/errors.js';
export { checkVector, cosine, l2normalize, type Embedder } from './embed/embedder.js';
export type { DeepReadonly } from './values/freeze.js';
export type {
  Fact,
  FactHit,
  FactInput,
  FactOp,
  FactOutcome,
  FactSearch,
  FactSource,
  FactVersion,
  IngestMessage,
  IngestResult,
  CurateOptions,
  UpdateFactOptions,
  InvalidateOptions,
  FactListOptions,
  MemoriesStore,
} from './api/memories.js';
export type { Block, BlockWriteOptions, BlocksStore } from './api/blocks.js';
export type { Llm, LlmRequest, LlmAnswer } from './llm/llm.js';
export { openAiChat, type OpenAiChatOptions } from './llm/openai-chat.js';
export { DEFAULT_PROMPTS, type MemoryPrompts } from './llm/prompts.js';
export type { MemoriesPolicy, BlocksPolicy } from './stores/memories/policy.js';
export { contextForPrompt, type PromptContextOptions } from './stores/memory/context-for-prompt.js';
