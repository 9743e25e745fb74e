/**
 * The walk over a filter tree that every SQL compiler shares: the connectives, the checks a
 * hand-built tree must pass (depth, known operators, scalar values, non-empty lists, valid path
 * segments) and the rule that a range compares a finite number or a string. A dialect only says
 * what SQL each leaf and connective is (engine/sqlite/filter-sql.ts, engine/postgres/filter-sql.ts).
 */
import { ValidationError } from '../errors.js';
import { FILTER_LIMITS, pathSegmentProblem, type FilterNode, type FilterPath, type FilterScalar } from './filter-ast.js';

export type RangeOp = '>' | '>=' | '<' | '<=';

/** The SQL of one engine's filter leaves. Every method returns a self-delimited boolean expression. */
export interface FilterDialect {
  readonly always: string;
  readonly never: string;
  /** True when `sql` is false or NULL (so `$ne`, `$nin` and `$not` match missing fields). */
  not(sql: string): string;
  /** The value at `path` is one of `values`, or an array with an element that is. */
  equalsOrHas(path: readonly string[], values: FilterScalar[]): string;
  range(path: readonly string[], op: RangeOp, value: number | string): string;
  exists(path: readonly string[], exists: boolean): string;
  /** An array element equal to `value`, or (for a string) a substring of a string value. */
  contains(path: readonly string[], value: FilterScalar): string;
}

/** Hand-built trees bypass parseFilter's limits: recursion still stays bounded. */
const MAX_COMPILE_DEPTH = 4 * FILTER_LIMITS.maxDepth;
const RANGE_SQL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Compiles `n` with dialect `d`. Throws ValidationError('filter') for a tree parseFilter would refuse. */
export function walkFilter(n: FilterNode, d: FilterDialect, depth = 0): string {
  if (depth > MAX_COMPILE_DEPTH) throw new ValidationError('filter', `nests deeper than ${MAX_COMPILE_DEPTH} levels`);
  switch (n.op) {
    case 'and':
    case 'or':
      if (n.of.length === 0) return n.op === 'and' ? d.always : d.never;
      return `(${n.of.map((child) => walkFilter(child, d, depth + 1)).join(n.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return d.not(walkFilter(n.of, d, depth + 1));
    case 'cmp':
      switch (n.cmp) {
        case 'eq':
          return d.equalsOrHas(checkPath(n.path), [checkScalar(n.value)]);
        case 'ne':
          return d.not(d.equalsOrHas(checkPath(n.path), [checkScalar(n.value)]));
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte': {
          const x = n.value;
          if (!(typeof x === 'number' && Number.isFinite(x)) && typeof x !== 'string') {
            throw new ValidationError('filter', `a range compares numbers or strings only, got ${x === null ? 'null' : typeof x}`);
          }
          return d.range(checkPath(n.path), RANGE_SQL[n.cmp], x);
        }
        default:
          throw new ValidationError('filter', `unknown comparison ${JSON.stringify((n as { cmp?: unknown }).cmp)}`);
      }
    case 'in':
    case 'nin': {
      if (!Array.isArray(n.values) || n.values.length === 0) throw new ValidationError('filter', `$${n.op} needs a non-empty list`);
      const sql = d.equalsOrHas(checkPath(n.path), n.values.map(checkScalar));
      return n.op === 'in' ? sql : d.not(sql);
    }
    case 'exists':
      return d.exists(checkPath(n.path), n.exists);
    case 'contains':
      return d.contains(checkPath(n.path), checkScalar(n.value));
    default:
      throw new ValidationError('filter', `unknown filter node ${JSON.stringify((n as { op?: unknown }).op)}`);
  }
}

/** The segments of a path, re-checked: a hand-built tree is not trusted. */
export function checkPath(path: FilterPath): readonly string[] {
  if (!Array.isArray(path) || path.length === 0 || path.length > FILTER_LIMITS.maxPathSegments) {
    throw new ValidationError('filter', 'invalid path');
  }
  for (const seg of path as unknown[]) {
    if (typeof seg !== 'string') throw new ValidationError('filter', 'invalid path');
    const problem = pathSegmentProblem(seg);
    if (problem !== undefined) throw new ValidationError('filter', problem);
  }
  return path as readonly string[];
}

export function checkScalar(v: FilterScalar): FilterScalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new ValidationError('filter', `not a filter value: ${typeof v}`);
}
