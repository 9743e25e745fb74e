/**
 * Typed arrays inside kv, cache and profile values (an embedding cached under its text is the
 * common case). They are stored compactly, as the base64 of their bytes in a tagged object
 * `{ "$typedArray": "Float32Array", "base64": "…" }`, and read back as a fresh typed array of the
 * same type — typed arrays cannot be frozen, so each read gets its own copy. The tag key is
 * reserved: a caller's object may not use it.
 */
export const TYPED_TAG = '$typedArray';

/** The typed-array classes a value may hold, by name. */
export const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;
export type TypedName = keyof typeof TYPED_ARRAYS;
export type StorableTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedName]>;

/** The typed array of class `name` whose bytes are `b64`, or `undefined` if either is not one. */
export function typedFromBase64(name: unknown, b64: unknown): StorableTypedArray | undefined {
  const C = typeof name === 'string' && Object.hasOwn(TYPED_ARRAYS, name) ? TYPED_ARRAYS[name as TypedName] : undefined;
  if (!C || typeof b64 !== 'string') return undefined;
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.byteLength % C.BYTES_PER_ELEMENT !== 0) return undefined;
  // A fresh, aligned buffer: a Buffer's offset need not be a multiple of the element size.
  const out = new C(bytes.byteLength / C.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Whether `v` is a typed array of a storable kind (not a DataView, not a BigInt array, not a subclass). */
export function isStorableTyped(v: unknown): v is StorableTypedArray {
  if (!ArrayBuffer.isView(v)) return false;
  const C = TYPED_ARRAYS[v.constructor.name as TypedName] as { prototype: object } | undefined;
  return C !== undefined && Object.getPrototypeOf(v) === C.prototype;
}

/** The base64 of a typed array's bytes (exact, and ~1.4x the raw size). */
export const typedToBase64 = (v: ArrayBufferView): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

/** The JSON.stringify replacer that writes typed arrays as their tag. */
export function typedReplacer(_key: string, v: unknown): unknown {
  return isStorableTyped(v) ? { [TYPED_TAG]: v.constructor.name, base64: typedToBase64(v) } : v;
}

const MARK = `"${TYPED_TAG}"`;

/** Whether stored JSON holds a typed array (then it is revived, and never shared between reads). */
export const holdsTyped = (json: string): boolean => json.includes(MARK);

/** Parses stored JSON, turning typed-array tags back into fresh typed arrays. */
export function parseStored(json: string): unknown {
  if (!holdsTyped(json)) return JSON.parse(json);
  return JSON.parse(json, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    return typedFromBase64(o[TYPED_TAG], o.base64) ?? v;
  });
}
