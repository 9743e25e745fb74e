import { ValidationError } from '../errors.js';

/**
 * Turns texts into vectors. Memex calls it for every document upserted with `text` and no
 * `vector`, and for every search by `text`. Plug in any model by implementing these three members.
 *
 * Contract:
 * - `embed(texts)` resolves to exactly one `Float32Array` of length `dimension` per text, in the
 *   same order, every value finite. The embedders shipped here also return unit-length vectors
 *   (a zero vector where there is nothing to embed), so cosine similarity equals the dot product.
 * - `dimension` is fixed for the life of the instance: a collection stores it and refuses vectors
 *   of any other length.
 * - `name` identifies the vector space (model and version): two embedders with the same `name`
 *   and `dimension` must give comparable vectors, so a store can refuse to mix spaces.
 *
 * @example
 * ```ts
 * // A wrapper around any local model (here a hypothetical `pipeline` returning number[][]).
 * const myEmbedder: Embedder = {
 *   name: 'minilm-l6-v2',
 *   dimension: 384,
 *   async embed(texts) {
 *     const rows = await pipeline(texts);
 *     return rows.map((r) => l2normalize(Float32Array.from(r)));
 *   },
 * };
 * ```
 */
export interface Embedder {
  /** Length of every vector this embedder returns. */
  readonly dimension: number;
  /** Identifies the model (and its version), e.g. `'hashing-v1'` or `'openai:text-embedding-3-small'`. */
  readonly name: string;
  /** One vector per text, in input order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * Largest dimension accepted anywhere. Real models use 256-4096; the bound only stops a typo
 * (say 3_840_000) from allocating gigabytes per batch.
 */
export const MAX_DIMENSION = 65_536;

/**
 * Checks that `dimension` is an integer from 1 to {@link MAX_DIMENSION}; returns it.
 *
 * @example
 * ```ts
 * checkDimension(384, 'options.dimension'); // 384
 * checkDimension(0, 'options.dimension');   // ValidationError: options.dimension: must be an integer from 1 to 65536
 * ```
 */
export function checkDimension(dimension: unknown, field = 'dimension'): number {
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new ValidationError(field, `must be an integer from 1 to ${MAX_DIMENSION}, got ${String(dimension)}`);
  }
  return dimension;
}

/**
 * Scales `v` in place to unit Euclidean length and returns it. A zero vector stays zero (there is
 * no direction to keep). The norm is summed in double precision so long vectors of small floats
 * do not lose accuracy.
 *
 * @example
 * ```ts
 * l2normalize(new Float32Array([3, 4])); // Float32Array [0.6, 0.8]
 * ```
 */
export function l2normalize<T extends Float32Array | Float64Array>(v: T): T {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0 || !Number.isFinite(sum)) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/**
 * Validates a caller-supplied vector and returns it as a `Float32Array`: it must be an array or
 * typed array of exactly `dimension` numbers, none NaN or infinite. Values are checked *after*
 * conversion to 32-bit floats, because a finite double such as `1e39` overflows to `Infinity`
 * there and would poison every distance computed with it.
 *
 * A `Float32Array` input is returned as is (no copy); anything else is copied.
 *
 * @throws ValidationError naming `field`, with the reason (wrong type, wrong length, the index of
 * the first bad value).
 *
 * @example
 * ```ts
 * checkVector([0.1, 0.2], 2);             // Float32Array [0.1, 0.2]
 * checkVector([0.1, NaN], 2, 'doc.vector'); // ValidationError: doc.vector: element 1 is NaN
 * ```
 */
export function checkVector(v: unknown, dimension: number, field = 'vector'): Float32Array {
  let out: Float32Array;
  if (v instanceof Float32Array) {
    out = v;
  } else if (Array.isArray(v) || v instanceof Float64Array) {
    // Checked before copying so a string or a hole is reported as such, not as NaN.
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number') throw new ValidationError(field, `element ${i} must be a number, got ${typeof v[i]}`);
    }
    out = Float32Array.from(v as ArrayLike<number>);
  } else {
    throw new ValidationError(field, `must be an array or Float32Array of ${dimension} numbers`);
  }
  if (out.length !== dimension) {
    throw new ValidationError(field, `must have ${dimension} dimensions, got ${out.length}`);
  }
  for (let i = 0; i < out.length; i++) {
    const x = out[i]!;
    if (Number.isNaN(x)) throw new ValidationError(field, `element ${i} is NaN`);
    if (!Number.isFinite(x)) throw new ValidationError(field, `element ${i} is not finite as a 32-bit float`);
  }
  return out;
}

/**
 * Checks the argument of {@link Embedder.embed}: an array of strings. Embedders call it first so
 * that a wrong argument is a ValidationError naming the element, not a crash deep in a model.
 *
 * @example
 * ```ts
 * checkTexts(['a', 1]); // ValidationError: texts[1]: must be a string, got number
 * ```
 */
export function checkTexts(texts: unknown): readonly string[] {
  if (!Array.isArray(texts)) throw new ValidationError('texts', 'must be an array of strings');
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') throw new ValidationError(`texts[${i}]`, `must be a string, got ${typeof texts[i]}`);
  }
  return texts as readonly string[];
}

/**
 * Cosine similarity of two vectors of the same length, in [-1, 1]; 0 when either is a zero
 * vector (an empty text is similar to nothing). Accumulates in double precision.
 *
 * @throws ValidationError when the lengths differ: comparing across dimensions is always a bug.
 *
 * @example
 * ```ts
 * cosine(new Float32Array([1, 0]), new Float32Array([1, 1])); // ≈ 0.7071
 * ```
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ValidationError('vector', `dimensions differ: ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  // Clamped: rounding can push the ratio of two parallel vectors a hair past ±1.
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}
