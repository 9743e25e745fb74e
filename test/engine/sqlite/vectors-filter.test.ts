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

type Case =
  | { readonly name: string; readonly filter: unknown; readonly expect: readonly string[] }
  | { readonly name: string; readonly filter: unknown; readonly field: string };

const all = (...except: string[]): string[] => ALL_KEYS.filter((k) => !except.includes(k));
const DOCS_OF_TYPE_DOC = ['d01', 'd02', 'd03', 'd11', 'd12', 'd13', 'd14', 'd15', 'd20', 'd29'];
const WITH_TYPE = ['d01', 'd02', 'd03', 'd04', 'd05', 'd06', 'd07', 'd08', 'd11', 'd12', 'd13', 'd14', 'd15', 'd20', 'd29'];

// ---------------------------------------------------------------------------------------------
// Filters that must work: expected keys written by hand from the fixture.
const CASES: readonly Case[] = [
  { name: 'empty filter matches every document', filter: {}, expect: all() },
  { name: 'bare value is $eq', filter: { type: 'doc' }, expect: DOCS_OF_TYPE_DOC },
  { name: '$eq', filter: { type: { $eq: 'doc' } }, expect: DOCS_OF_TYPE_DOC },
  { name: 'strings are case-sensitive', filter: { type: 'Doc' }, expect: ['d07'] },
  { name: '$ne matches missing fields', filter: { type: { $ne: 'doc' } }, expect: all(...DOCS_OF_TYPE_DOC) },
  { name: 'null matches an explicit null only', filter: { type: null }, expect: ['d08'] },
  { name: '$ne null', filter: { type: { $ne: null } }, expect: all('d08') },
  { name: '$exists false', filter: { type: { $exists: false } }, expect: all(...WITH_TYPE) },
  { name: '$exists true includes null', filter: { type: { $exists: true } }, expect: WITH_TYPE },
  { name: '$gte on numbers skips strings and null', filter: { year: { $gte: 2020 } }, expect: ['d02', 'd03', 'd04', 'd06', 'd07'] },
  { name: 'two operators are ANDed', filter: { year: { $gt: 2020, $lt: 2023 } }, expect: ['d03', 'd04'] },
  { name: '$lte with a negative number', filter: { year: { $lte: 2020 } }, expect: ['d01', 'd02', 'd07', 'd27'] },
  { name: 'string range only sees strings', filter: { year: { $gte: '2020' } }, expect: ['d05'] },
  { name: 'number 2022 is not string "2022"', filter: { year: 2022 }, expect: ['d04'] },
  { name: 'string "2022" is not number 2022', filter: { year: '2022' }, expect: ['d05'] },
  { name: '$in mixes types exactly', filter: { year: { $in: [2019, '2022', null] } }, expect: ['d01', 'd05', 'd08'] },
  { name: '$nin matches missing fields', filter: { year: { $nin: [2019, 2020] } }, expect: all('d01', 'd02', 'd07') },
  { name: '$eq on an array field means "has the element"', filter: { tags: 'python' }, expect: ['d01', 'd02', 'd05', 'd06'] },
  { name: '$contains: array element or exact substring', filter: { tags: { $contains: 'python' } }, expect: ['d01', 'd02', 'd05', 'd06'] },
  { name: '$contains substring only in strings, not in elements', filter: { tags: { $contains: 'pyth' } }, expect: ['d05'] },
  { name: '$in on arrays: any element', filter: { tags: { $in: ['js', 'ml'] } }, expect: ['d01', 'd03', 'd06'] },
  { name: '$nin on arrays: no element', filter: { tags: { $nin: ['python'] } }, expect: all('d01', 'd02', 'd05', 'd06') },
  { name: '$contains a number (not true)', filter: { tags: { $contains: 1 } }, expect: ['d17', 'd25'] },
  { name: '$contains true (not 1)', filter: { tags: { $contains: true } }, expect: ['d25'] },
  { name: '$contains null', filter: { tags: { $contains: null } }, expect: ['d25'] },
  { name: 'null equals a null element', filter: { tags: null }, expect: ['d25'] },
  { name: 'ranges never look inside arrays', filter: { tags: { $gt: 'a' } }, expect: ['d05'] },
  { name: 'true is not 1 or "true"', filter: { flag: true }, expect: ['d12'] },
  { name: '1 is not true', filter: { flag: 1 }, expect: ['d11'] },
  { name: '"true" is a string', filter: { flag: 'true' }, expect: ['d13'] },
  { name: 'false is not 0', filter: { flag: false }, expect: ['d15'] },
  { name: '0 is not false', filter: { flag: 0 }, expect: ['d14'] },
  { name: '$in with true and 0', filter: { flag: { $in: [true, 0] } }, expect: ['d12', 'd14'] },
  { name: '$ne true', filter: { flag: { $ne: true } }, expect: all('d12') },
  { name: 'dotted path', filter: { 'author.name': 'Ada' }, expect: ['d01'] },
  { name: 'dotted path with a range', filter: { 'author.age': { $gte: 30 } }, expect: ['d01'] },
  { name: 'a path never steps into a string', filter: { 'author.name': { $exists: false }, author: { $exists: true } }, expect: ['d30'] },
  { name: 'four levels deep', filter: { 'nested.a.b.c': 1 }, expect: ['d16'] },
  { name: 'deep range (arrays of objects are not traversed)', filter: { 'nested.a.b.c': { $gte: 1 } }, expect: ['d16', 'd17'] },
  { name: 'deep $exists', filter: { 'nested.a.b': { $exists: true } }, expect: ['d16', 'd17'] },
  { name: 'nested object present, child missing', filter: { 'nested.a': { $exists: true }, 'nested.a.b': { $exists: false } }, expect: ['d18'] },
  { name: 'nested null', filter: { 'a.b': null }, expect: ['d28'] },
  { name: 'nested $exists', filter: { 'a.b': { $exists: true } }, expect: ['d28', 'd29'] },
  { name: 'a dotted path is not a key with a dot', filter: { 'a.b': 'dotted' }, expect: [] },
  { name: '$or', filter: { $or: [{ type: 'email' }, { 'author.name': 'Linus' }] }, expect: ['d03', 'd06'] },
  { name: '$and', filter: { $and: [{ type: 'doc' }, { published: true }] }, expect: ['d01', 'd03'] },
  { name: '$not', filter: { $not: { type: 'doc' } }, expect: all(...DOCS_OF_TYPE_DOC) },
  {
    name: 'fields and $or combined',
    filter: { type: 'doc', $or: [{ year: { $lt: 2020 } }, { flag: { $exists: true } }] },
    expect: ['d01', 'd11', 'd12', 'd13', 'd14', 'd15'],
  },
  { name: 'field-level $not', filter: { published: { $not: { $eq: true } } }, expect: all('d01', 'd03') },
  { name: 'field-level $not of a bare value', filter: { published: { $not: true } }, expect: all('d01', 'd03') },
  { name: '$not $not', filter: { $not: { $not: { published: true } } }, expect: ['d01', 'd03'] },
  {
    name: '$or inside $not inside $and',
    filter: { $and: [{ $not: { $or: [{ type: 'doc' }, { type: 'note' }] } }, { type: { $exists: true } }] },
    expect: ['d06', 'd07', 'd08'],
  },
  { name: 'numbers above zero', filter: { score: { $gt: 0 } }, expect: ['d01', 'd02', 'd27'] },
  { name: 'numbers below zero', filter: { score: { $lt: 0 } }, expect: ['d06'] },
  { name: 'zero', filter: { score: 0 }, expect: ['d07'] },
  { name: '-0 is 0', filter: { score: -0 }, expect: ['d07'] },
  { name: 'integer above 2^53 compares as its double', filter: { big: 254066814766011900 }, expect: ['d26'] },
  { name: 'range above 2^53', filter: { big: { $gt: 254066814766011800, $lte: 254066814766011904 } }, expect: ['d26'] },
  { name: 'int64-exact 9007199254740993 is the double 9007199254740992', filter: { big2: 9007199254740992 }, expect: ['d26'] },
  { name: 'string range by code point', filter: { title: { $gt: 'cafe' } }, expect: ['d02', 'd21', 'd23', 'd24'] },
  { name: 'astral characters sort above U+FFFF (UTF-8 order, not UTF-16)', filter: { title: { $gt: '\uFFFF' } }, expect: ['d23'] },
  { name: 'upper case sorts before lower case', filter: { title: { $lt: 'a' } }, expect: ['d01', 'd03', 'd20'] },
  { name: '$contains substring, case-sensitive', filter: { title: { $contains: 'ython' } }, expect: ['d01', 'd02'] },
  { name: '$contains a non-ASCII substring', filter: { title: { $contains: 'é' } }, expect: ['d21'] },
  {
    name: '$contains the empty string: every string',
    filter: { title: { $contains: '' } },
    expect: ['d01', 'd02', 'd03', 'd20', 'd21', 'd22', 'd23', 'd24'],
  },
  { name: '$in strings', filter: { lang: { $in: ['fr', 'xx'] } }, expect: ['d21', 'd23', 'd24'] },
  { name: 'an own key named like an Object.prototype method', filter: { toString: { $exists: true } }, expect: ['d31'] },
  { name: 'prototype members are never fields', filter: { 'author.toString': { $exists: true } }, expect: [] },
  { name: 'array members are never fields', filter: { 'tags.length': { $exists: true } }, expect: [] },
  { name: 'an object never equals a scalar, even one of its members', filter: { author: 'Ada' }, expect: ['d30'] },
  {
    name: '$contains does not look inside scalars or objects',
    filter: { $or: [{ score: { $contains: 0 } }, { author: { $contains: 36 } }] },
    expect: [],
  },
  { name: 'keys with - are quoted in the path', filter: { 'a-b': { $exists: false } }, expect: all() },

  // --- injection attempts: exact results ---
  { name: 'injection value matches only itself', filter: { title: "') OR 1=1 --" }, expect: ['d20'] },
  { name: 'injection value in another field', filter: { type: "') OR 1=1 --" }, expect: [] },
  { name: 'injection values in $in', filter: { title: { $in: ["') OR 1=1 --", "x' OR '1'='1"] } }, expect: ['d20'] },
  { name: 'value with a quote', filter: { title: "a'b" }, expect: [] },
  { name: 'value with a double quote', filter: { title: 'a"b' }, expect: [] },
  { name: 'value that looks like a JSON path', filter: { title: '$.title' }, expect: [] },
  { name: 'value *', filter: { title: '*' }, expect: [] },
  { name: 'value with a statement', filter: { title: 'x"; DROP TABLE records; --' }, expect: [] },
  { name: '$contains a quote', filter: { title: { $contains: "'" } }, expect: ['d20'] },
  { name: '$contains is not LIKE: %', filter: { title: { $contains: '%' } }, expect: [] },
  { name: '$contains is not LIKE: _', filter: { title: { $contains: '_' } }, expect: [] },
  { name: 'injection in a range', filter: { type: { $gt: "' OR 1=1 --" } }, expect: WITH_TYPE.filter((k) => k !== 'd08') },
  { name: 'injection in $in and a range', filter: { type: { $in: ['doc', "') OR 1=1 --"] }, year: { $gte: "0' OR '1'='1" } }, expect: [] },
  { name: 'injection under a dotted path', filter: { 'a.b': "') OR 1=1 --" }, expect: [] },
  {
    name: 'injection inside $or stays inside the namespace',
    filter: { $or: [{ title: "') OR 1=1 --" }, { type: { $exists: false } }] },
    expect: all(...WITH_TYPE.filter((k) => k !== 'd20')),
  },

  // --- injection attempts: refused ---
  { name: 'key with SQL', filter: { "') OR 1=1 --": 1 }, field: "filter.') OR 1=1 --" },
  { name: '$where', filter: { $where: '1' }, field: 'filter.$where' },
  { name: '$where as a field operator', filter: { type: { $where: '1' } }, field: 'filter.type.$where' },
  { name: '$where nested in $or', filter: { $or: [{ type: 'doc' }, { $where: 'sleep(1)' }] }, field: 'filter.$or[1].$where' },
  { name: '__proto__ key (JSON)', filter: JSON.parse('{"__proto__": {"polluted": "yes"}}'), field: 'filter.__proto__' },
  { name: '__proto__ in a path', filter: JSON.parse('{"__proto__.polluted": "yes"}'), field: 'filter.__proto__.polluted' },
  { name: 'constructor key', filter: { constructor: 'c' }, field: 'filter.constructor' },
  { name: 'prototype in a path', filter: { 'a.prototype': 1 }, field: 'filter.a.prototype' },
  { name: "key a'b", filter: { "a'b": 'quote' }, field: "filter.a'b" },
  { name: 'key x"y', filter: { 'x"y': 'dq' }, field: 'filter.x"y' },
  { name: 'key x]', filter: { 'x]': 'bracket' }, field: 'filter.x]' },
  { name: 'key $.a', filter: { '$.a': 1 }, field: 'filter.$.a' },
  { name: 'key *', filter: { '*': 'star' }, field: 'filter.*' },
  { name: 'non-ASCII key', filter: { ключ: 'unicode' }, field: 'filter.ключ' },
  { name: 'key 1=1', filter: { type: 'doc', $or: [{ '1=1': 1 }] }, field: 'filter.$or[0].1=1' },
  { name: 'key with a JSON path bracket', filter: { 'tags[0]': 'python' }, field: 'filter.tags[0]' },
  { name: 'key with a space and SQL', filter: { 'a OR 1': 1 }, field: 'filter.a OR 1' },
];

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
const scalarArb = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom(0.5, -0.5, 1e-7, 2 ** 53, 254066814766011900, 1e300),
  fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'A', 'é', 'e\u0301', '😀', '\uFFFF', '\uE000', 'a\u0000b', "'", '"', '1', 'true', 'null'),
  fc.boolean(),
  fc.constant(null),
);
const valueArb = fc.oneof(
  { weight: 4, arbitrary: scalarArb },
  { weight: 2, arbitrary: fc.array(scalarArb, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(scalarArb, { maxLength: 2 }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.record({ a: scalarArb }) },
);
const metadataArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ a: valueArb, b: valueArb, n: fc.record({ a: valueArb, b: valueArb }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'text', 3, [1, 2]) },
);
const pathArb = fc.constantFrom('a', 'b', 'n', 'n.a', 'n.b', 'a.a', 'c');
const rangeArb = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom(0.5, 2 ** 53, 254066814766011800),
  fc.constantFrom('', 'a', 'b', 'A', 'é', '😀', '\uFFFF', '\uE000', "'"),
);
const leafArb = fc.oneof(
  fc.tuple(pathArb, scalarArb).map(([p, v]) => ({ [p]: v })),
  fc.tuple(pathArb, fc.constantFrom('$eq', '$ne', '$contains'), scalarArb).map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc.tuple(pathArb, fc.constantFrom('$gt', '$gte', '$lt', '$lte'), rangeArb).map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc.tuple(pathArb, fc.constantFrom('$in', '$nin'), fc.array(scalarArb, { minLength: 1, maxLength: 4 })).map(([p, op, v]) => ({ [p]: { [op]: v } })),
  fc.tuple(pathArb, fc.boolean()).map(([p, v]) => ({ [p]: { $exists: v } })),
  fc.tuple(pathArb, fc.constantFrom('$gt', '$lt'), rangeArb).map(([p, op, v]) => ({ [p]: { $not: { [op]: v } } })),
);
const { filter: filterArb } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leafArb },
    { weight: 1, arbitrary: fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((of) => ({ $and: of })) },
    { weight: 1, arbitrary: fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((of) => ({ $or: of })) },
    { weight: 1, arbitrary: tie('filter').map((f) => ({ $not: f })) },
    { weight: 1, arbitrary: fc.tuple(leafArb, leafArb).map(([a, b]) => ({ ...a, ...b })) },
  ),
}));

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
