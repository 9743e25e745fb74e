/**
 * The vectors filter language: parseFilter (validation), matchesFilter (JS) and compileFilter
 * (SQLite) must give exactly the same, hand-checked answers.
 *
 * - A table of filters over a fixture of 32 documents (test/conformance/vectors-filter-fixture.ts),
 *   each run through SQL and through the JS evaluator, both compared with the expected keys.
 *   Injection attempts are rows of the same table: each gives exact results or a ValidationError,
 *   and afterwards every row and `sqlite_master` are unchanged.
 * - A table of malformed filters, each a ValidationError naming the exact field.
 * - A fast-check property: random filters over random metadata agree in SQL and JS.
 */
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/engine/sqlite/filter-sql.js';
import { ValidationError } from '../../../src/errors.js';
import { FILTER_LIMITS, parseFilter, type FilterNode } from '../../../src/stores/vectors/filter.js';
import { matchesFilter } from '../../../src/stores/vectors/filter-match.js';
import { ALL_KEYS, docJson, NS, openFixture, STORE } from './vectors-filter-fixture.js';
import { CASES, filterArb, metadataArb } from '../filter-cases.js';

// ---------------------------------------------------------------------------------------------
// Malformed filters: ValidationError naming the exact field.
const deepNot = (levels: number): unknown => {
  let f: unknown = { a: 1 };
  for (let i = 0; i < levels; i++) f = { $not: f };
  return f;
};
const withGetter = (): unknown => {
  const o = {};
  Object.defineProperty(o, 'a', { enumerable: true, get: () => 1 });
  return o;
};

const MALFORMED: readonly (readonly [label: string, filter: () => unknown, field: string])[] = [
  ['null', () => null, 'filter'],
  ['undefined', () => undefined, 'filter'],
  ['a string', () => 'type', 'filter'],
  ['a number', () => 1, 'filter'],
  ['an array', () => [], 'filter'],
  ['an array of filters', () => [{ type: 'doc' }], 'filter'],
  ['a function (never a predicate)', () => () => true, 'filter'],
  ['a Date', () => new Date(), 'filter'],
  ['an object with a prototype', () => Object.create({ type: 'doc' }) as unknown, 'filter'],
  ['a symbol key', () => ({ [Symbol('x')]: 1 }), 'filter'],
  ['a getter', withGetter, 'filter.a'],
  ['unknown filter operator', () => ({ $regex: 'x' }), 'filter.$regex'],
  ['unknown field operator', () => ({ type: { $regex: 'd' } }), 'filter.type.$regex'],
  ['$and as a field operator', () => ({ type: { $and: [{ $eq: 1 }] } }), 'filter.type.$and'],
  ['field operator at filter level', () => ({ $gte: 1 }), 'filter.$gte'],
  ['boolean range', () => ({ year: { $gte: 2020, $lt: true } }), 'filter.year.$lt'],
  ['null range', () => ({ $and: [{ $or: [{ a: { $gt: null } }] }] }), 'filter.$and[0].$or[0].a.$gt'],
  ['NaN', () => ({ year: { $gte: NaN } }), 'filter.year.$gte'],
  ['Infinity', () => ({ year: Infinity }), 'filter.year'],
  ['-Infinity in $in', () => ({ year: { $in: [1, -Infinity] } }), 'filter.year.$in[1]'],
  ['BigInt', () => ({ year: 10n }), 'filter.year'],
  ['undefined value', () => ({ type: undefined }), 'filter.type'],
  ['function value', () => ({ type: () => 'doc' }), 'filter.type'],
  ['String object', () => ({ type: new String('doc') }), 'filter.type'],
  ['lone surrogate', () => ({ title: 'a\uD800' }), 'filter.title'],
  ['string over 8192 characters', () => ({ title: 'x'.repeat(FILTER_LIMITS.maxStringLength + 1) }), 'filter.title'],
  ['object as a value', () => ({ author: { name: 'Ada' } }), 'filter.author.name'],
  ['array as a value', () => ({ tags: ['a', 'b'] }), 'filter.tags'],
  ['object in $eq', () => ({ a: { $eq: { b: 1 } } }), 'filter.a.$eq'],
  ['array in $ne', () => ({ a: { $ne: [] } }), 'filter.a.$ne'],
  ['array in $contains', () => ({ a: { $contains: [1] } }), 'filter.a.$contains'],
  ['empty operator object', () => ({ a: {} }), 'filter.a'],
  ['operator mixed with a key', () => ({ type: { $eq: 'doc', foo: 1 } }), 'filter.type.foo'],
  ['$in not an array', () => ({ a: { $in: 'x' } }), 'filter.a.$in'],
  ['$in empty', () => ({ $and: [{ a: { $in: [] } }] }), 'filter.$and[0].a.$in'],
  ['$nin with an object', () => ({ a: { $nin: [1, { x: 1 }] } }), 'filter.a.$nin[1]'],
  ['$in with a nested array', () => ({ a: { $in: [[1]] } }), 'filter.a.$in[0]'],
  ['$in hole', () => ({ a: { $in: [1, , 2] } }), 'filter.a.$in[1]'], // eslint-disable-line no-sparse-arrays
  ['$in over 1000 values', () => ({ a: { $in: Array.from({ length: 1001 }, (_, i) => i) } }), 'filter.a.$in'],
  ['$exists not boolean', () => ({ a: { $exists: 1 } }), 'filter.a.$exists'],
  ['$or empty', () => ({ $or: [] }), 'filter.$or'],
  ['$or an object', () => ({ $or: { a: 1 } }), 'filter.$or'],
  ['$or with a string', () => ({ $or: [{ a: 1 }, 'x'] }), 'filter.$or[1]'],
  ['$and with null', () => ({ $and: [null] }), 'filter.$and[0]'],
  ['$not an array', () => ({ $not: [{ a: 1 }] }), 'filter.$not'],
  ['field $not empty', () => ({ a: { $not: {} } }), 'filter.a.$not'],
  ['empty key', () => ({ '': 1 }), 'filter.'],
  ['empty segment', () => ({ 'a..b': 1 }), 'filter.a..b'],
  ['trailing dot', () => ({ 'a.': 1 }), 'filter.a.'],
  ['segment starting with a digit', () => ({ '9a': 1 }), 'filter.9a'],
  ['segment of 65 characters', () => ({ ['a'.repeat(65)]: 1 }), `filter.${'a'.repeat(65)}`],
  ['path 9 segments deep', () => ({ 'a.b.c.d.e.f.g.h.i': 1 }), 'filter.a.b.c.d.e.f.g.h.i'],
  ['17 nested $not', () => deepNot(17), `filter${'.$not'.repeat(17)}`],
  ['100 000 nested $not (no stack overflow)', () => deepNot(100_000), `filter${'.$not'.repeat(17)}`],
  ['$or of 201 filters', () => ({ $or: Array.from({ length: 201 }, () => ({ a: 1 })) }), 'filter.$or'],
  ['201 conditions', () => ({ $or: Array.from({ length: 200 }, () => ({ a: 1 })) }), 'filter.$or[199].a'],
  ['201 keys', () => Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])), 'filter'],
];

// ---------------------------------------------------------------------------------------------
let db: Database.Database;
let schemaBefore: unknown;
let rowsBefore: unknown;
const dump = (): unknown => db.prepare('SELECT id, ns, store, key, value FROM records ORDER BY id').all();
const schema = (): unknown => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all();

beforeAll(() => {
  db = openFixture();
  schemaBefore = schema();
  rowsBefore = dump();
});
afterAll(() => db.close());

/** Keys matching in the fixture's namespace and store (the look-alikes elsewhere must never leak in). */
function sqlKeys(node: FilterNode): string[] {
  const { sql, params } = compileFilter(node);
  const rows = db.prepare(`SELECT key FROM records WHERE ns = ? AND store = ? AND ${sql} ORDER BY key`).all(NS, STORE, ...params) as {
    key: string;
  }[];
  return rows.map((r) => r.key);
}

function jsKeys(node: FilterNode, keys: readonly string[] = ALL_KEYS): string[] {
  return keys.filter((k) => matchesFilter(node, (JSON.parse(docJson(k)) as { metadata?: unknown }).metadata)).sort();
}

function validationField(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe('invalid_input');
    return (e as ValidationError).field;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** The same tree with every path segment and string value replaced: shape only. */
function scrub(n: FilterNode): FilterNode {
  const p = (path: readonly string[]): string[] => path.map(() => 'zz');
  const v = <T>(x: T): T => (typeof x === 'string' ? ('zz' as T) : typeof x === 'number' ? ((x + 1) as T) : x);
  switch (n.op) {
    case 'and':
    case 'or':
      return { op: n.op, of: n.of.map(scrub) };
    case 'not':
      return { op: 'not', of: scrub(n.of) };
    case 'cmp':
      return { ...n, path: p(n.path), value: v(n.value) };
    case 'in':
    case 'nin':
      return { ...n, path: p(n.path), values: n.values.map(v) };
    case 'exists':
      return { ...n, path: p(n.path) };
    case 'contains':
      return { ...n, path: p(n.path), value: v(n.value) };
  }
}

describe('vectors filter: conformance table (SQL and JS against hand-written answers)', () => {
  it('has at least 40 cases, injection attempts included', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if ('field' in c) {
      expect(validationField(() => parseFilter(c.filter))).toBe(c.field);
      return;
    }
    const node = parseFilter(c.filter);
    const expected = [...c.expect].sort();
    expect(sqlKeys(node)).toEqual(expected);
    expect(jsKeys(node)).toEqual(expected);
    // Nothing from the filter reaches the SQL text: it depends on the tree's shape only, and its
    // only quoted literals are the fixed JSON type names.
    const { sql, params } = compileFilter(node);
    expect(compileFilter(scrub(node)).sql).toBe(sql);
    expect(sql.replace(/'(text|integer|real|array)'/g, '')).not.toMatch(/['"]/);
    expect(sql.split('?').length - 1).toBe(params.length);
  });

  it('left every row and the schema untouched, and Object.prototype clean', () => {
    expect(schema()).toEqual(schemaBefore);
    expect(dump()).toEqual(rowsBefore);
    expect(db.prepare('SELECT count(*) AS n FROM records').get()).toEqual({ n: ALL_KEYS.length + 2 });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

describe('vectors filter: malformed filters fail closed', () => {
  it('has at least 20 rows', () => expect(MALFORMED.length).toBeGreaterThanOrEqual(20));

  it.each(MALFORMED.map(([label, make, field]) => [label, make, field] as const))('%s', (_label, make, field) => {
    expect(validationField(() => parseFilter(make()))).toBe(field);
  });

  it('names the field under a caller-chosen root', () => {
    expect(validationField(() => parseFilter({ a: { $bad: 1 } }, 'query.filter'))).toBe('query.filter.a.$bad');
  });

  it('accepts the valid edge next to every limit', () => {
    expect(() => parseFilter(deepNot(16))).not.toThrow();
    expect(() => parseFilter({ $or: Array.from({ length: 199 }, () => ({ a: 1 })) })).not.toThrow();
    expect(() => parseFilter({ a: { $in: Array.from({ length: 1000 }, (_, i) => i) } })).not.toThrow();
    expect(() => parseFilter({ 'a.b.c.d.e.f.g.h': 1, ['a'.repeat(64)]: 1, 'a-b_c9': 1, _x: 1 })).not.toThrow();
    expect(() => parseFilter({ title: 'x'.repeat(FILTER_LIMITS.maxStringLength) })).not.toThrow();
    expect(() => parseFilter(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])))).not.toThrow();
    expect(() => parseFilter(Object.assign(Object.create(null) as object, { a: 1 }))).not.toThrow();
  });

  it('normalizes to a frozen tree', () => {
    const node = parseFilter({
      type: 'doc',
      year: { $gte: 2020, $lt: 2030 },
      tags: { $in: ['a', 'b'] },
      $or: [{ x: -0 }, { y: { $exists: false } }],
    });
    expect(node).toEqual({
      op: 'and',
      of: [
        { op: 'cmp', path: ['type'], cmp: 'eq', value: 'doc' },
        {
          op: 'and',
          of: [
            { op: 'cmp', path: ['year'], cmp: 'gte', value: 2020 },
            { op: 'cmp', path: ['year'], cmp: 'lt', value: 2030 },
          ],
        },
        { op: 'in', path: ['tags'], values: ['a', 'b'] },
        {
          op: 'or',
          of: [
            { op: 'cmp', path: ['x'], cmp: 'eq', value: 0 },
            { op: 'exists', path: ['y'], exists: false },
          ],
        },
      ],
    });
    expect(Object.is((node as unknown as { of: { of: { value: number }[] }[] }).of[3]?.of[0]?.value, 0)).toBe(true);
    expect(Object.isFrozen(node)).toBe(true);
    expect(parseFilter({})).toEqual({ op: 'and', of: [] });
  });

  it('compileFilter refuses an unqualified column, a bad prefix and hand-built bad trees', () => {
    const node = parseFilter({ a: 1 });
    expect(() => compileFilter(node, 'value')).toThrow(TypeError);
    expect(() => compileFilter(node, 'records.value; DROP TABLE records')).toThrow(TypeError);
    expect(() => compileFilter(node, 'records.value', "$.metadata') --")).toThrow(TypeError);
    const bad = (n: unknown): string => validationField(() => compileFilter(n as FilterNode));
    expect(bad({ op: 'cmp', path: ["a'b"], cmp: 'eq', value: 1 })).toBe('filter');
    expect(bad({ op: 'cmp', path: ['a'], cmp: 'gt', value: true })).toBe('filter');
    expect(bad({ op: 'cmp', path: ['a'], cmp: 'like', value: 'x' })).toBe('filter');
    expect(bad({ op: 'in', path: ['a'], values: [] })).toBe('filter');
    expect(bad({ op: 'cmp', path: ['a'], cmp: 'eq', value: { x: 1 } })).toBe('filter');
    expect(bad({ op: 'where', sql: '1=1' })).toBe('filter');
  });

  it('works with another column and prefix', () => {
    const { sql, params } = compileFilter(parseFilter({ type: 'doc', year: { $gte: 2021 } }), 'r.value', '$');
    const rows = db
      .prepare(
        `SELECT r.key FROM (SELECT key, value -> '$.metadata' AS value FROM records WHERE ns = ? AND store = ?) AS r WHERE ${sql} ORDER BY r.key`,
      )
      .all(NS, STORE, ...params);
    expect(rows).toEqual([{ key: 'd03' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: SQL and JS agree on random filters over random metadata.

describe('vectors filter: SQL and matchesFilter agree (fast-check)', () => {
  it('on random filters over random metadata', () => {
    const insert = db.prepare('INSERT INTO records (ns, store, key, value) VALUES (?, ?, ?, ?)');
    const clear = db.prepare("DELETE FROM records WHERE store = 'prop'");
    let nonTrivial = 0;
    fc.assert(
      fc.property(fc.array(metadataArb, { minLength: 1, maxLength: 12 }), fc.array(filterArb, { minLength: 1, maxLength: 4 }), (metas, filters) => {
        clear.run();
        const docs = metas.map(
          (m, i) => [`p${String(i).padStart(2, '0')}`, JSON.stringify(m === undefined ? { text: 't' } : { text: 't', metadata: m })] as const,
        );
        for (const [key, json] of docs) insert.run(NS, 'prop', key, json);
        for (const f of filters) {
          const node = parseFilter(f);
          const { sql, params } = compileFilter(node);
          const inSql = (
            db.prepare(`SELECT key FROM records WHERE ns = ? AND store = 'prop' AND ${sql} ORDER BY key`).all(NS, ...params) as { key: string }[]
          ).map((r) => r.key);
          const inJs = docs.filter(([, json]) => matchesFilter(node, (JSON.parse(json) as { metadata?: unknown }).metadata)).map(([k]) => k);
          expect(inSql).toEqual(inJs);
          if (inJs.length > 0 && inJs.length < docs.length) nonTrivial++;
        }
      }),
      { numRuns: 400 },
    );
    clear.run();
    expect(nonTrivial).toBeGreaterThan(100); // the generator does exercise selective filters
  });
});
