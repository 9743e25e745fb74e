import { parseStored } from './typed.js';

/**
 * A deeply read-only view of `T`: what every read returns.
 */
export type DeepReadonly<T> = T extends ArrayBufferView
  ? T
  : T extends (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/**
 * Freezes `v` and everything reachable from it; returns it for chaining. Typed arrays cannot be
 * frozen: they are left as they are (every read returns a fresh copy of them).
 */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Parses stored JSON into a fresh, deeply frozen copy that no caller can mutate. */
export function parseFrozen<T = unknown>(json: string): T {
  return deepFreeze(parseStored(json) as T);
}
