import { createHash } from 'node:crypto';
import type { ListPage } from '../../api/list.js';
import type {
  Fact,
  FactHit,
  FactInput,
  FactOutcome,
  FactSearch,
  FactSource,
  FactVersion,
  IngestResult,
  InvalidateOptions,
  MemoriesStore,
  CurateOptions,
  FactListOptions,
  UpdateFactOptions,
} from '../../api/memories.js';
import { LlmError } from '../../errors.js';
import type { Llm, LlmCounters } from '../../llm/llm.js';
import { deepFreeze } from '../../values/freeze.js';
import type { StoreContext, StoreCounters } from '../context.js';
import type { Locks } from '../locks/locks.js';
import { storeModule } from '../module.js';
import { MEMORIES, MEMORY_RUNS } from '../names.js';
import type { EmbedderLike } from '../vectors/vectors.js';
import { VectorIndex } from '../vectors/vector-index.js';
import { curate, type CurateParts, type RunRecord, type Spent } from './curate.js';
import { extractFacts } from './extract.js';
import { checkCurateOptions, checkFactId, checkFacts, checkInvalidate, checkList, checkMessages, checkSearch, checkUpdate } from './inputs.js';
import type { MemoriesPolicy } from './policy.js';
import { FACT_DOCS, FACT_VERSIONS, factOfKey, readFact, readHistory, toFact, toVersion, type DocMeta, type FactRecord } from './records.js';
import { believedFilter, needsVersions, versionFilter } from './search-filter.js';
import { deleteInTx, reviseInTx } from './writes.js';

/** How long an ingestion waits for another caller ingesting the same messages (it then reads its outcome). */
const INGEST_WAIT_MS = 300_000;

/** The record key of a run: the caller's key, or its hash when it would not fit a record key. */
const runKey = (kind: 'add' | 'ingest', key: string): string =>
  Buffer.byteLength(key) <= 400 ? `${kind}:${key}` : `${kind}:sha256:${createHash('sha256').update(key).digest('hex')}`;

const sourceOf = (via: FactSource['via'], o: { by?: string | undefined; idempotencyKey?: string | undefined }): FactSource => ({
  via,
  by: o.by ?? null,
  idempotencyKey: o.idempotencyKey ?? null,
  model: null,
  prompt: null,
});

/** The model counters of `stats()` (`llm`), kept beside the stores' own. */
const llmCounters = (c: StoreCounters): LlmCounters & StoreCounters => {
  for (const k of ['calls', 'failures', 'promptTokens', 'completionTokens']) c[k] ??= 0;
  return c as LlmCounters & StoreCounters;
};

/**
 * Curated memory of one namespace; see {@link MemoriesStore}. Facts, their searchable versions and
 * their history are records of the engine, so every write is one transaction on every engine; the
 * search indexes are the vectors' ones: over the believed facts, and over every version.
 */
export class Memories implements MemoriesStore {
  private readonly parts: CurateParts;
  /** Every version's index, for searches in time. */
  private readonly versions: VectorIndex;

  constructor(
    private readonly ctx: StoreContext,
    private readonly policy: MemoriesPolicy,
    private readonly embedder: EmbedderLike,
    private readonly llm: Llm | undefined,
    private readonly locks: Locks,
  ) {
    const index = new VectorIndex(ctx.ns, ctx.engine.derivedPath('memories'), ctx.counters(MEMORIES), FACT_DOCS);
    this.versions = new VectorIndex(ctx.ns, ctx.engine.derivedPath('memories-versions'), ctx.counters(MEMORIES), FACT_VERSIONS);
    this.parts = { ctx, index, policy, embedder, llm, llm_: llmCounters(ctx.counters('llm')), locks };
  }

  add(fact: FactInput, options?: CurateOptions): Promise<FactOutcome>;
  add(facts: readonly FactInput[], options?: CurateOptions): Promise<FactOutcome[]>;
  async add(input: FactInput | readonly FactInput[], options?: CurateOptions): Promise<FactOutcome | FactOutcome[]> {
    const { facts, many } = checkFacts(input);
    const o = checkCurateOptions(options);
    const vectors = await this.embedder.embed(facts.map((f) => f.text));
    const spent = { llmCalls: 0, promptTokens: 0, completionTokens: 0 };
    const { outcomes } = await curate(
      this.parts,
      facts.map((f, i) => ({ ...f, vector: vectors[i]! })),
      { key: o.idempotencyKey === undefined ? undefined : runKey('add', o.idempotencyKey), source: sourceOf('add', o), spent },
    );
    const frozen = deepFreeze(outcomes);
    return many ? [...frozen] : frozen[0]!;
  }

  async ingest(messages: readonly (string | { role: string; content: string })[], options?: CurateOptions): Promise<IngestResult> {
    const list = checkMessages(messages);
    const o = checkCurateOptions(options);
    const llm = this.llm;
    if (!llm) throw new LlmError('not_configured', 'memories.ingest needs a language model: openMemex({ llm: openAiChat({ baseUrl, model }) })');
    const key = runKey('ingest', o.idempotencyKey ?? `messages:${createHash('sha256').update(JSON.stringify(list)).digest('hex')}`);
    const replay = await this.storedRun(key);
    if (replay) return replayed(replay);
    // One caller per key at a time, across processes: the others wait, then find its outcome.
    const lockName = `memories.ingest/${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    return this.locks.withLock(
      lockName,
      async () => {
        const again = await this.storedRun(key);
        if (again) return replayed(again);
        const spent = { llmCalls: 1, promptTokens: 0, completionTokens: 0 };
        const before = { ...this.parts.llm_ };
        let extracted;
        try {
          extracted = await extractFacts(llm, this.parts.llm_, this.policy.prompts.extract, list);
        } finally {
          spent.promptTokens = this.parts.llm_.promptTokens - before.promptTokens;
          spent.completionTokens = this.parts.llm_.completionTokens - before.completionTokens;
        }
        const vectors = extracted.length === 0 ? [] : await this.embedder.embed(extracted.map((f) => f.text));
        const source: FactSource = {
          ...sourceOf('ingest', { by: o.by, idempotencyKey: o.idempotencyKey }),
          model: llm.name,
          prompt: this.policy.prompts.version,
        };
        const r =
          extracted.length === 0
            ? await this.storeEmptyRun(key, spent)
            : await curate(
                this.parts,
                extracted.map((f, i) => ({ ...f, vector: vectors[i]! })),
                { key, source, spent },
              );
        if (r.replay) return replayed(r.replay);
        return deepFreeze({ facts: r.outcomes, ...spent, replayed: false });
      },
      { timeoutMs: INGEST_WAIT_MS, leaseMs: this.policy.ingestLeaseMs },
    );
  }

  async search(query: FactSearch): Promise<FactHit[]> {
    const q = checkSearch(query);
    const all = needsVersions(q);
    const index = all ? this.versions : this.parts.index;
    const filter = all ? versionFilter(q, q.filter) : believedFilter(q.filter);
    const [qv] = await this.embedder.embed([q.text]);
    this.ctx.counters(MEMORIES).reads++;
    return this.ctx.engine.snapshot((tx) => {
      index.catchUp(tx);
      const hits: FactHit[] = [];
      for (const [docId, score, row] of index.nearest(qv!, q.topK, filter)) {
        if (q.minScore !== undefined && score < q.minScore) continue;
        const id = all ? factOfKey(docId) : docId;
        const f = readFact(tx, this.ctx.ns, id);
        const doc = index.docAt(row);
        if (!f || doc.text === null) continue;
        const m = doc.metadata as unknown as DocMeta;
        hits.push(
          deepFreeze({
            id,
            text: doc.text,
            subject: f.rec.subject,
            // The current version's is the record's (an import renumbers records); an older one's as it was.
            version: m.sup === undefined ? f.version : m.ver,
            validFrom: m.vf ?? null,
            validTo: m.vt ?? null,
            recordedAt: f.rec.recordedAt,
            updatedAt: m.rec,
            invalidatedAt: m.inv ?? null,
            metadata: m.m,
            score,
          }),
        );
      }
      return hits;
    });
  }

  async get(id: string): Promise<Fact | undefined> {
    const key = checkFactId(id);
    this.ctx.counters(MEMORIES).reads++;
    return this.ctx.engine.read((tx) => {
      const f = readFact(tx, this.ctx.ns, key);
      return f && toFact(key, f.version, f.rec);
    });
  }

  async list(options?: FactListOptions): Promise<ListPage<Fact>> {
    const o = checkList(options);
    const limit = o.limit ?? 100;
    this.ctx.counters(MEMORIES).reads++;
    return this.ctx.engine.snapshot((tx) => {
      const items: Fact[] = [];
      let after = o.cursor;
      for (;;) {
        const rows = tx.scan(this.ctx.ns, MEMORIES, { after, limit: 500 });
        for (const [i, r] of rows.entries()) {
          const f = toFact(r.key, r.version, JSON.parse(r.value) as FactRecord);
          if (f && (o.includeInvalid === true || f.invalidatedAt === null)) items.push(f);
          if (items.length === limit) {
            const more = i < rows.length - 1 || tx.scan(this.ctx.ns, MEMORIES, { after: r.key, limit: 1 }).length > 0;
            return deepFreeze(more ? { items, cursor: r.key } : { items });
          }
        }
        if (rows.length < 500) return deepFreeze({ items });
        after = rows[rows.length - 1]!.key;
      }
    });
  }

  async update(id: string, text: string, options?: UpdateFactOptions): Promise<FactOutcome> {
    const key = checkFactId(id);
    const u = checkUpdate(text, options);
    const [vector] = await this.embedder.embed([u.text]);
    const out = await this.ctx.engine.write((tx): FactOutcome => {
      const cur = readFact(tx, this.ctx.ns, key);
      if (cur && cur.rec.text === u.text && (u.options.ifVersion === undefined || u.options.ifVersion === cur.version))
        return { id: key, op: 'unchanged', version: cur.version, text: u.text };
      const version = reviseInTx(tx, this.ctx.ns, key, { op: 'updated', text: u.text, vector: vector! }, u.options, sourceOf('update', u.options));
      return { id: key, op: 'updated', version, text: u.text };
    });
    this.ctx.counters(MEMORIES).writes++;
    return deepFreeze(out);
  }

  async invalidate(id: string, options?: InvalidateOptions): Promise<FactOutcome> {
    const key = checkFactId(id);
    const o = checkInvalidate(options);
    const out = await this.ctx.engine.write((tx): FactOutcome => {
      const cur = readFact(tx, this.ctx.ns, key);
      if (cur && cur.rec.text !== null && cur.rec.invalidatedAt !== null && (o.ifVersion === undefined || o.ifVersion === cur.version))
        return { id: key, op: 'unchanged', version: cur.version, text: cur.rec.text };
      const version = reviseInTx(tx, this.ctx.ns, key, { op: 'invalidated', validTo: o.at ?? tx.now }, o, sourceOf('invalidate', o));
      return { id: key, op: 'invalidated', version, text: cur!.rec.text! };
    });
    this.ctx.counters(MEMORIES).writes++;
    return deepFreeze(out);
  }

  async delete(id: string): Promise<boolean> {
    const key = checkFactId(id);
    const existed = await this.ctx.engine.write((tx) => deleteInTx(tx, this.ctx.ns, key, sourceOf('delete', {})));
    this.ctx.counters(MEMORIES).writes++;
    return existed;
  }

  async history(id: string): Promise<FactVersion[]> {
    const key = checkFactId(id);
    this.ctx.counters(MEMORIES).reads++;
    return this.ctx.engine.snapshot((tx) => readHistory(tx, this.ctx.ns, key).map(toVersion));
  }

  /** Saves the derived index and stops a graph build (called by close). */
  flush(): void {
    for (const index of [this.parts.index, this.versions]) {
      index.persist(true);
      index.close();
    }
  }

  private storedRun(key: string): Promise<RunRecord | undefined> {
    return this.ctx.engine.read((tx) => {
      const r = tx.get(this.ctx.ns, MEMORY_RUNS, key);
      return r && (JSON.parse(r.value) as RunRecord);
    });
  }

  /** An ingestion that found no facts is remembered too: a retry must not ask the model again. */
  private async storeEmptyRun(key: string, spent: Spent): Promise<{ outcomes: FactOutcome[]; replay?: RunRecord }> {
    const rec: RunRecord = { facts: [], ...spent };
    const stored = await this.ctx.engine.write((tx) => {
      const prior = tx.get(this.ctx.ns, MEMORY_RUNS, key);
      if (prior) return JSON.parse(prior.value) as RunRecord;
      tx.put(this.ctx.ns, MEMORY_RUNS, key, JSON.stringify(rec), { expiresAt: tx.now + this.policy.runTtlMs });
      return undefined;
    });
    return stored ? { outcomes: stored.facts, replay: stored } : { outcomes: [] };
  }
}

const replayed = (r: RunRecord): IngestResult => deepFreeze({ facts: r.facts, llmCalls: 0, promptTokens: 0, completionTokens: 0, replayed: true });

/** Curated memory's wiring: the embedder and model from the options, the locks for single flight. */
export const memoriesModule = storeModule({
  create: (ctx, config, stores) => new Memories(ctx, config.memories, config.embedder, config.llm, stores<Locks>('locks')),
  close: (m: Memories) => m.flush(),
});
