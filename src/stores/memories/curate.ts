import type { FactOutcome, FactSource } from '../../api/memories.js';
import type { WriteTx } from '../../engine/types.js';
import { ConflictError } from '../../errors.js';
import type { Llm, LlmCounters } from '../../llm/llm.js';
import { bump, type StoreContext } from '../context.js';
import type { LocksStore } from '../../api/locks.js';
import { MEMORIES, MEMORY_RUNS } from '../names.js';
import type { EmbedderLike } from '../vectors/vectors.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import { modelDecisions, ruleDecisions, type Candidate, type Decision } from './decide.js';
import type { MemoriesPolicy } from './policy.js';
import { cosine } from '../../embed/embedder.js';
import { newFactId, readDoc, readFact } from './records.js';
import { addFactInTx, reviseInTx, type NewFact } from './writes.js';

/** What one curation works with. */
export interface CurateParts {
  readonly ctx: StoreContext;
  /** The believed facts' index (one document per fact, key = its id). */
  readonly index: VectorIndex;
  readonly policy: MemoriesPolicy;
  readonly embedder: EmbedderLike;
  readonly llm: Llm | undefined;
  readonly llm_: LlmCounters;
  /** The namespace's locks: contended consolidations queue on one. */
  readonly locks: LocksStore;
}

/** What an `add` or `ingest` stored under its idempotency key. */
export interface RunRecord {
  facts: FactOutcome[];
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
}

/** The model calls one curation made (added up across its attempts). */
export interface Spent {
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
}

const CHANGED = Symbol('changed');
/** More changes than this since a decision's snapshot: it is taken again rather than checked one by one. */
const MAX_CHECKED_CHANGES = 1000;

/**
 * Whether anything a decision depended on changed after its snapshot `seq`: a fact it looked at,
 * or a believed fact (new or changed) as close as `threshold` to one of the new facts — the
 * phantom that makes other memory layers store a fact twice. Read inside the commit's write
 * transaction, so nothing can change between this check and the writes.
 */
function changedSince(
  tx: WriteTx,
  ns: string,
  seq: number,
  looked: ReadonlySet<string>,
  vectors: readonly Float32Array[],
  threshold: number,
): boolean {
  const oldest = tx.eventsSince(0, { limit: 1 })[0];
  if (oldest !== undefined && oldest.seq > seq + 1) return true; // trimmed by retention: cannot tell
  const events = tx.eventsSince(seq, { limit: MAX_CHECKED_CHANGES + 1, store: MEMORIES, ns });
  if (events.length > MAX_CHECKED_CHANGES) return true;
  for (const e of events) {
    if (e.key === null || looked.has(e.key)) return true;
    const f = readFact(tx, ns, e.key);
    if (!f || f.rec.text === null || f.rec.invalidatedAt !== null) continue; // not believed: not a candidate
    const v = readDoc(tx, ns, e.key, f.rec.n)?.vector();
    if (v && vectors.some((nv) => cosine(v, nv) >= threshold)) return true;
  }
  return false;
}

/** What one attempt came to: an outcome, or a decision found stale at commit (`CHANGED`). */
type Attempt = { outcomes: FactOutcome[]; replay?: RunRecord } | typeof CHANGED;

/**
 * Consolidates new facts with what is known, serializably per namespace: candidates are read in a
 * snapshot, the rules (and the model, outside any transaction) decide, and the decision commits
 * only if {@link changedSince} finds nothing it depended on changed; else it is taken again. With
 * `runKey`, the outcome is stored under it in the same transaction, and an outcome already stored
 * is returned instead.
 *
 * Optimism alone starves under contention when decisions are slow: 8 callers each waiting 50 ms
 * for the model while the others commit related facts invalidate each other's decisions again and
 * again. So after {@link OPTIMISTIC_ATTEMPTS} stale decisions a caller queues on the namespace's
 * consolidation lock (a lease of the locks store, so across processes and machines) and decides
 * there; only callers that met contention take it, and the commit-time check still guards against
 * those that did not. At most `maxAttempts` decisions under the lock, then `ConflictError`.
 */
export async function curate(p: CurateParts, facts: readonly NewFact[], run: RunInput): Promise<{ outcomes: FactOutcome[]; replay?: RunRecord }> {
  for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
    // While contended callers hold the lock, join their queue rather than invalidate their decision.
    if ((await p.locks.inspect(CONSOLIDATE_LOCK)).holders.length > 0) break;
    const r = await attemptOnce(p, facts, run);
    if (r !== CHANGED) return r;
  }
  bump(p.ctx.counters(MEMORIES), 'serialized');
  return p.locks.withLock(
    CONSOLIDATE_LOCK,
    async () => {
      for (let attempt = 1; attempt <= p.policy.maxAttempts; attempt++) {
        const r = await attemptOnce(p, facts, run);
        if (r !== CHANGED) return r;
      }
      throw new ConflictError(`memories (${p.ctx.ns})`, p.policy.maxAttempts, p.policy.maxAttempts + 1);
    },
    { timeoutMs: CONSOLIDATE_WAIT_MS, leaseMs: p.policy.ingestLeaseMs },
  );
}

const CONSOLIDATE_LOCK = 'memories.consolidate';
/** Decisions taken optimistically before a caller queues on the consolidation lock. */
const OPTIMISTIC_ATTEMPTS = 2;
/** How long a contended consolidation waits for the namespace's lock. */
const CONSOLIDATE_WAIT_MS = 300_000;

/** What a curation records: its idempotency key, the source of its versions, the model calls it made. */
export interface RunInput {
  readonly key: string | undefined;
  readonly source: FactSource;
  readonly spent: Spent;
}

/** One decision and its commit. */
async function attemptOnce(p: CurateParts, facts: readonly NewFact[], run: RunInput): Promise<Attempt> {
  const { ctx, policy } = p;
  const ns = ctx.ns;
  const vectors = facts.map((f) => f.vector);
  const threshold = p.llm ? policy.candidateThreshold : policy.duplicateThreshold;
  const counters = ctx.counters(MEMORIES);
  const view = await ctx.engine.snapshot((tx) => {
    const stored = run.key === undefined ? undefined : tx.get(ns, MEMORY_RUNS, run.key);
    if (stored) return { kind: 'replay' as const, run: JSON.parse(stored.value) as RunRecord };
    p.index.catchUp(tx);
    const candidates = vectors.map((v) =>
      p.index
        .nearest(v, policy.candidates)
        .filter(([, score]) => score >= threshold)
        .flatMap(([id, score]): Candidate[] => {
          const f = readFact(tx, ns, id);
          return f && f.rec.text !== null ? [{ id, text: f.rec.text, version: f.version, score }] : [];
        }),
    );
    return { kind: 'view' as const, seq: tx.lastSeq(), candidates };
  });
  if (view.kind === 'replay') return { outcomes: view.run.facts, replay: view.run };
  counters.reads++;
  const rules = ruleDecisions(vectors, view.candidates, policy, p.llm !== undefined);
  const asked = rules.flatMap((d, i) => (d === 'ask' ? [i] : []));
  let byModel = new Map<number, Decision>();
  if (asked.length > 0 && p.llm) {
    const before = { ...p.llm_ };
    try {
      byModel = await modelDecisions(
        p.llm,
        p.llm_,
        policy.prompts.consolidate,
        facts.map((f) => f.text),
        view.candidates,
        asked,
      );
    } finally {
      run.spent.llmCalls += p.llm_.calls - before.calls;
      run.spent.promptTokens += p.llm_.promptTokens - before.promptTokens;
      run.spent.completionTokens += p.llm_.completionTokens - before.completionTokens;
    }
  }
  const decisions = rules.map((d, i) => (d === 'ask' ? byModel.get(i)! : d));
  const updates = decisions.flatMap((d) => (d.kind === 'update' ? [d.text] : []));
  const updateVectors = updates.length > 0 ? await p.embedder.embed(updates) : [];
  const source: FactSource = asked.length > 0 && p.llm ? { ...run.source, model: p.llm.name, prompt: policy.prompts.version } : run.source;
  const looked = new Set(view.candidates.flatMap((cs) => cs.map((c) => c.id)));
  const ids = facts.map(() => newFactId());
  const committed = await ctx.engine.write((tx) => {
    const stored = run.key === undefined ? undefined : tx.get(ns, MEMORY_RUNS, run.key);
    if (stored) return { kind: 'replay' as const, run: JSON.parse(stored.value) as RunRecord };
    if (changedSince(tx, ns, view.seq, looked, vectors, threshold)) return CHANGED;
    let u = 0;
    const outcomes = decisions.map((d, i): FactOutcome => applyDecision(tx, ns, d, facts[i]!, ids[i]!, () => updateVectors[u++]!, source));
    // A duplicate of a fact added earlier in the batch reports that fact (after its add).
    const resolved = outcomes.map((o, i) => {
      const d = decisions[i]!;
      return d.kind === 'duplicate' ? { ...outcomes[d.of]!, op: 'unchanged' as const, invalidated: undefined } : o;
    });
    const clean = resolved.map(({ invalidated, ...o }) => (invalidated?.length ? { ...o, invalidated } : o));
    if (run.key !== undefined) {
      const rec: RunRecord = { facts: clean, ...run.spent };
      tx.put(ns, MEMORY_RUNS, run.key, JSON.stringify(rec), { expiresAt: tx.now + policy.runTtlMs });
    }
    return { kind: 'done' as const, outcomes: clean };
  });
  if (committed === CHANGED) {
    counters.conflicts++;
    return CHANGED;
  }
  if (committed.kind === 'replay') return { outcomes: committed.run.facts, replay: committed.run };
  counters.writes++;
  return { outcomes: committed.outcomes };
}

function applyDecision(
  tx: WriteTx,
  ns: string,
  d: Decision,
  f: NewFact,
  newId: string,
  nextVector: () => Float32Array,
  source: FactSource,
): FactOutcome {
  const until = f.validFrom ?? tx.now;
  switch (d.kind) {
    case 'add': {
      const version = addFactInTx(tx, ns, newId, f, source);
      const invalidated = d.invalidates.filter((id) => {
        const cur = readFact(tx, ns, id);
        if (!cur || cur.rec.text === null || cur.rec.invalidatedAt !== null) return false;
        reviseInTx(tx, ns, id, { op: 'invalidated', validTo: until }, { reason: `contradicted by ${newId}` }, source);
        return true;
      });
      return { id: newId, op: 'added', version, text: f.text, invalidated };
    }
    case 'update': {
      const vector = nextVector();
      const cur = readFact(tx, ns, d.id)!;
      if (cur.rec.text === d.text) return { id: d.id, op: 'unchanged', version: cur.version, text: d.text };
      const version = reviseInTx(tx, ns, d.id, { op: 'updated', text: d.text, vector }, { reason: `refined by "${f.text}"` }, source);
      return { id: d.id, op: 'updated', version, text: d.text };
    }
    case 'invalidate': {
      const cur = readFact(tx, ns, d.id)!;
      if (cur.rec.invalidatedAt !== null) return { id: d.id, op: 'unchanged', version: cur.version, text: cur.rec.text! };
      const version = reviseInTx(tx, ns, d.id, { op: 'invalidated', validTo: until }, { reason: `contradicted by "${f.text}"` }, source);
      return { id: d.id, op: 'invalidated', version, text: cur.rec.text! };
    }
    case 'unchanged': {
      const cur = readFact(tx, ns, d.id)!;
      return { id: d.id, op: 'unchanged', version: cur.version, text: cur.rec.text! };
    }
    case 'duplicate':
      return { id: '', op: 'unchanged', version: 0, text: f.text }; // resolved by the caller
  }
}
