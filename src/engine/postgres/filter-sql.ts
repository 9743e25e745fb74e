/**
 * Compiles a validated filter ({@link FilterNode}) to a PostgreSQL WHERE fragment over a `json`
 * document, with exactly the semantics of `matchesFilter` (src/stores/vectors/filter-match.ts) and
 * of the SQLite compiler (engine/sqlite/filter-sql.ts), whose comments explain the rules.
 *
 * Injection-proof by construction: every value and every path is a bound `$n` parameter (paths
 * as `text[]`, value lists as arrays). The only text concatenated is this file's fixed SQL and
 * the caller's document expression, checked to be a qualified identifier.
 *
 * PostgreSQL specifics: the stored text is read as `json`, not `jsonb` (jsonb refuses `\u0000`
 * inside strings and would make one such record fail every filter); AND/OR do not promise an
 * evaluation order, so each cast sits behind a CASE on `json_typeof`; text comparisons use the
 * "C" collation (code point order, as SQLite's BINARY and `compareCodePoints`).
 */
import { ValidationError } from '../../errors.js';
import { encodeKey } from './key-codec.js';
import { FILTER_LIMITS, pathSegmentProblem, type FilterNode, type FilterPath, type FilterScalar } from '../filter-ast.js';

export interface PgFilter {
  /** A boolean SQL expression, never NULL, self-delimited. */
  readonly sql: string;
  readonly params: unknown[];
}

const DOC = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
/** The schema's parse function (schema.ts, migration 2): strings come out key-encoded (key-codec.ts). */
const PARSE = /^"[a-z_][a-z0-9_]*"\.memex_json$/;
const MAX_COMPILE_DEPTH = 4 * FILTER_LIMITS.maxDepth;
const RANGE_SQL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Compiles `node` over the JSON text in `doc` (a qualified column), whose metadata object
 * is at the key path `prefix`, parsed by `parse` (the schema's `memex_json`) or a plain cast.
 * Placeholders are numbered after the caller's first `paramsBefore`.
 *
 * @example
 * ```ts
 * const f = compilePgFilter(parseFilter({ type: 'doc' }), 'r.value', ['metadata'], 2);
 * await client.query(`SELECT key FROM memex.records r WHERE ns = $1 AND store = $2 AND ${f.sql}`, [ns, store, ...f.params]);
 * ```
 */
export function compilePgFilter(node: FilterNode, doc: string, prefix: readonly string[], paramsBefore: number, parse?: string): PgFilter {
  if (!DOC.test(doc)) throw new TypeError(`compilePgFilter: doc must be a qualified identifier, got ${JSON.stringify(doc)}`);
  if (parse !== undefined && !PARSE.test(parse))
    throw new TypeError(`compilePgFilter: parse must be a schema's memex_json, got ${JSON.stringify(parse)}`);
  const c = new PgCompiler(parse === undefined ? `(${doc})::json` : `${parse}(${doc})`, prefix, paramsBefore, parse !== undefined);
  return { sql: `coalesce(${c.node(node, 0)}, false)`, params: c.params };
}

/** A JSON value in SQL: the document at a path, or one array element. */
type Side = string;

class PgCompiler {
  readonly params: unknown[] = [];
  /** String operands as the parse function leaves strings (encoded), or as they are (plain cast). */
  readonly str: (s: string) => string;

  constructor(
    private readonly doc: string,
    private readonly prefix: readonly string[],
    private readonly before: number,
    encoded: boolean,
  ) {
    this.str = encoded ? encodeKey : (x) => x;
  }

  node(n: FilterNode, depth: number): string {
    if (depth > MAX_COMPILE_DEPTH) throw new ValidationError('filter', `nests deeper than ${MAX_COMPILE_DEPTH} levels`);
    switch (n.op) {
      case 'and':
      case 'or':
        if (n.of.length === 0) return n.op === 'and' ? 'true' : 'false';
        return `(${n.of.map((child) => this.node(child, depth + 1)).join(n.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return this.not(this.node(n.of, depth + 1));
      case 'cmp':
        switch (n.cmp) {
          case 'eq':
            return this.equalsOrHas(n.path, [checkScalar(n.value)]);
          case 'ne':
            return this.not(this.equalsOrHas(n.path, [checkScalar(n.value)]));
          case 'gt':
          case 'gte':
          case 'lt':
          case 'lte':
            return this.range(n.path, RANGE_SQL[n.cmp], n.value);
          default:
            throw new ValidationError('filter', `unknown comparison ${JSON.stringify((n as { cmp?: unknown }).cmp)}`);
        }
      case 'in':
      case 'nin': {
        if (!Array.isArray(n.values) || n.values.length === 0) throw new ValidationError('filter', `$${n.op} needs a non-empty list`);
        const sql = this.equalsOrHas(n.path, n.values.map(checkScalar));
        return n.op === 'in' ? sql : this.not(sql);
      }
      case 'exists':
        return `(${this.at(n.path)} IS ${n.exists ? 'NOT NULL' : 'NULL'})`;
      case 'contains': {
        const x = checkScalar(n.value);
        const inArray = this.arrayHas(n.path, [x]);
        if (typeof x !== 'string') return inArray;
        return `(${inArray} OR strpos(${this.text(this.at(n.path))}, ${this.bind(this.str(x))}) > 0)`;
      }
      default:
        throw new ValidationError('filter', `unknown filter node ${JSON.stringify((n as { op?: unknown }).op)}`);
    }
  }

  private not(sql: string): string {
    return `(NOT coalesce(${sql}, false))`;
  }

  private equalsOrHas(path: FilterPath, values: FilterScalar[]): string {
    return `(${this.oneOf(this.at(path), values)} OR ${this.arrayHas(path, values)})`;
  }

  private arrayHas(path: FilterPath, values: FilterScalar[]): string {
    const v = this.at(path);
    return (
      `(CASE WHEN json_typeof(${v}) = 'array' THEN EXISTS (SELECT 1 FROM json_array_elements(${v}) AS memex_e(v) ` +
      `WHERE ${this.oneOf('memex_e.v', values)}) END)`
    );
  }

  /** The JSON value `side` equals one of `values`, JSON type included. */
  private oneOf(side: Side, values: FilterScalar[]): string {
    const strings: string[] = [];
    const numbers: number[] = [];
    const literals: string[] = [];
    for (const v of values) {
      if (typeof v === 'string') strings.push(v);
      else if (typeof v === 'number') numbers.push(v);
      else literals.push(v === null ? 'null' : v ? 'true' : 'false');
    }
    const parts: string[] = [];
    if (strings.length > 0) parts.push(`${this.text(side)} = ANY(${this.bind(strings.map(this.str))}::text[])`);
    if (numbers.length > 0) parts.push(`${this.number(side)} = ANY(${this.bind(numbers)}::float8[])`);
    // true, false and null: json_typeof plus the literal text (json has no equality operator).
    if (literals.length > 0) {
      parts.push(`(json_typeof(${side}) IN ('boolean', 'null') AND (${side})::text = ANY(${this.bind(literals)}::text[]))`);
    }
    return parts.length === 1 ? (parts[0] ?? 'false') : `(${parts.join(' OR ')})`;
  }

  private range(path: FilterPath, op: string, x: FilterScalar): string {
    const v = this.at(path);
    if (typeof x === 'number' && Number.isFinite(x)) return `(${this.number(v)} ${op} ${this.bind(x)}::float8)`;
    if (typeof x === 'string') return `(${this.text(v)} ${op} (${this.bind(this.str(x))}::text COLLATE "C"))`;
    throw new ValidationError('filter', `a range compares numbers or strings only, got ${x === null ? 'null' : typeof x}`);
  }

  /** The string's text, or NULL when the value is not a JSON string. */
  private text(side: Side): string {
    return `(CASE WHEN json_typeof(${side}) = 'string' THEN (${side}) #>> '{}' END COLLATE "C")`;
  }

  /** The number as a double (as JSON.parse reads it), or NULL when not a JSON number. */
  private number(side: Side): string {
    return `(CASE WHEN json_typeof(${side}) = 'number' THEN ((${side}) #>> '{}')::float8 END)`;
  }

  /** The value at `path` (NULL when absent). Segments are re-checked: a hand-built tree is not trusted. */
  private at(path: FilterPath): string {
    if (!Array.isArray(path) || path.length === 0 || path.length > FILTER_LIMITS.maxPathSegments) {
      throw new ValidationError('filter', 'invalid path');
    }
    for (const seg of path as unknown[]) {
      if (typeof seg !== 'string') throw new ValidationError('filter', 'invalid path');
      const problem = pathSegmentProblem(seg);
      if (problem !== undefined) throw new ValidationError('filter', problem);
    }
    return `(${this.doc} #> ${this.bind([...this.prefix, ...(path as readonly string[])])}::text[])`;
  }

  private bind(v: unknown): string {
    this.params.push(v);
    return `$${this.before + this.params.length}`;
  }
}

function checkScalar(v: FilterScalar): FilterScalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new ValidationError('filter', `not a filter value: ${typeof v}`);
}
