/**
 * The bounds of the public operations, declared once: the stores enforce them and the contract
 * (contract/, hence `/openapi.json` and the MCP tool schemas) publishes them, so the two cannot
 * drift (test/server/openapi-bounds.test.ts sends each bound and one past it to a real server).
 */

/** Keys (or entries) in one kv `getMany`, `getEntries`, `setMany`. */
export const MAX_BATCH_KEYS = 10_000;
/** Patches in one kv.patchBatch request (the remote client gathers concurrent callers' patches). */
export const MAX_PATCH_BATCH = 256;
/** Items in one page of a listing: kv, profiles and sites `list`; conversations `recent`, `page`, `list`. */
export const MAX_PAGE_LIMIT = 1000;
/** Events in one `events.since` page. */
export const MAX_EVENTS_PAGE = 10_000;
/** Documents in one `vectors.upsert`. */
export const MAX_VECTOR_BATCH = 1000;
/** Hits one `vectors.search` returns. */
export const MAX_TOP_K = 1000;
/** Recent turns one `recall` returns. */
export const MAX_RECALL_RECENT = 1000;
/** Relevant memories one `recall` returns. */
export const MAX_RECALL_TOP_K = 100;
/** Facts in one `memories.add`. */
export const MAX_FACT_BATCH = 100;
/** Messages in one `memories.ingest`. */
export const MAX_INGEST_MESSAGES = 200;
/** Characters of one fact's text. */
export const MAX_FACT_CHARS = 2000;
/** Results of one `memories.search`. */
export const MAX_FACT_TOP_K = 100;
/** Characters of a caller name, a reason or an idempotency key. */
export const MAX_NOTE_CHARS = 500;
