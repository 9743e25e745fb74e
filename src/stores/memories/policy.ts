import { DEFAULT_PROMPTS, type MemoryPrompts } from '../../llm/prompts.js';

/** How curated memory decides (options `memories`). */
export interface MemoriesPolicy {
  /** Cosine similarity from which a new fact is the same as a known one (`unchanged`, no model asked). @default 0.9 */
  duplicateThreshold: number;
  /** Cosine similarity from which a known fact is shown to the model as related to a new one. @default 0.5 */
  candidateThreshold: number;
  /** Known facts shown to the model per new fact. @default 5 */
  candidates: number;
  /** Decisions taken again when what they looked at changed before they committed, before a `ConflictError`. @default 8 */
  maxAttempts: number;
  /** How long an `add`/`ingest` outcome is kept for retries with the same idempotency key. @default 604800000 (7 days) */
  runTtlMs: number;
  /**
   * Lease of the lock an ingestion holds while it asks the model (renewed every third of it): how
   * soon callers waiting behind a process that died mid-ingestion take over. @default 5000
   */
  ingestLeaseMs: number;
  /** Memex's prompts (versioned), or your own. */
  prompts: MemoryPrompts;
}

export const DEFAULT_MEMORIES_POLICY: MemoriesPolicy = Object.freeze({
  duplicateThreshold: 0.9,
  candidateThreshold: 0.5,
  candidates: 5,
  maxAttempts: 8,
  runTtlMs: 7 * 24 * 3_600_000,
  ingestLeaseMs: 5000,
  prompts: DEFAULT_PROMPTS,
});

/** Bounds of memory blocks (options `blocks`). */
export interface BlocksPolicy {
  /** Characters of one block's text (or of its JSON). @default 5000 */
  maxChars: number;
  /** Blocks per namespace. @default 50 */
  maxBlocks: number;
}

export const DEFAULT_BLOCKS_POLICY: BlocksPolicy = Object.freeze({ maxChars: 5000, maxBlocks: 50 });
