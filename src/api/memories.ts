import type { ListPage } from './list.js';

/** A fact to remember. Times are Unix ms; `validFrom`/`validTo` say when it was true in the world. */
export interface FactInput {
  text: string;
  /** Who or what the fact is about (`'user'`, `'Acme Corp'`). */
  subject?: string;
  validFrom?: number;
  validTo?: number;
  metadata?: Record<string, unknown>;
}

/** What an `add`, `ingest`, `update` or `invalidate` did to one fact. */
export type FactOp = 'added' | 'updated' | 'unchanged' | 'invalidated';

/** The outcome for one fact: which fact it landed on, how, and that fact's version after. */
export interface FactOutcome {
  readonly id: string;
  readonly op: FactOp;
  readonly version: number;
  /** The fact's text after the operation. */
  readonly text: string;
  /** Known facts this one contradicted, now marked invalid (not erased). */
  readonly invalidated?: readonly string[];
}

/** A fact as Memex believes it (or believed it, in an `asOf` answer). */
export interface Fact {
  readonly id: string;
  readonly text: string;
  readonly subject: string | null;
  /** Changes with every write to the fact: what `ifVersion` compares. */
  readonly version: number;
  /** When it became true in the world (`null`: unknown or always). */
  readonly validFrom: number | null;
  /** When it stopped being true in the world (`null`: still true as far as known). */
  readonly validTo: number | null;
  /** When Memex first recorded the fact. */
  readonly recordedAt: number;
  /** When Memex recorded the version shown. */
  readonly updatedAt: number;
  /** When Memex marked it invalid (contradicted or `invalidate`d); `null` while believed. */
  readonly invalidatedAt: number | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A search result: the fact and its similarity to the query (cosine, higher is closer). */
export interface FactHit extends Fact {
  readonly score: number;
}

/** What `memories.search` takes. */
export interface FactSearch {
  text: string;
  /** @default 10 (at most 100) */
  topK?: number;
  /** A metadata filter, in the `vectors` filter language, over the facts' `metadata`. */
  filter?: Record<string, unknown>;
  /** What Memex believed at this time (Unix ms): the versions current then, invalid ones left out. */
  asOf?: number;
  /** What was true in the world at this time: facts whose validity interval holds it (invalidated ones included). */
  validAt?: number;
  /** Include facts marked invalid. @default false */
  includeInvalid?: boolean;
  /** Leave out hits scoring below this. */
  minScore?: number;
}

/** Where a version of a fact came from. */
export interface FactSource {
  /** The operation that wrote it. */
  readonly via: 'add' | 'ingest' | 'update' | 'invalidate' | 'delete';
  /** The caller's name, when it gave one (`by`). */
  readonly by: string | null;
  /** The idempotency key of the `add` or `ingest`, when there was one. */
  readonly idempotencyKey: string | null;
  /** The model and prompt version that decided it, when a model did. */
  readonly model: string | null;
  readonly prompt: string | null;
}

/** One version of a fact, as `history` lists them (oldest first). */
export interface FactVersion {
  readonly version: number;
  readonly op: 'added' | 'updated' | 'invalidated' | 'deleted';
  /** `null` once the fact was deleted (erasure removes every version's text). */
  readonly text: string | null;
  readonly at: number;
  readonly reason: string | null;
  readonly validFrom: number | null;
  readonly validTo: number | null;
  readonly source: FactSource;
}

/** A message of a conversation to `ingest`: text, or `{ role, content }`. */
export type IngestMessage = string | { role: string; content: string };

/** Options of `add` and `ingest`. */
export interface CurateOptions {
  /** Retried with the same key, the call returns its first outcome and writes (and asks the model) nothing. */
  idempotencyKey?: string;
  /** Who is adding (an agent's name), kept in the history. */
  by?: string;
}

/** What `ingest` did. */
export interface IngestResult {
  readonly facts: readonly FactOutcome[];
  /** Model calls this ingestion cost (0 when it was answered from an earlier run). */
  readonly llmCalls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** True when the outcome is that of an earlier call with the same idempotency key. */
  readonly replayed: boolean;
}

/** Options of `update`. */
export interface UpdateFactOptions {
  ifVersion?: number;
  reason?: string;
  by?: string;
}

/** Options of `invalidate`. */
export interface InvalidateOptions {
  /** When it stopped being true in the world (Unix ms). @default now */
  at?: number;
  reason?: string;
  ifVersion?: number;
  by?: string;
}

/** Options of `list`. */
export interface FactListOptions {
  /** 1..1000. @default 100 */
  limit?: number;
  cursor?: string;
  /** Include facts marked invalid. @default false */
  includeInvalid?: boolean;
}

/**
 * Curated memory: facts that agents and language models add, consolidate and correct. A fact
 * already known (the same or nearly the same meaning) is never stored twice, however many callers,
 * processes or machines add it at once: a decision commits only if nothing it looked at changed
 * meanwhile (a similar fact that appeared included), else it is taken again. Every change keeps a
 * version in the history; a contradicted fact is marked invalid, not erased; `delete` erases.
 *
 * @example
 * ```ts
 * await mx.memories.add({ text: 'The user lives in Paris', subject: 'user' });
 * await mx.memories.add({ text: 'the user lives in Paris.' }); // → op 'unchanged'
 * const hits = await mx.memories.search({ text: 'where does the user live?', topK: 3 });
 * ```
 */
export interface MemoriesStore {
  /**
   * Adds facts, consolidating each with the similar ones already known: a near-duplicate is
   * `unchanged`; with a model configured, a similar fact may be `updated` or `invalidated` instead.
   * @example
   * ```ts
   * const { id, op } = await mx.memories.add({ text: 'Prefers window seats' }, { idempotencyKey: 'msg-41' });
   * ```
   */
  add(fact: FactInput, options?: CurateOptions): Promise<FactOutcome>;
  add(facts: readonly FactInput[], options?: CurateOptions): Promise<FactOutcome[]>;

  /**
   * A model extracts the facts of `messages` and consolidates them with what is known. Retried with
   * the same `idempotencyKey` (default: a hash of the messages) it returns the first outcome and
   * calls no model; the same messages ingested by several processes at once cost one set of calls.
   * @example
   * ```ts
   * const r = await mx.memories.ingest([{ role: 'user', content: 'I moved to Berlin last May' }], { idempotencyKey: 'turn-7' });
   * ```
   */
  ingest(messages: readonly IngestMessage[], options?: CurateOptions): Promise<IngestResult>;

  /**
   * Facts closest in meaning to `text`, best first; only believed ones unless `asOf`, `validAt` or
   * `includeInvalid` say otherwise.
   * @example
   * ```ts
   * const then = await mx.memories.search({ text: 'home city', asOf: Date.parse('2026-01-01') });
   * ```
   */
  search(query: FactSearch): Promise<FactHit[]>;

  /** The fact (deeply frozen), or `undefined` (also once deleted). */
  get(id: string): Promise<Fact | undefined>;

  /**
   * Facts in id order, a page at a time.
   * @example
   * ```ts
   * const { items, cursor } = await mx.memories.list({ limit: 50 });
   * ```
   */
  list(options?: FactListOptions): Promise<ListPage<Fact>>;

  /**
   * Replaces a fact's text, keeping the old one in its history; `ifVersion` makes it a compare-and-set.
   * @example
   * ```ts
   * const f = (await mx.memories.get(id))!;
   * await mx.memories.update(id, 'The user lives in Lyon', { ifVersion: f.version, reason: 'user corrected it' });
   * ```
   */
  update(id: string, text: string, options?: UpdateFactOptions): Promise<FactOutcome>;

  /**
   * Marks a fact as no longer true (from `at`), without erasing it: `validAt` and `asOf` still find it.
   * @example
   * ```ts
   * await mx.memories.invalidate(id, { reason: 'the user moved' });
   * ```
   */
  invalidate(id: string, options?: InvalidateOptions): Promise<FactOutcome>;

  /** Erases a fact: its text and vectors are gone from every version; a tombstone stays in its history. */
  delete(id: string): Promise<boolean>;

  /**
   * Every version of a fact, oldest first, with op, text, time, reason and source (`[]` if unknown).
   * @example
   * ```ts
   * for (const v of await mx.memories.history(id)) console.log(v.op, v.text, v.source.via);
   * ```
   */
  history(id: string): Promise<FactVersion[]>;
}
