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
import { encodeKey } from './key-codec.js';
import type { FilterNode, FilterPath, FilterScalar } from '../filter-ast.js';
import { walkFilter, type FilterDialect, type RangeOp } from '../filter-walk.js';

export interface PgFilter {
  /** A boolean SQL expression, never NULL, self-delimited. */
  readonly sql: string;
  readonly params: unknown[];
}

const DOC = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
/** The schema's parse function (schema.ts, migration 2): strings come out key-encoded (key-codec.ts). */
const PARSE = /^"[a-z_][a-z0-9_]*"\.memex_json$/;

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
  return { sql: `coalesce(${walkFilter(node, c)}, false)`, params: c.params };
}

/** A JSON value in SQL: the document at a path, or one array element. */
type Side = string;

class PgCompiler implements FilterDialect {
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

  readonly always = 'true';
  readonly never = 'false';

  exists(path: FilterPath, exists: boolean): string {
    return `(${this.at(path)} IS ${exists ? 'NOT NULL' : 'NULL'})`;
  }

  contains(path: FilterPath, x: FilterScalar): string {
    const inArray = this.arrayHas(path, [x]);
    if (typeof x !== 'string') return inArray;
    return `(${inArray} OR strpos(${this.text(this.at(path))}, ${this.bind(this.str(x))}) > 0)`;
  }

  not(sql: string): string {
    return `(NOT coalesce(${sql}, false))`;
  }

  equalsOrHas(path: FilterPath, values: FilterScalar[]): string {
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

  range(path: FilterPath, op: RangeOp, x: number | string): string {
    const v = this.at(path);
    if (typeof x === 'number') return `(${this.number(v)} ${op} ${this.bind(x)}::float8)`;
    return `(${this.text(v)} ${op} (${this.bind(this.str(x))}::text COLLATE "C"))`;
  }

  /** The string's text, or NULL when the value is not a JSON string. */
  private text(side: Side): string {
    return `(CASE WHEN json_typeof(${side}) = 'string' THEN (${side}) #>> '{}' END COLLATE "C")`;
  }

  /** The number as a double (as JSON.parse reads it), or NULL when not a JSON number. */
  private number(side: Side): string {
    return `(CASE WHEN json_typeof(${side}) = 'number' THEN ((${side}) #>> '{}')::float8 END)`;
  }

  /** The value at `path` (NULL when absent); its segments were checked by the walk. */
  private at(path: FilterPath): string {
    return `(${this.doc} #> ${this.bind([...this.prefix, ...path])}::text[])`;
  }

  private bind(v: unknown): string {
    this.params.push(v);
    return `$${this.before + this.params.length}`;
  }
}
