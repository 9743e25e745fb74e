// The filter language's shared test data: the hand-checked table (answers over the fixture of
// vectors-filter-fixture.ts, injection attempts included) and the generators of the property
// that SQL and matchesFilter agree. Run by the SQLite and the PostgreSQL filter tests alike.
import fc from 'fast-check';
import { ALL_KEYS } from './sqlite/vectors-filter-fixture.js';

export type Case =
  | { readonly name: string; readonly filter: unknown; readonly expect: readonly string[] }
  | { readonly name: string; readonly filter: unknown; readonly field: string };

const all = (...except: string[]): string[] => ALL_KEYS.filter((k) => !except.includes(k));
const DOCS_OF_TYPE_DOC = ['d01', 'd02', 'd03', 'd11', 'd12', 'd13', 'd14', 'd15', 'd20', 'd29'];
const WITH_TYPE = ['d01', 'd02', 'd03', 'd04', 'd05', 'd06', 'd07', 'd08', 'd11', 'd12', 'd13', 'd14', 'd15', 'd20', 'd29'];

// ---------------------------------------------------------------------------------------------
// Filters that must work: expected keys written by hand from the fixture.
export const CASES: readonly Case[] = [
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
export const metadataArb = fc.oneof(
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
export const { filter: filterArb } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leafArb },
    { weight: 1, arbitrary: fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((of) => ({ $and: of })) },
    { weight: 1, arbitrary: fc.array(tie('filter'), { minLength: 1, maxLength: 3 }).map((of) => ({ $or: of })) },
    { weight: 1, arbitrary: tie('filter').map((f) => ({ $not: f })) },
    { weight: 1, arbitrary: fc.tuple(leafArb, leafArb).map(([a, b]) => ({ ...a, ...b })) },
  ),
}));
