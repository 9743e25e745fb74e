import { ValidationError } from '../errors.js';
import { checkDimension, checkTexts, type Embedder } from './embedder.js';

/** Options of {@link HashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Length of the vectors. More dimensions = fewer hash collisions. @default 384 */
  dimension?: number;
}

/**
 * Share of each feature family in the final vector (squared weights sum to 1). Words carry most
 * of the signal; trigrams absorb typos and inflections ("programing" ~ "programming"); bigrams
 * reward shared phrases and word order. Each family is normalized on its own before mixing,
 * otherwise trigrams (one per character) would drown the words of any long text.
 */
const FAMILY_WEIGHTS = { word: Math.sqrt(0.5), bigram: Math.sqrt(0.2), trigram: Math.sqrt(0.3) } as const;
type Family = keyof typeof FAMILY_WEIGHTS;

/** A word: letters, digits and combining marks (so Devanagari or Thai words stay whole). */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * The default embedder: works offline, needs no model, and is deterministic — the same text gives
 * bit-identical vectors on every run and every machine (NFKC and lowercasing follow the Unicode
 * version of the JavaScript engine, which only matters for characters newer than it knows).
 *
 * **What it captures:** lexical overlap. Texts are NFKC-normalized and lowercased, then split into
 * word unigrams, word bigrams and character trigrams (per word, with boundary markers); each
 * feature is hashed (FNV-1a over its UTF-8 bytes, finished with murmur3's `fmix32`) to a signed
 * slot of the vector, weighted by `sqrt(term frequency)` and the whole is L2-normalized. So texts
 * sharing words score high, word order counts a little, and typos or inflections still
 * partly match through trigrams.
 *
 * **What it does not capture:** meaning. "car" and "automobile" are unrelated to it, as are a
 * question and an answer that share no words, or the same sentence in two languages. Scripts
 * written without spaces (Chinese, Japanese) are matched only through character trigrams.
 *
 * **Empty text** (or text with no letters or digits, such as `"  "` or `"!!"`) gives a zero vector,
 * which has cosine 0 with everything.
 *
 * **For real semantic search** plug in a model: {@link OpenAIEmbedder} talks to OpenAI, Ollama,
 * vLLM or any OpenAI-compatible `/v1/embeddings` endpoint, and any object implementing
 * {@link Embedder} works. Vectors from different embedders are not comparable: a collection keeps
 * the embedder (name and dimension) it was created with.
 *
 * @example
 * ```ts
 * const e = new HashingEmbedder({ dimension: 384 });
 * const [a, b, c] = await e.embed(['python programming tips', 'tips for programming in python', 'chocolate cake recipe']);
 * cosine(a, b) > cosine(a, c); // true: shared words
 * ```
 */
export class HashingEmbedder implements Embedder {
  readonly dimension: number;
  /** Versioned: any change to the features or the hash must change this name. */
  readonly name = 'hashing-v1';

  constructor(options: HashingEmbedderOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ValidationError('options', 'must be an object such as { dimension: 384 }');
    }
    for (const k of Object.keys(options)) {
      if (k !== 'dimension') throw new ValidationError(`options.${k}`, 'unknown option');
    }
    this.dimension = checkDimension(options.dimension ?? 384, 'options.dimension');
  }

  /**
   * One unit vector (or zero vector) per text, in input order.
   *
   * @throws ValidationError when `texts` is not an array of strings.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return checkTexts(texts).map((t) => this.embedOne(t));
  }

  /**
   * Synchronous embedding of one text, for callers that cannot await (for example inside a
   * synchronous SQLite transaction).
   */
  embedOne(text: string): Float32Array {
    if (typeof text !== 'string') throw new ValidationError('text', `must be a string, got ${typeof text}`);
    const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
    const families: Record<Family, Map<string, number>> = { word: new Map(), bigram: new Map(), trigram: new Map() };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      count(families.word, w);
      if (i > 0) count(families.bigram, `${words[i - 1]!} ${w}`);
      // Code points, not UTF-16 units, so an astral character is never split into two halves.
      const chars = Array.from(`\u0002${w}\u0003`);
      for (let j = 0; j + 3 <= chars.length; j++) count(families.trigram, chars[j]! + chars[j + 1]! + chars[j + 2]!);
    }
    const out = new Float64Array(this.dimension);
    for (const family of Object.keys(FAMILY_WEIGHTS) as Family[]) {
      addFamily(out, families[family], family, FAMILY_WEIGHTS[family]);
    }
    return Float32Array.from(normalizeInPlace(out));
  }
}

function count(m: Map<string, number>, feature: string): void {
  m.set(feature, (m.get(feature) ?? 0) + 1);
}

/**
 * Adds one family's features, normalized to length `weight`, into `out`. The family tag is
 * hashed with the feature so the word "abc" and the trigram "abc" land in unrelated slots.
 *
 * Only IEEE-754 basic operations (+, *, /, sqrt) are used here and in the normalization: they are
 * correctly rounded on every platform, whereas `Math.log` may differ in the last bit between
 * engines — that is why term frequency is damped with `sqrt` rather than `1 + ln`.
 */
function addFamily(out: Float64Array, features: Map<string, number>, family: Family, weight: number): void {
  if (features.size === 0) return;
  const part = new Float64Array(out.length);
  for (const [feature, tf] of features) {
    const h = fnv1a(`${family}\u0000${feature}`);
    const slot = fmix32(h) % out.length;
    // The sign comes from a second, independent mix so colliding features cancel on average
    // instead of piling up (the "signed hashing" trick of Weinberger et al., 2009).
    const sign = fmix32(h ^ 0x9e3779b9) & 1 ? -1 : 1;
    part[slot]! += sign * Math.sqrt(tf);
  }
  normalizeInPlace(part);
  for (let i = 0; i < out.length; i++) out[i]! += part[i]! * weight;
}

function normalizeInPlace(v: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return v;
  const norm = Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `s` (encoded inline, so the hash matches any other
 * implementation of FNV-1a over UTF-8, in any language). Lone surrogates hash as U+FFFD, like
 * `TextEncoder` would encode them.
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (const ch of s) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) byte(cp);
    else if (cp < 0x800) {
      byte(0xc0 | (cp >> 6));
      byte(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      byte(0xe0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 0x3f));
      byte(0x80 | (cp & 0x3f));
    } else {
      byte(0xf0 | (cp >> 18));
      byte(0x80 | ((cp >> 12) & 0x3f));
      byte(0x80 | ((cp >> 6) & 0x3f));
      byte(0x80 | (cp & 0x3f));
    }
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer: spreads FNV's weak low-order bits over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
