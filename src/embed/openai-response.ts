import { l2normalize } from './embedder.js';
import { EmbeddingError } from './errors.js';

/**
 * Parses and validates a `/v1/embeddings` answer: `{ data: [{ embedding: number[], index }] }`.
 * Returns the vectors in input order (servers may answer out of order; `index` says where each
 * belongs). Anything unexpected is an {@link EmbeddingError} `BAD_RESPONSE`: a vector that is
 * silently wrong would corrupt a collection, so nothing is guessed. `context` starts the message
 * (it names the endpoint and must hold no secret).
 */
export function parseEmbeddingResponse(
  body: string,
  expected: { count: number; dimension: number; normalize: boolean; attempts: number; context: string },
): Float32Array[] {
  const { count, dimension, normalize, attempts, context } = expected;
  const bad = (why: string, cause?: unknown): EmbeddingError =>
    new EmbeddingError(`${context}: invalid response: ${why}`, 'BAD_RESPONSE', { attempts, cause });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw bad('body is not JSON', e);
  }
  const data = isObject(json) ? json.data : undefined;
  if (!Array.isArray(data)) throw bad('no "data" array');
  if (data.length !== count) throw bad(`expected ${count} embeddings, got ${data.length}`);

  const out: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(count).fill(undefined);
  for (let i = 0; i < data.length; i++) {
    const item: unknown = data[i];
    if (!isObject(item)) throw bad(`data[${i}] is not an object`);
    // Some servers omit `index`; then the array order is all we have.
    const index = item.index === undefined ? i : item.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count)
      throw bad(`data[${i}].index is not an integer from 0 to ${count - 1}`);
    if (out[index] !== undefined) throw bad(`index ${index} appears twice`);
    const emb = item.embedding;
    if (!Array.isArray(emb)) throw bad(`data[${i}].embedding is not an array of numbers`);
    if (emb.length !== dimension) throw bad(`expected dimension ${dimension}, got ${emb.length} (is options.dimension right for this model?)`);
    const v = new Float32Array(dimension);
    for (let j = 0; j < dimension; j++) {
      const x: unknown = emb[j];
      if (typeof x !== 'number') throw bad(`data[${i}].embedding[${j}] is not a number`);
      v[j] = x;
      // Checked after the float32 conversion: a huge finite double becomes Infinity there.
      if (!Number.isFinite(v[j])) throw bad(`data[${i}].embedding[${j}] is not finite`);
    }
    out[index] = normalize ? l2normalize(v) : v;
  }
  return out as Float32Array[];
}

/**
 * A short, single-line summary of an error body for the error message: the server's own
 * message when the body is OpenAI-style (`{ error: { message } }`) or Ollama-style
 * (`{ error: "..." }`), otherwise the start of the text.
 */
export function errorSnippet(body: string, maxChars = 200): string {
  let text = body;
  try {
    const json: unknown = JSON.parse(body);
    if (isObject(json)) {
      const err = json.error;
      if (typeof err === 'string') text = err;
      else if (isObject(err) && typeof err.message === 'string') text = err.message;
      else if (typeof json.message === 'string') text = json.message;
    }
  } catch {
    // Not JSON: an HTML page from a proxy, plain text — show its beginning.
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
