/**
 * Compiles a validated vectors filter ({@link FilterNode}, see src/stores/vectors/filter.ts) to a
 * SQLite WHERE fragment over the JSON document in one column, with exactly the semantics of
 * `matchesFilter`.
 *
 * Injection-proof by construction: every value AND every JSON path is a bound `?` parameter (a
 * list of values is bound as one JSON array and read back with `json_each`). The only text ever
 * concatenated is this file's fixed operator SQL and the caller's `column`, which must be a
 * qualified identifier. The same tree shape always yields the same SQL text.
 *
 * How JSON types are kept apart (SQLite's json_extract maps true/false to 1/0 and null to NULL):
 * every comparison first checks `json_type` ('text', 'integer'/'real', 'true', 'false', 'null',
 * 'array'), so `true` never equals `1` and `null` never equals a missing field. Numbers compare
 * as `CAST(… AS REAL)`: SQLite parses integer literals above 2^53 exactly as int64, while JSON.parse
 * rounds them to a double; casting rounds the same way, so SQL and JS always agree. Text compares
 * with the BINARY collation (UTF-8 bytes = Unicode code points). A missing path makes a leaf NULL,
 * which behaves as false under AND/OR; `NOT` wraps its operand in `coalesce(…, 0)` so that
 * `$ne`, `$nin` and `$not` do match missing fields, and the whole fragment is always 0 or 1.
 */
import type { FilterNode, FilterPath, FilterScalar } from '../filter-ast.js';
import { walkFilter, type FilterDialect, type RangeOp } from '../filter-walk.js';

export interface CompiledFilter {
  /** A boolean SQL expression (0 or 1), self-delimited: safe to AND into any WHERE clause. */
  readonly sql: string;
  /** Positional parameters for the `?` in `sql`, in order. */
  readonly params: unknown[];
}

/**
 * `table.column`: must be qualified, because `json_each` subqueries have their own `value`
 * column that an unqualified name would silently resolve to.
 */
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
/** The JSON path of the metadata object inside the document, e.g. `$.metadata` or `$`. */
const PREFIX = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Compiles `node` to a WHERE fragment over the JSON text in `column` whose metadata object is at
 * the JSON path `prefix`.
 *
 * @example
 * ```ts
 * const { sql, params } = compileFilter(parseFilter({ type: 'doc' }));
 * db.prepare(`SELECT key FROM records WHERE ns = ? AND store = ? AND ${sql}`).all(ns, store, ...params);
 * ```
 */
export function compileFilter(node: FilterNode, column = 'records.value', prefix = '$.metadata'): CompiledFilter {
  if (!COLUMN.test(column) || column.startsWith('memex_')) {
    throw new TypeError(`compileFilter: column must be a qualified identifier like records.value, got ${JSON.stringify(column)}`);
  }
  if (!PREFIX.test(prefix)) throw new TypeError(`compileFilter: prefix must be a JSON path like $.metadata, got ${JSON.stringify(prefix)}`);
  const c = new Compiler(column, prefix);
  const sql = walkFilter(node, c);
  return { sql: `coalesce(${sql}, 0)`, params: c.params };
}

/** Where a scalar comes from: the document at a path, or one element of an array (json_each). */
interface Side {
  type(): string;
  value(): string;
}

class Compiler implements FilterDialect {
  readonly params: unknown[] = [];
  private readonly elementSide: Side = { type: () => 'memex_e.type', value: () => 'memex_e.atom' };

  constructor(
    private readonly column: string,
    private readonly prefix: string,
  ) {}

  readonly always = '1';
  readonly never = '0';

  exists(path: FilterPath, exists: boolean): string {
    return `(${this.type(path)} IS ${exists ? 'NOT NULL' : 'NULL'})`;
  }

  contains(path: FilterPath, x: FilterScalar): string {
    const inArray = this.arrayHas(path, [x]);
    if (typeof x !== 'string') return inArray;
    return `(${inArray} OR (${this.type(path)} = 'text' AND instr(${this.extract(path)}, ${this.bind(x)}) > 0))`;
  }

  not(sql: string): string {
    return `(NOT coalesce(${sql}, 0))`;
  }

  /** The value at `path` is one of `values`, or an array with an element that is. */
  equalsOrHas(path: FilterPath, values: FilterScalar[]): string {
    const doc: Side = { type: () => this.type(path), value: () => this.extract(path) };
    return `(${this.oneOf(doc, values)} OR ${this.arrayHas(path, values)})`;
  }

  /** The value at `path` is an array with an element among `values`. */
  private arrayHas(path: FilterPath, values: FilterScalar[]): string {
    return (
      `(${this.type(path)} = 'array' AND EXISTS (SELECT 1 FROM json_each(${this.column}, ${this.path(path)}) AS memex_e ` +
      `WHERE ${this.oneOf(this.elementSide, values)}))`
    );
  }

  /** The scalar on `side` equals one of `values`, JSON type included. */
  private oneOf(side: Side, values: FilterScalar[]): string {
    const strings: string[] = [];
    const numbers: number[] = [];
    const types: string[] = [];
    for (const v of values) {
      if (typeof v === 'string') strings.push(v);
      else if (typeof v === 'number') numbers.push(v);
      else types.push(v === null ? 'null' : v ? 'true' : 'false');
    }
    const parts: string[] = [];
    if (strings.length > 0) parts.push(`(${side.type()} = 'text' AND ${side.value()} ${this.list(strings, false)})`);
    if (numbers.length > 0) {
      parts.push(`(${side.type()} IN ('integer', 'real') AND CAST(${side.value()} AS REAL) ${this.list(numbers, true)})`);
    }
    if (types.length > 0) parts.push(`${side.type()} ${this.list(types, false)}`);
    return parts.length === 1 ? (parts[0] ?? '0') : `(${parts.join(' OR ')})`;
  }

  /** `= ?` for one value; otherwise `IN` over one bound JSON array. */
  private list(values: (string | number)[], numeric: boolean): string {
    if (values.length === 1) return `= ${this.bind(values[0])}`;
    const item = numeric ? 'CAST(memex_l.value AS REAL)' : 'memex_l.value';
    return `IN (SELECT ${item} FROM json_each(${this.bind(JSON.stringify(values))}) AS memex_l)`;
  }

  range(path: FilterPath, op: RangeOp, x: number | string): string {
    if (typeof x === 'number') return `(${this.type(path)} IN ('integer', 'real') AND CAST(${this.extract(path)} AS REAL) ${op} ${this.bind(x)})`;
    return `(${this.type(path)} = 'text' AND ${this.extract(path)} ${op} ${this.bind(x)})`;
  }

  private type(path: FilterPath): string {
    return `json_type(${this.column}, ${this.path(path)})`;
  }

  private extract(path: FilterPath): string {
    return `json_extract(${this.column}, ${this.path(path)})`;
  }

  /** Binds the JSON path of `path` (its segments checked by the walk). */
  private path(path: FilterPath): string {
    return this.bind(`${this.prefix}${path.map((seg) => `."${seg}"`).join('')}`);
  }

  private bind(v: unknown): string {
    this.params.push(v);
    return '?';
  }
}
