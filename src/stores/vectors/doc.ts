import { ValidationError } from '../../errors.js';
import { typeName, validateKey } from '../../values/keys.js';
import { serializeValue } from '../../values/json.js';
import { typedFromBase64, typedToBase64 } from '../../values/typed.js';

/** A document of semantic memory. A `text` without a `vector` is embedded by the configured embedder. */
export interface VectorDoc {
  id: string;
  text?: string;
  vector?: Float32Array | readonly number[];
  metadata?: Record<string, unknown>;
}

/** A stored document as read back. */
export interface StoredDoc {
  readonly id: string;
  readonly text: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly vector: Float32Array;
}

/** What the record holds: the vector as base64 of its float32 bytes (compact, exact). */
export interface DocRecord {
  text: string | null;
  metadata: Record<string, unknown>;
  v: string;
}

export const MAX_TEXT_CHARS = 100_000;
export const MAX_DIMENSION = 8192;

export const encodeVector = (v: Float32Array): string => typedToBase64(v);

export const decodeVector = (b64: string): Float32Array => typedFromBase64('Float32Array', b64) as Float32Array;

/** Checks a vector (any dimension here; the collection's dimension is checked in the write). */
export function toVector(v: unknown, field: string): Float32Array {
  const arr = v instanceof Float32Array ? v : Array.isArray(v) ? Float32Array.from(v as number[]) : undefined;
  if (!arr) throw new ValidationError(field, `must be a Float32Array or an array of numbers, got ${typeName(v)}`);
  if (arr.length === 0 || arr.length > MAX_DIMENSION) throw new ValidationError(field, `must have 1..${MAX_DIMENSION} dimensions, got ${arr.length}`);
  if (Array.isArray(v) && v.some((x) => typeof x !== 'number')) throw new ValidationError(field, 'must contain only numbers');
  for (let i = 0; i < arr.length; i++)
    if (!Number.isFinite(arr[i])) throw new ValidationError(`${field}[${i}]`, `must be finite, got ${String(arr[i])}`);
  // A copy the caller cannot change afterwards; `slice` copies in one memcpy where
  // `Float32Array.from` walks an iterator (an array input was already copied above).
  return arr === v ? arr.slice() : arr;
}

/** Validates one document's shape; the vector may still be missing (to be embedded). */
export function checkDoc(
  d: unknown,
  field: string,
): { id: string; text: string | null; metadata: Record<string, unknown>; vector: Float32Array | undefined } {
  if (d === null || typeof d !== 'object' || Array.isArray(d))
    throw new ValidationError(field, `must be an object { id, text?, vector?, metadata? }, got ${typeName(d)}`);
  const { id, text, vector, metadata, ...rest } = d as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new ValidationError(`${field}.${extra}`, 'unknown field (allowed: id, text, vector, metadata)');
  const key = validateKey(id, `${field}.id`);
  if (text !== undefined && typeof text !== 'string') throw new ValidationError(`${field}.text`, 'must be a string');
  if (typeof text === 'string' && (text.length > MAX_TEXT_CHARS || !text.isWellFormed())) {
    throw new ValidationError(`${field}.text`, `must be well-formed text of at most ${MAX_TEXT_CHARS} characters`);
  }
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new ValidationError(`${field}.metadata`, 'must be a plain object');
  }
  if (metadata !== undefined) serializeValue(metadata, 64 * 1024, `${field}.metadata`);
  if (text === undefined && vector === undefined) throw new ValidationError(field, 'needs a text or a vector');
  return {
    id: key,
    text: text ?? null,
    metadata: (metadata as Record<string, unknown> | undefined) ?? {},
    vector: vector === undefined ? undefined : toVector(vector, `${field}.vector`),
  };
}
