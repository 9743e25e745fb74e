/**
 * The filter language's tree: what `parseFilter` (stores/vectors/filter.ts) produces, what engines
 * compile (engine/sqlite/filter-sql.ts) and what the JS evaluator runs. Engine-agnostic, so the
 * seam can name it without knowing the parser.
 */

/** A value a filter may compare against. */
export type FilterScalar = string | number | boolean | null;

/** A metadata path, one validated segment per nesting level. */
export type FilterPath = readonly string[];

export type FilterComparison = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/** The normalized, validated filter tree. Every node is frozen. */
export type FilterNode =
  | { readonly op: 'and'; readonly of: readonly FilterNode[] }
  | { readonly op: 'or'; readonly of: readonly FilterNode[] }
  | { readonly op: 'not'; readonly of: FilterNode }
  | { readonly op: 'cmp'; readonly path: FilterPath; readonly cmp: FilterComparison; readonly value: FilterScalar }
  | { readonly op: 'in' | 'nin'; readonly path: FilterPath; readonly values: readonly FilterScalar[] }
  | { readonly op: 'exists'; readonly path: FilterPath; readonly exists: boolean }
  | { readonly op: 'contains'; readonly path: FilterPath; readonly value: FilterScalar };

export const FILTER_LIMITS = Object.freeze({
  /** Conditions and logical nodes in one filter. */
  maxNodes: 200,
  /** Nesting of `$and` / `$or` / `$not`. */
  maxDepth: 16,
  /** Segments of a dotted path. */
  maxPathSegments: 8,
  /** Values of one `$in` / `$nin`. */
  maxInValues: 1000,
  /** UTF-16 length of one string value. */
  maxStringLength: 8192,
});

/** One path segment: ASCII, starts with a letter or `_`, at most 64 characters. */
export const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Checks one path segment (also used by engines on hand-built trees). Returns an error reason. */
export function pathSegmentProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'path has an empty segment';
  if (FORBIDDEN_SEGMENTS.has(segment)) return `path segment "${segment}" is forbidden (prototype pollution)`;
  if (!PATH_SEGMENT.test(segment)) {
    return `path segment "${clip(segment)}" must match ${PATH_SEGMENT.source} (letters, digits, _ and -)`;
  }
  return undefined;
}

export function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
