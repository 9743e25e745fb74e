/**
 * Builds a record with one entry per name of `names`, each made by `make`. The one place a record
 * over store names is assembled key by key: TypeScript cannot follow a loop's key into a mapped
 * type, hence the single cast; what each entry's type is, is checked where the registries are
 * declared (their `satisfies`).
 *
 * @example
 * ```ts
 * const sizes = recordOf<{ a: number; b: number }>(['a', 'b'], (name) => name.length);
 * ```
 */
export function recordOf<R extends object>(names: readonly (keyof R & string)[], make: (name: keyof R & string) => R[keyof R & string]): R {
  const out: Partial<R> = {};
  for (const name of names) out[name] = make(name);
  return out as R;
}
