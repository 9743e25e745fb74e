/**
 * The metadata filter language of `vectors` (`search`, `count`, `deleteWhere`): plain JSON, so it
 * travels over the network and compiles to SQL. Engine-agnostic: {@link parseFilter} validates and
 * normalizes a filter into a {@link FilterNode} tree, {@link matchesFilter} evaluates one in plain JS
 * (exact scans, tests), and each engine compiles the tree to its own query language
 * (`src/engine/sqlite/filter-sql.ts`) with exactly the semantics below.
 *
 * ```ts
 * { type: 'doc', year: { $gte: 2020, $lt: 2030 }, tags: { $in: ['python', 'js'] },
 *   $or: [{ 'author.name': 'Ada' }, { draft: { $exists: false } }] }
 * ```
 *
 * Semantics (v = the metadata value at the path; "missing" = no such key):
 * - A filter is an object; its entries are ANDed. `{}` matches every document.
 *   `$and: [f, …]`, `$or: [f, …]` (non-empty arrays of filters), `$not: f`.
 * - A key that is not an operator is a path: `a.b.c` walks nested objects (own keys only; a path
 *   never steps into arrays or strings). Segments match `[A-Za-z_][A-Za-z0-9_-]{0,63}`, at most 8
 *   of them; `__proto__`, `constructor` and `prototype` are refused.
 * - Values are compared with their JSON type: `1` never equals `true` or `"1"`, `1` equals `1.0`.
 * - `x` or `{ $eq: x }`: v equals x, or v is an array with an element equal to x (as in MongoDB).
 *   `null` matches an explicit `null` only, never a missing field (use `$exists: false`).
 * - `$ne: x` is exactly `$not: { $eq: x }`: it matches missing fields and arrays without x.
 * - `$in: [x, …]`: `$eq` to any of them. `$nin` is exactly its negation (matches missing fields).
 * - `$gt $gte $lt $lte`: x is a number or a string (anything else is refused); v must be of the
 *   same type (never an array: no element-wise ranges). Numbers compare as IEEE doubles, strings
 *   by Unicode code point (= UTF-8 byte order): case-sensitive, no locale, `"B" < "a"`.
 * - `$exists: true` matches any present value, `null` included; `$exists: false` a missing one.
 * - `$contains: x`: v is an array with an element equal to x, or v and x are both strings and x
 *   is a substring of v (case-sensitive; `""` is in every string).
 * - Field-level `$not`: `{ a: { $not: { $gt: 5 } } }` = `{ $not: { a: { $gt: 5 } } }`.
 * - Fail closed: an unknown `$operator`, an invalid path, an object or array where a value is
 *   expected, `undefined`, NaN, Infinity, BigInt, a lone surrogate, an empty `$in`/`$and`/`$or`,
 *   more than {@link FILTER_LIMITS} allow: all throw `ValidationError` naming the exact field
 *   (`filter.year.$gte`, `filter.$or[1]`).
 */
import { ValidationError } from '../../errors.js';
import { typeName } from '../../values/keys.js';

export {
  FILTER_LIMITS,
  PATH_SEGMENT,
  pathSegmentProblem,
  type FilterComparison,
  type FilterNode,
  type FilterPath,
  type FilterScalar,
} from '../../engine/filter-ast.js';
import {
  FILTER_LIMITS,
  clip,
  pathSegmentProblem,
  type FilterComparison,
  type FilterNode,
  type FilterPath,
  type FilterScalar,
} from '../../engine/filter-ast.js';

const COMPARISONS: Readonly<Record<string, FilterComparison>> = {
  $eq: 'eq',
  $ne: 'ne',
  $gt: 'gt',
  $gte: 'gte',
  $lt: 'lt',
  $lte: 'lte',
};

/**
 * Validates `input` and returns its normalized tree, or throws a `ValidationError` whose `field`
 * names the offending part (`filter.year.$gte`, `filter.$or[1]`). See the module comment.
 *
 * @example
 * ```ts
 * const f = parseFilter({ type: 'doc', year: { $gte: 2020 } });
 * matchesFilter(f, { type: 'doc', year: 2021 }); // true
 * ```
 */
export function parseFilter(input: unknown, field = 'filter'): FilterNode {
  return new Parser().filter(input, field, 0);
}

class Parser {
  private nodes = 0;

  /** A filter object: `$and`/`$or`/`$not` and paths, ANDed. */
  filter(input: unknown, field: string, depth: number): FilterNode {
    const entries = plainEntries(input, field, 'a filter object');
    const of: FilterNode[] = [];
    for (const [key, value] of entries) {
      const sub = `${field}.${clip(key)}`;
      if (key.startsWith('$')) {
        if (key === '$and' || key === '$or') {
          this.count(sub);
          this.deeper(depth, sub);
          if (!Array.isArray(value)) throw new ValidationError(sub, `must be a non-empty array of filters, got ${typeName(value)}`);
          if (value.length === 0) throw new ValidationError(sub, 'must be a non-empty array of filters');
          if (value.length > FILTER_LIMITS.maxNodes) throw tooMany(sub);
          const children = arrayItems(value, sub).map((item, i) => this.filter(item, `${sub}[${i}]`, depth + 1));
          of.push(node({ op: key === '$and' ? 'and' : 'or', of: children }));
        } else if (key === '$not') {
          this.count(sub);
          this.deeper(depth, sub);
          of.push(node({ op: 'not', of: this.filter(value, sub, depth + 1) }));
        } else {
          throw unknownOperator(sub, key, 'filter');
        }
      } else {
        of.push(this.condition(parsePath(key, sub), value, sub, depth));
      }
    }
    return of.length === 1 && of[0] ? of[0] : node({ op: 'and', of });
  }

  /** The value of a path: a scalar (`$eq`) or an object of operators, ANDed. */
  private condition(path: FilterPath, value: unknown, field: string, depth: number): FilterNode {
    if (value === null || typeof value !== 'object') {
      this.count(field);
      return node({ op: 'cmp', path, cmp: 'eq', value: scalar(value, field) });
    }
    if (Array.isArray(value)) {
      throw new ValidationError(field, 'an array is not a value: use $in for any of several values, $contains for array membership');
    }
    const entries = plainEntries(value, field, 'a value or an object of $operators');
    if (entries.length === 0) throw new ValidationError(field, 'an operator object must not be empty');
    const of: FilterNode[] = [];
    for (const [key, operand] of entries) {
      const sub = `${field}.${clip(key)}`;
      if (!key.startsWith('$')) {
        throw new ValidationError(sub, 'objects are not values: use a dotted path ("a.b") for nested fields, or an $operator');
      }
      this.count(sub);
      const cmp = COMPARISONS[key];
      if (cmp !== undefined && Object.hasOwn(COMPARISONS, key)) {
        const v = scalar(operand, sub);
        if (cmp !== 'eq' && cmp !== 'ne' && typeof v !== 'number' && typeof v !== 'string') {
          throw new ValidationError(sub, `compares numbers or strings only, got ${typeName(v)}`);
        }
        of.push(node({ op: 'cmp', path, cmp, value: v }));
      } else if (key === '$in' || key === '$nin') {
        if (!Array.isArray(operand)) throw new ValidationError(sub, `must be a non-empty array of values, got ${typeName(operand)}`);
        if (operand.length === 0) throw new ValidationError(sub, 'must be a non-empty array of values');
        if (operand.length > FILTER_LIMITS.maxInValues) {
          throw new ValidationError(sub, `has ${operand.length} values, over the limit of ${FILTER_LIMITS.maxInValues}`);
        }
        const values = arrayItems(operand, sub).map((v, i) => scalar(v, `${sub}[${i}]`));
        of.push(node({ op: key === '$in' ? 'in' : 'nin', path, values: Object.freeze(values) }));
      } else if (key === '$exists') {
        if (typeof operand !== 'boolean') throw new ValidationError(sub, `must be true or false, got ${typeName(operand)}`);
        of.push(node({ op: 'exists', path, exists: operand }));
      } else if (key === '$contains') {
        of.push(node({ op: 'contains', path, value: scalar(operand, sub) }));
      } else if (key === '$not') {
        this.deeper(depth, sub);
        of.push(node({ op: 'not', of: this.condition(path, operand, sub, depth + 1) }));
      } else {
        throw unknownOperator(sub, key, 'field');
      }
    }
    return of.length === 1 && of[0] ? of[0] : node({ op: 'and', of });
  }

  private count(field: string): void {
    if (++this.nodes > FILTER_LIMITS.maxNodes) throw tooMany(field);
  }

  private deeper(depth: number, field: string): void {
    if (depth + 1 > FILTER_LIMITS.maxDepth) {
      throw new ValidationError(field, `nests $and/$or/$not deeper than ${FILTER_LIMITS.maxDepth} levels`);
    }
  }
}

function tooMany(field: string): ValidationError {
  return new ValidationError(field, `the filter has more than ${FILTER_LIMITS.maxNodes} conditions`);
}

function unknownOperator(field: string, key: string, level: 'filter' | 'field'): ValidationError {
  const known =
    level === 'filter'
      ? '$and, $or, $not (field operators go inside a field: { year: { $gte: 2020 } })'
      : '$eq $ne $gt $gte $lt $lte $in $nin $exists $contains $not';
  return new ValidationError(field, `unknown operator "${clip(key)}" (known here: ${known})`);
}

function parsePath(key: string, field: string): FilterPath {
  const segments = key.split('.');
  if (segments.length > FILTER_LIMITS.maxPathSegments) {
    throw new ValidationError(field, `path is ${segments.length} segments deep, over the limit of ${FILTER_LIMITS.maxPathSegments}`);
  }
  for (const s of segments) {
    const problem = pathSegmentProblem(s);
    if (problem !== undefined) throw new ValidationError(field, problem);
  }
  return Object.freeze(segments);
}

/** The own entries of a plain object, read without running getters; anything else is refused. */
function plainEntries(v: unknown, field: string, what: string): [string, unknown][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ValidationError(field, `must be ${what}, got ${typeName(v)}`);
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new ValidationError(field, `must be a plain object, got ${typeName(v)}`);
  if (Object.getOwnPropertySymbols(v).length > 0) throw new ValidationError(field, 'symbol keys are not allowed');
  const names = Object.getOwnPropertyNames(v);
  if (names.length > FILTER_LIMITS.maxNodes) throw tooMany(field);
  return names.map((k) => {
    const desc = Object.getOwnPropertyDescriptor(v, k);
    const sub = `${field}.${clip(k)}`;
    if (!desc || !desc.enumerable) throw new ValidationError(sub, 'non-enumerable properties are not allowed');
    if (desc.get || desc.set) throw new ValidationError(sub, 'accessor properties are not allowed');
    return [k, desc.value as unknown];
  });
}

/** The items of an array, refusing holes and accessors (never runs a getter). */
function arrayItems(arr: unknown[], field: string): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < arr.length; i++) {
    const desc = Object.getOwnPropertyDescriptor(arr, i);
    if (!desc) throw new ValidationError(`${field}[${i}]`, 'sparse array hole is not allowed');
    if (desc.get || desc.set) throw new ValidationError(`${field}[${i}]`, 'accessor properties are not allowed');
    out.push(desc.value);
  }
  return out;
}

function scalar(v: unknown, field: string): FilterScalar {
  switch (typeof v) {
    case 'string':
      if (!v.isWellFormed()) throw new ValidationError(field, 'string contains lone surrogates');
      if (v.length > FILTER_LIMITS.maxStringLength) {
        throw new ValidationError(field, `string is ${v.length} characters, over the limit of ${FILTER_LIMITS.maxStringLength}`);
      }
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new ValidationError(field, `number must be finite, got ${String(v)}`);
      return v === 0 ? 0 : v; // -0 is 0 in JSON
    case 'boolean':
      return v;
    case 'object':
      if (v === null) return null;
      throw new ValidationError(field, `must be a string, number, boolean or null, got ${typeName(v)}`);
    default:
      throw new ValidationError(field, `must be a string, number, boolean or null, got ${typeof v}`);
  }
}

function node<T extends FilterNode>(n: T): T {
  return Object.freeze(n);
}

/** Long keys are shortened in field names and messages. */
