import { ValidationError } from '../../errors.js';
import { parseFilter, type FilterNode } from './filter.js';
import { toVector } from './doc.js';
import { MAX_TOP_K } from '../../values/limits.js';

export type SearchMode = 'vector' | 'text' | 'hybrid';

export interface SearchOptions {
  /** Query text: embedded for 'vector', matched for 'text', both for 'hybrid'. */
  text?: string;
  /** Query vector (skips embedding). */
  vector?: Float32Array | readonly number[];
  /** 1..1000. @default 10 */
  topK?: number;
  /** A JSON filter over metadata, e.g. `{ type: 'doc', year: { $gte: 2020 } }`. */
  filter?: Record<string, unknown>;
  /** Drop results scoring below this (cosine for 'vector', fused score for 'hybrid'). */
  minScore?: number;
  /** @default 'vector' */
  mode?: SearchMode;
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
  readonly text: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface CheckedSearch {
  text: string | undefined;
  vector: Float32Array | undefined;
  topK: number;
  filter: FilterNode | undefined;
  minScore: number | undefined;
  mode: SearchMode;
}

const ALLOWED = ['text', 'vector', 'topK', 'filter', 'minScore', 'mode'];

export function checkSearch(o: unknown): CheckedSearch {
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new ValidationError('query', 'must be an object { text?, vector?, topK?, filter?, minScore?, mode? }');
  const q = o as Record<string, unknown>;
  for (const k of Object.keys(q)) if (!ALLOWED.includes(k)) throw new ValidationError(`query.${k}`, 'unknown option');
  const mode = q.mode ?? 'vector';
  if (mode !== 'vector' && mode !== 'text' && mode !== 'hybrid') throw new ValidationError('query.mode', "must be 'vector', 'text' or 'hybrid'");
  if (q.text !== undefined && (typeof q.text !== 'string' || q.text.length > 10_000))
    throw new ValidationError('query.text', 'must be a string of at most 10000 characters');
  const vector = q.vector === undefined ? undefined : toVector(q.vector, 'query.vector');
  const text = q.text;
  if (mode === 'text' && text === undefined) throw new ValidationError('query.text', "is required in 'text' mode");
  if (mode === 'hybrid' && text === undefined) throw new ValidationError('query.text', "is required in 'hybrid' mode");
  if (mode === 'vector' && text === undefined && vector === undefined) throw new ValidationError('query', 'needs a text or a vector');
  const topK = q.topK ?? 10;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K)
    throw new ValidationError('query.topK', `must be an integer from 1 to ${MAX_TOP_K}`);
  const minScore = q.minScore;
  if (minScore !== undefined && (typeof minScore !== 'number' || !Number.isFinite(minScore)))
    throw new ValidationError('query.minScore', 'must be a finite number');
  return { text, vector, topK, filter: q.filter === undefined ? undefined : parseFilter(q.filter, 'query.filter'), minScore: minScore, mode };
}

/** Reciprocal rank fusion (k = 60): a document's fused score is the sum of 1 / (60 + rank) over the lists. */
export function fuse(lists: string[][], k = 60): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) list.forEach((id, i) => out.set(id, (out.get(id) ?? 0) + 1 / (k + i + 1)));
  return out;
}
