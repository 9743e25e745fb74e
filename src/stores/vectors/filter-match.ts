/**
 * The JS evaluator of the filter language: the same semantics as the SQL compiled by
 * src/engine/sqlite/filter-sql.ts (a property test holds the two to identical answers).
 */
import type { FilterNode, FilterScalar, FilterPath } from './filter.js';
import { compareCodePoints } from '../../engine/code-points.js';

// ---------------------------------------------------------------------------------------------
// The JS evaluator. Must agree exactly with every engine's compiled form (proven by
// test/conformance/vectors-filter.test.ts, including a fast-check property).

/** What a path resolves to when there is no such key (distinct from JSON `null`). */
const MISSING: unique symbol = Symbol('missing');
/** A JSON value, or {@link MISSING}. */
type Resolved = unknown;

/**
 * True when `metadata` (parsed JSON: what the store holds) satisfies `filter`. A non-object
 * `metadata` (`undefined` when a document has none) has every path missing.
 */
export function matchesFilter(filter: FilterNode, metadata: unknown): boolean {
  switch (filter.op) {
    case 'and':
      return filter.of.every((n) => matchesFilter(n, metadata));
    case 'or':
      return filter.of.some((n) => matchesFilter(n, metadata));
    case 'not':
      return !matchesFilter(filter.of, metadata);
    case 'cmp': {
      const v = resolve(metadata, filter.path);
      switch (filter.cmp) {
        case 'eq':
          return equalsOrHas(v, filter.value);
        case 'ne':
          return !equalsOrHas(v, filter.value);
        default:
          return inRange(v, filter.cmp, filter.value);
      }
    }
    case 'in':
    case 'nin': {
      const v = resolve(metadata, filter.path);
      const set = valueSet(filter.values);
      const hit = isScalar(v) ? set.has(v) : Array.isArray(v) && v.some((e) => isScalar(e) && set.has(e));
      return filter.op === 'in' ? hit : !hit;
    }
    case 'exists':
      return (resolve(metadata, filter.path) !== MISSING) === filter.exists;
    case 'contains': {
      const v = resolve(metadata, filter.path);
      const x = filter.value;
      if (Array.isArray(v)) return v.some((e) => same(e, x));
      return typeof v === 'string' && typeof x === 'string' && v.includes(x);
    }
    default:
      throw new TypeError(`unknown filter node ${JSON.stringify((filter as { op?: unknown }).op)}`);
  }
}

function resolve(metadata: unknown, path: FilterPath): Resolved {
  let cur: unknown = metadata;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return MISSING;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur === undefined ? MISSING : cur;
}

/** Same JSON type and value. Arrays and objects are never the same as a scalar. */
function same(a: unknown, x: FilterScalar): boolean {
  return x === null ? a === null : typeof a === typeof x && a === x;
}

/** `$in` lists as Sets, built once per (frozen) list. SameValueZero is `same` on scalars. */
const valueSets = new WeakMap<readonly FilterScalar[], Set<FilterScalar>>();
function valueSet(values: readonly FilterScalar[]): Set<FilterScalar> {
  let set = valueSets.get(values);
  if (!set) valueSets.set(values, (set = new Set(values)));
  return set;
}

function isScalar(v: unknown): v is FilterScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function equalsOrHas(v: Resolved, x: FilterScalar): boolean {
  return same(v, x) || (Array.isArray(v) && v.some((e) => same(e, x)));
}

function inRange(v: Resolved, cmp: 'gt' | 'gte' | 'lt' | 'lte', x: FilterScalar): boolean {
  let c: number;
  if (typeof x === 'number' && typeof v === 'number') c = v < x ? -1 : v > x ? 1 : 0;
  else if (typeof x === 'string' && typeof v === 'string') c = compareCodePoints(v, x);
  else return false;
  switch (cmp) {
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
  }
}
