/**
 * Typed arrays inside kv, cache and profile values (an embedding cached under its text is the
 * common case). They are stored compactly, as the base64 of their bytes in a tagged object
 * `{ "$typedArray": "Float32Array", "base64": "…" }`, and read back as a fresh typed array of the
 * same type — typed arrays cannot be frozen, so each read gets its own copy. The tag key is
 * reserved: a caller's object may not use it.
 */
export const TYPED_TAG = '$typedArray';

const CTORS = {
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
type TypedName = keyof typeof CTORS;
export type StorableTypedArray = InstanceType<(typeof CTORS)[TypedName]>;

/** Whether `v` is a typed array of a storable kind (not a DataView, not a BigInt array, not a subclass). */
export function isStorableTyped(v: unknown): v is StorableTypedArray {
  if (!ArrayBuffer.isView(v)) return false;
  const C = CTORS[v.constructor.name as TypedName] as { prototype: object } | undefined;
  return C !== undefined && Object.getPrototypeOf(v) === C.prototype;
}

/** The JSON.stringify replacer that writes typed arrays as their tag. */
export function typedReplacer(_key: string, v: unknown): unknown {
  return isStorableTyped(v) ? { [TYPED_TAG]: v.constructor.name, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v;
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
    const C = typeof o[TYPED_TAG] === 'string' ? CTORS[o[TYPED_TAG] as TypedName] : undefined;
    if (!C || typeof o.base64 !== 'string') return v;
    const bytes = Buffer.from(o.base64, 'base64');
    const out = new C(bytes.byteLength / C.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  });
}
