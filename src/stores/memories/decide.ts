import { LlmError } from '../../errors.js';
import { askJson } from '../../llm/ask-json.js';
import type { Llm, LlmCounters } from '../../llm/llm.js';
import { DECISIONS, type Decisions } from '../../llm/prompts.js';
import type { MemoriesPolicy } from './policy.js';
import { cosine } from '../../embed/embedder.js';

/** A known fact shown to a decision: its current text, version and similarity to the new fact. */
export interface Candidate {
  readonly id: string;
  readonly text: string;
  readonly version: number;
  readonly score: number;
}

/** What to do with one new fact. */
export type Decision =
  | { readonly kind: 'add'; readonly invalidates: readonly string[] }
  | { readonly kind: 'unchanged'; readonly id: string }
  /** The same as new fact `of` of this batch (added just before it). */
  | { readonly kind: 'duplicate'; readonly of: number }
  | { readonly kind: 'update'; readonly id: string; readonly text: string }
  | { readonly kind: 'invalidate'; readonly id: string };

/**
 * The built-in rules: a new fact as close as `duplicateThreshold` to a known one (or to one added
 * earlier in the same batch) is that fact, unchanged; one with related known facts is left to the
 * model (`'ask'`) when there is one; anything else is added.
 */
export function ruleDecisions(
  vectors: readonly Float32Array[],
  candidates: readonly (readonly Candidate[])[],
  policy: MemoriesPolicy,
  withModel: boolean,
): (Decision | 'ask')[] {
  const out: (Decision | 'ask')[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const best = candidates[i]![0];
    if (best && best.score >= policy.duplicateThreshold) {
      out.push({ kind: 'unchanged', id: best.id });
      continue;
    }
    const twin = out.findIndex((d, j) => d !== 'ask' && d.kind === 'add' && cosine(vectors[i]!, vectors[j]!) >= policy.duplicateThreshold);
    if (twin >= 0) out.push({ kind: 'duplicate', of: twin });
    else out.push(withModel && candidates[i]!.length > 0 ? 'ask' : { kind: 'add', invalidates: [] });
  }
  return out;
}

/**
 * Asks the model what to do with the new facts at `asked` given their candidates, and checks the
 * answer against what it was shown: one decision per asked fact, ids only among those shown, the
 * fields each action needs. Anything else is an `LlmError` and nothing is written.
 */
export async function modelDecisions(
  llm: Llm,
  counters: LlmCounters,
  prompt: string,
  texts: readonly string[],
  candidates: readonly (readonly Candidate[])[],
  asked: readonly number[],
): Promise<Map<number, Decision>> {
  const material = asked.map((i) => ({ fact: i, text: texts[i], known: candidates[i]!.map((c) => ({ id: c.id, text: c.text })) }));
  const answer: Decisions = await askJson(llm, counters, DECISIONS, prompt, JSON.stringify({ new: material }, null, 1));
  const shown = new Set(asked.flatMap((i) => candidates[i]!.map((c) => c.id)));
  const known = (id: string | null, i: number): string => {
    if (id === null) throw new LlmError('schema', `the language model's decision for new fact ${i} names no id`);
    if (!shown.has(id)) throw new LlmError('unknown_id', `the language model named fact "${id}", which it was not shown`);
    return id;
  };
  const out = new Map<number, Decision>();
  for (const d of answer.decisions) {
    if (!asked.includes(d.fact)) throw new LlmError('schema', `the language model decided on new fact ${d.fact}, which it was not asked about`);
    if (out.has(d.fact)) throw new LlmError('schema', `the language model decided twice on new fact ${d.fact}`);
    const invalidates = d.invalidates.map((id) => known(id, d.fact));
    if (d.action === 'add') out.set(d.fact, { kind: 'add', invalidates });
    else if (d.action === 'none') out.set(d.fact, { kind: 'unchanged', id: known(d.id, d.fact) });
    else if (d.action === 'invalidate') out.set(d.fact, { kind: 'invalidate', id: known(d.id, d.fact) });
    else {
      if (d.text === null) throw new LlmError('schema', `the language model's update of new fact ${d.fact} has no text`);
      out.set(d.fact, { kind: 'update', id: known(d.id, d.fact), text: d.text.trim() });
    }
  }
  const missing = asked.find((i) => !out.has(i));
  if (missing !== undefined) throw new LlmError('schema', `the language model gave no decision for new fact ${missing}`);
  return out;
}
