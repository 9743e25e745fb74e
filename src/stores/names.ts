/**
 * The `store` column of every record and event, in one place: these strings are on disk (and in
 * the change feed users read), so a store's name is never changed, only added to.
 */
export const KV = 'kv';
export const PROFILES = 'profiles';
export const SITES = 'sites';
export const LOCKS = 'locks';
export const CACHE = 'cache';
/** The cache's per-namespace size record (count and bytes), updated in each entry's write. */
export const CACHE_META = 'cache.meta';
/** Short-lived records publishing a failed compute to the callers waiting for it. */
export const CACHE_ERRORS = 'cache.errors';
/** Thread records of the conversations store. */
export const THREADS = 'conversations';
export const MESSAGES = 'messages';
export const VECTORS = 'vectors';
/** A collection's fixed dimension and its id. */
export const VECTORS_META = 'vectors.meta';
/** Curated memory: one record per fact (its current state, or a tombstone once deleted). */
export const MEMORIES = 'memories';
/** The believed facts (key: the fact id), searchable like `vectors` documents: what consolidation and a default search look at. */
export const MEMORY_DOCS = 'memories.docs';
/** That collection's fixed dimension and id. */
export const MEMORY_DOCS_META = 'memories.docs.meta';
/** Every version of every fact (`<factId>#<n>`), searchable: what `asOf`, `validAt` and `includeInvalid` look at. */
export const MEMORY_VERSIONS = 'memories.versions';
export const MEMORY_VERSIONS_META = 'memories.versions.meta';
/** Every version of every fact (`<factId>#<n>`, n zero-padded), for `history`. */
export const MEMORY_HISTORY = 'memories.history';
/** Outcomes of `add`/`ingest` by idempotency key, kept for `runTtlMs` (exactly once). */
export const MEMORY_RUNS = 'memories.runs';
/** Memory blocks, by label. */
export const BLOCKS = 'blocks';
