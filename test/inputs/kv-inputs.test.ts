/**
 * Guarantee 7 — "Fails closed on bad input" — for the kv store and `scope(ns)`.
 *
 * One table of malformed calls. Every row runs against a fresh, seeded store and must:
 *  - reject with a ValidationError (`code === 'invalid_input'`) whose `field` names the input,
 *  - leave every record (value, version, timestamps) and the event sequence exactly as they were,
 *  - leave Object.prototype / Array.prototype untouched (CWE-1321, prototype pollution).
 * A second block proves the valid edge cases next to each limit succeed, so the table cannot pass
 * by refusing everything.
 */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex, ValidationError, type KvStore, type KvTransaction, type Memex } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

interface Row {
  readonly name: string;
  readonly call: (mx: Memex) => Promise<unknown>;
  /** The exact `field` of the expected ValidationError, or a pattern it must match. */
  readonly field: string | RegExp;
}

// ---------------------------------------------------------------------------------------------
// Limits as documented (src/values/keys.ts, json.ts, namespace.ts, options.ts, list-options.ts).
const MAX_KEY_BYTES = 512;
const MAX_VALUE_BYTES = 1024 * 1024; // default maxValueBytes
const MAX_DEPTH = 100;
const MAX_NS_DEPTH = 8;
const MAX_LIST_LIMIT = 1000;
const MAX_BATCH = 10_000; // getMany / setMany

const SCOPED = 'team/alpha';

/** Passes a deliberately ill-typed argument through the public, typed API. */
const bad = (v: unknown): never => v as never;

// ---------------------------------------------------------------------------------------------
// Malformed keys (used for every key-taking method).
const badKeys: readonly (readonly [label: string, make: () => unknown])[] = [
  ['a number', () => 42],
  ['null', () => null],
  ['undefined', () => undefined],
  ['an object', () => ({ key: 'a' })],
  ['an array', () => ['a']],
  ['a String object', () => new String('a')],
  ['a symbol', () => Symbol('a')],
  ['empty', () => ''],
  ['containing NUL', () => 'a\0b'],
  ['only NUL', () => '\0'],
  ['513 ASCII bytes', () => 'a'.repeat(MAX_KEY_BYTES + 1)],
  ['513 bytes (256 × 2-byte é + a)', () => 'é'.repeat(256) + 'a'],
  ['513 bytes (171 × 3-byte €)', () => '€'.repeat(171)],
  ['513 bytes (128 × 4-byte emoji + a)', () => '😀'.repeat(128) + 'a'],
  ['514 bytes in only 257 chars (257 × é)', () => 'é'.repeat(257)],
  ['a lone high surrogate', () => '\uD800'],
  ['a lone low surrogate inside', () => 'a\uDFFFb'],
  ['a reversed surrogate pair', () => '\uDE00\uD83D'],
];

// ---------------------------------------------------------------------------------------------
// Malformed values. `at` is the path below the value's own field ('' = the value itself).
const pollute = (how: string): void => {
  (Object.prototype as Record<string, unknown>).polluted = how;
};
const protoBomb = () => JSON.parse('{"__proto__":{"polluted":1}}') as unknown;
const nestArrays = (n: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};
const nestObjects = (n: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = { n: v };
  return v;
};

interface BadValue {
  readonly label: string;
  readonly make: () => unknown;
  readonly at: string;
}

const badValues: readonly BadValue[] = [
  { label: 'a function', make: () => () => 1, at: '' },
  { label: 'a function property', make: () => ({ ok: 1, cb: () => 1 }), at: '.cb' },
  { label: 'a toJSON method (would pollute if called)', make: () => ({ toJSON: () => (pollute('toJSON'), 'x') }), at: '.toJSON' },
  { label: 'a symbol', make: () => Symbol('v'), at: '' },
  { label: 'a BigInt', make: () => 10n, at: '' },
  { label: 'a nested BigInt', make: () => ({ big: 1n }), at: '.big' },
  { label: 'NaN', make: () => NaN, at: '' },
  { label: 'Infinity', make: () => Infinity, at: '' },
  { label: '-Infinity', make: () => -Infinity, at: '' },
  { label: 'NaN at value.a[2]', make: () => ({ a: [1, 2, NaN] }), at: '.a[2]' },
  {
    label: 'a cycle',
    make: () => {
      const o: Record<string, unknown> = { a: 1 };
      o.self = o;
      return o;
    },
    at: '.self',
  },
  {
    label: 'a nested cycle',
    make: () => {
      const root: Record<string, unknown> = {};
      const b: Record<string, unknown> = {};
      root.a = { b };
      b.back = root;
      return root;
    },
    at: '.a.b.back',
  },
  {
    label: 'an array cycle',
    make: () => {
      const a: unknown[] = [1];
      a.push(a);
      return a;
    },
    at: '[1]',
  },
  { label: 'a Date', make: () => new Date(0), at: '' },
  { label: 'a nested Date', make: () => ({ when: new Date(0) }), at: '.when' },
  { label: 'a Map', make: () => new Map([['a', 1]]), at: '' },
  { label: 'a Set', make: () => new Set([1]), at: '' },
  { label: 'a RegExp', make: () => /x/g, at: '' },
  {
    label: 'a class instance',
    make: () =>
      new (class Point {
        x = 1;
        y = 2;
      })(),
    at: '',
  },
  { label: 'an Error', make: () => new Error('boom'), at: '' },
  { label: 'a boxed String', make: () => new String('x'), at: '' },
  // Typed arrays are values (issue 15); these views are not.
  { label: 'a Buffer (a Uint8Array subclass)', make: () => Buffer.from([1, 2]), at: '' },
  { label: 'a DataView', make: () => new DataView(new ArrayBuffer(4)), at: '' },
  { label: 'a BigInt64Array', make: () => new BigInt64Array(2), at: '' },
  { label: 'a Float32Array holding NaN', make: () => ({ v: Float32Array.of(1, NaN) }), at: '.v[1]' },
  { label: 'the reserved key $typedArray', make: () => ({ $typedArray: 'Float32Array', base64: 'AACAPw==' }), at: '.$typedArray' },
  { label: 'undefined inside an array', make: () => [1, undefined, 3], at: '[1]' },
  // eslint-disable-next-line no-sparse-arrays
  { label: 'a sparse array', make: () => [1, , 3], at: '[1]' },
  { label: 'a __proto__ key (JSON.parse)', make: protoBomb, at: '.__proto__' },
  { label: 'a nested __proto__ key', make: () => ({ user: protoBomb() }), at: '.user.__proto__' },
  { label: 'a __proto__ key inside an array', make: () => [protoBomb()], at: '[0].__proto__' },
  {
    label: 'a __proto__ own key on a null-prototype object',
    make: () => {
      const o = Object.create(null) as Record<string, unknown>;
      o.__proto__ = { polluted: 1 };
      return o;
    },
    at: '.__proto__',
  },
  { label: 'a constructor key', make: () => ({ constructor: { prototype: { polluted: 1 } } }), at: '.constructor' },
  { label: 'a prototype key', make: () => ({ prototype: { polluted: 1 } }), at: '.prototype' },
  {
    label: 'a getter (would pollute if called)',
    make: () => Object.defineProperty({ a: 1 }, 'g', { enumerable: true, get: () => (pollute('getter'), 1) }),
    at: '.g',
  },
  { label: 'a setter-only property', make: () => Object.defineProperty({}, 's', { enumerable: true, set: () => pollute('setter') }), at: '.s' },
  { label: 'a non-enumerable property', make: () => Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false }), at: '.hidden' },
  { label: 'a symbol-keyed property', make: () => ({ a: 1, [Symbol('s')]: 2 }), at: '' },
  { label: 'a nested symbol-keyed property', make: () => ({ inner: { [Symbol('s')]: 1 } }), at: '.inner' },
  { label: 'one byte over maxValueBytes', make: () => 'x'.repeat(MAX_VALUE_BYTES - 1), at: '' },
  { label: 'over maxValueBytes in UTF-8 while half as long in chars', make: () => 'é'.repeat(MAX_VALUE_BYTES / 2), at: '' },
  { label: `${MAX_DEPTH + 1} nested arrays`, make: () => nestArrays(MAX_DEPTH + 1), at: '[0]'.repeat(MAX_DEPTH) },
  { label: `${MAX_DEPTH + 1} nested objects`, make: () => nestObjects(MAX_DEPTH + 1), at: '.n'.repeat(MAX_DEPTH) },
  { label: '100000 nested arrays (no stack overflow)', make: () => nestArrays(100_000), at: '[0]'.repeat(MAX_DEPTH) },
  { label: 'a lone surrogate string', make: () => 'a\uD800', at: '' },
  { label: 'a nested lone surrogate string', make: () => ({ s: '\uDFFF' }), at: '.s' },
  { label: 'a lone surrogate object key', make: () => ({ '\uD800': 1 }), at: '.\uD800' },
];

/** The subset also pushed through setMany and tx.set (the full list goes through set and update). */
const SHORT = new Set([
  'a function',
  'a BigInt',
  'NaN at value.a[2]',
  'a nested cycle',
  'a Date',
  'a sparse array',
  'a __proto__ key (JSON.parse)',
  'a constructor key',
  'a getter (would pollute if called)',
  'a symbol-keyed property',
  'one byte over maxValueBytes',
  `${MAX_DEPTH + 1} nested arrays`,
  'a lone surrogate string',
]);

// ---------------------------------------------------------------------------------------------
// Malformed namespaces.
const badNamespaces: readonly (readonly [label: string, ns: unknown])[] = [
  ['empty', ''],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an array', ['team']],
  ['a space', 'team alpha'],
  ['a colon', 'team:alpha'],
  ['a backslash', 'team\\alpha'],
  ['a NUL', 'team\0alpha'],
  ['a newline', 'team\nalpha'],
  ['non-ASCII letters', 'équipe'],
  ['a lone surrogate', 'a\uD800'],
  ['only a slash', '/'],
  ['a leading slash', '/team'],
  ['a trailing slash', 'team/'],
  ['an empty segment', 'team//alpha'],
  ['"."', '.'],
  ['".."', '..'],
  ['a "." segment', 'team/./alpha'],
  ['a ".." segment', 'team/../alpha'],
  ['a leading ".." (traversal)', '../etc'],
  [`${MAX_NS_DEPTH + 1} segments deep`, 'a/b/c/d/e/f/g/h/i'],
  ['longer than 256 characters', 'a'.repeat(257)],
];

// ---------------------------------------------------------------------------------------------
// The table.
const rows: Row[] = [];
const add = (name: string, field: string | RegExp, call: (mx: Memex) => Promise<unknown>) => rows.push({ name, field, call });

// keys, across every key-taking method
for (const [label, make] of badKeys) {
  add(`get: key ${label}`, 'key', (mx) => mx.kv.get(bad(make())));
  add(`set: key ${label}`, 'key', (mx) => mx.kv.set(bad(make()), 1));
}
for (const [label, make] of badKeys.filter(([l]) =>
  ['a number', 'empty', 'containing NUL', '513 bytes (171 × 3-byte €)', 'a lone high surrogate'].includes(l),
)) {
  add(`getEntry: key ${label}`, 'key', (mx) => mx.kv.getEntry(bad(make())));
  add(`has: key ${label}`, 'key', (mx) => mx.kv.has(bad(make())));
  add(`delete: key ${label}`, 'key', (mx) => mx.kv.delete(bad(make())));
  add(`update: key ${label}`, 'key', (mx) => mx.kv.update(bad(make()), () => 1));
}

// values
for (const v of badValues) {
  add(`set: value is ${v.label}`, `value${v.at}`, (mx) => mx.kv.set('a', v.make()));
  add(`update: fn returns ${v.label}`, `value returned by fn${v.at}`, (mx) => mx.kv.update('a', () => bad(v.make())));
}
for (const v of badValues.filter((b) => SHORT.has(b.label))) {
  add(`setMany: entries[2].value is ${v.label} (entries 0 and 1 are fine)`, `entries[2].value${v.at}`, (mx) =>
    mx.kv.setMany([
      { key: 'a', value: 100 },
      { key: 'fresh', value: 'new' },
      { key: 'c', value: v.make() },
    ]),
  );
  add(`transaction: tx.set value is ${v.label} after successful writes`, `value${v.at}`, (mx) =>
    mx.kv.transaction((tx) => {
      tx.set('a', 100);
      tx.set('fresh', 'new');
      tx.delete('b');
      tx.update<number>('counter', (n = 0) => n + 1);
      tx.set('c', v.make());
    }),
  );
}
add('set: value is undefined', 'value', (mx) => mx.kv.set('a', undefined));
add('set: value omitted', 'value', (mx) => (mx.kv.set as (this: KvStore, key: string) => Promise<unknown>).call(mx.kv, 'a'));
add('set: new key with a bad value leaves no record', 'value', (mx) => mx.kv.set('fresh', NaN));

// set options
const badTtls: readonly (readonly [string, unknown])[] = [
  ['0', 0],
  ['negative', -1],
  ['a float', 1.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['a string', '1000'],
  ['null', null],
  ['beyond 2^53', 2 ** 53],
  ['true', true],
];
for (const [label, ttlMs] of badTtls) add(`set: options.ttlMs ${label}`, 'options.ttlMs', (mx) => mx.kv.set('a', 2, { ttlMs: bad(ttlMs) }));
const badVersions: readonly (readonly [string, unknown])[] = [
  ['-1', -1],
  ['1.5', 1.5],
  ["'1'", '1'],
  ['NaN', NaN],
  ['null', null],
  ['Infinity', Infinity],
  ['beyond 2^53', 2 ** 53],
];
for (const [label, ifVersion] of badVersions) {
  add(`set: options.ifVersion ${label}`, 'options.ifVersion', (mx) => mx.kv.set('a', 2, { ifVersion: bad(ifVersion) }));
}
add('set: unknown option ttl (typo of ttlMs)', 'options.ttl', (mx) => mx.kv.set('a', 2, bad({ ttl: 1000 })));
add('set: unknown option ifversion (wrong case)', 'options.ifversion', (mx) => mx.kv.set('a', 2, bad({ ifversion: 1 })));
add('set: unknown option expiresAt', 'options.expiresAt', (mx) => mx.kv.set('a', 2, bad({ expiresAt: Date.now() + 1000 })));
add('set: options with a __proto__ key (JSON.parse)', 'options.__proto__', (mx) => mx.kv.set('a', 2, bad(protoBomb())));
for (const [label, opts] of [
  ['a string', 'fast'],
  ['a number', 42],
  ['null', null],
  ['an array', [1000]],
  ['true', true],
] as const) {
  add(`set: options is ${label}`, 'options', (mx) => mx.kv.set('a', 2, bad(opts)));
}

// delete
add('delete: options.ifVersion -1', 'options.ifVersion', (mx) => mx.kv.delete('a', { ifVersion: -1 }));
add("delete: options.ifVersion '1'", 'options.ifVersion', (mx) => mx.kv.delete('a', { ifVersion: bad('1') }));
add('delete: options.ifVersion 1.5', 'options.ifVersion', (mx) => mx.kv.delete('a', { ifVersion: 1.5 }));
add('delete: unknown option ttlMs', 'options.ttlMs', (mx) => mx.kv.delete('a', bad({ ttlMs: 5 })));
add('delete: options is a string', 'options', (mx) => mx.kv.delete('a', bad('force')));
add('delete: options is null', 'options', (mx) => mx.kv.delete('a', bad(null)));

// getMany
for (const [label, keys] of [
  ['a string', 'a'],
  ['null', null],
  ['undefined', undefined],
  ['an array-like object', { 0: 'a', length: 1 }],
  ['a Set', new Set(['a'])],
] as const) {
  add(`getMany: keys is ${label}`, 'keys', (mx) => mx.kv.getMany(bad(keys)));
}
add('getMany: keys[1] is a number', 'keys[1]', (mx) => mx.kv.getMany(bad(['a', 42])));
add('getMany: keys[1] is empty', 'keys[1]', (mx) => mx.kv.getMany(['a', '']));
add('getMany: keys[2] contains NUL', 'keys[2]', (mx) => mx.kv.getMany(['a', 'b', 'x\0']));
add('getMany: keys[0] is 513 bytes', 'keys[0]', (mx) => mx.kv.getMany(['€'.repeat(171)]));
add('getMany: keys[0] is a lone surrogate', 'keys[0]', (mx) => mx.kv.getMany(['\uD800']));
// eslint-disable-next-line no-sparse-arrays
add('getMany: keys[0] is a hole (sparse array)', 'keys[0]', (mx) => mx.kv.getMany(bad([, 'a'])));
add(`getMany: more than ${MAX_BATCH} keys`, 'keys', (mx) => mx.kv.getMany(Array.from({ length: MAX_BATCH + 1 }, () => 'a')));

// setMany
for (const [label, entries] of [
  ['an object', { key: 'a', value: 1 }],
  ['a string', 'a=1'],
  ['null', null],
  ['undefined', undefined],
  ['an array-like object', { 0: { key: 'a', value: 1 }, length: 1 }],
] as const) {
  add(`setMany: entries is ${label}`, 'entries', (mx) => mx.kv.setMany(bad(entries)));
}
add('setMany: entries[0] is a number', 'entries[0]', (mx) => mx.kv.setMany(bad([1])));
add('setMany: entries[0] is null', 'entries[0]', (mx) => mx.kv.setMany(bad([null])));
add('setMany: entries[0] is a [key, value] tuple', 'entries[0]', (mx) => mx.kv.setMany(bad([['a', 1]])));
add('setMany: entries[1] is a string after a good entry', 'entries[1]', (mx) => mx.kv.setMany(bad([{ key: 'fresh', value: 1 }, 'b'])));
// eslint-disable-next-line no-sparse-arrays
add('setMany: entries[0] is a hole (sparse array) before a good entry', 'entries[0]', (mx) => mx.kv.setMany(bad([, { key: 'fresh', value: 1 }])));
add('setMany: duplicate key at entries[1]', 'entries[1].key', (mx) =>
  mx.kv.setMany([
    { key: 'fresh', value: 1 },
    { key: 'fresh', value: 2 },
  ]),
);
add('setMany: duplicate key at entries[2]', 'entries[2].key', (mx) =>
  mx.kv.setMany([
    { key: 'x', value: 1 },
    { key: 'y', value: 2 },
    { key: 'x', value: 3 },
  ]),
);
add('setMany: entries[1].key is empty', 'entries[1].key', (mx) =>
  mx.kv.setMany([
    { key: 'fresh', value: 1 },
    { key: '', value: 2 },
  ]),
);
add('setMany: entries[1].key is 513 bytes', 'entries[1].key', (mx) =>
  mx.kv.setMany([
    { key: 'fresh', value: 1 },
    { key: 'é'.repeat(256) + 'a', value: 2 },
  ]),
);
add('setMany: entries[0].key missing', 'entries[0].key', (mx) => mx.kv.setMany(bad([{ value: 1 }])));
add('setMany: entries[0].value missing', 'entries[0].value', (mx) => mx.kv.setMany(bad([{ key: 'fresh' }])));
// The entry's own fields are `ttlMs` / `ifVersion` (SetManyEntry): the error must point at them.
add('setMany: entries[1].ttlMs is 0', 'entries[1].ttlMs', (mx) =>
  mx.kv.setMany([
    { key: 'fresh', value: 1 },
    { key: 'a', value: 2, ttlMs: 0 },
  ]),
);
add("setMany: entries[1].ifVersion is '1'", 'entries[1].ifVersion', (mx) =>
  mx.kv.setMany([
    { key: 'fresh', value: 1 },
    { key: 'a', value: 2, ifVersion: bad('1') },
  ]),
);
add('setMany: entries[0] has an unknown property ttl', 'entries[0].ttl', (mx) => mx.kv.setMany(bad([{ key: 'a', value: 2, ttl: 5 }])));
add('setMany: entries[0] has a __proto__ property (JSON.parse)', 'entries[0].__proto__', (mx) =>
  mx.kv.setMany(bad(JSON.parse('[{"key":"a","value":2,"__proto__":{"polluted":1}}]'))),
);
add('setMany: entries[0].value has a __proto__ key (JSON.parse)', 'entries[0].value.__proto__', (mx) =>
  mx.kv.setMany(bad(JSON.parse('[{"key":"a","value":{"__proto__":{"polluted":1}}}]'))),
);
add(`setMany: more than ${MAX_BATCH} entries`, 'entries', (mx) =>
  mx.kv.setMany(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ key: `k${i}`, value: i }))),
);

// update
for (const [label, fn] of [
  ['a string', 'n + 1'],
  ['null', null],
  ['undefined', undefined],
  ['an object', { fn: () => 1 }],
] as const) {
  add(`update: fn is ${label}`, 'fn', (mx) => mx.kv.update('a', bad(fn)));
}
add('update: fn is async', 'fn', (mx) =>
  mx.kv.update(
    'a',
    bad(async () => 2),
  ),
);
add('update: fn returns a promise', 'fn', (mx) => mx.kv.update('a', () => bad(Promise.resolve(2))));
add('update: fn returns a thenable', 'fn', (mx) => mx.kv.update('a', () => bad({ then: () => undefined })));
add('update: fn on an absent key returns a bad value', 'value returned by fn', (mx) => mx.kv.update('fresh', () => bad(1n)));
for (const [label, ttlMs] of badTtls.slice(0, 6)) {
  add(`update: options.ttlMs ${label}`, 'options.ttlMs', (mx) => mx.kv.update<number>('a', (n = 0) => n + 1, { ttlMs: bad(ttlMs) }));
}
add('update: unknown option ifVersion', 'options.ifVersion', (mx) => mx.kv.update<number>('a', (n = 0) => n + 1, bad({ ifVersion: 1 })));
add('update: options is a number', 'options', (mx) => mx.kv.update<number>('a', (n = 0) => n + 1, bad(60_000)));

// transaction and the tx handle
for (const [label, fn] of [
  ['a string', 'tx => 1'],
  ['null', null],
  ['an object', { run: () => 1 }],
] as const) {
  add(`transaction: fn is ${label}`, 'fn', (mx) => mx.kv.transaction(bad(fn)));
}
add('transaction: fn is async (its synchronous writes are discarded)', 'fn', (mx) =>
  mx.kv.transaction(
    bad(async (tx: KvTransaction) => {
      tx.set('a', 100);
      tx.set('fresh', 1);
    }),
  ),
);
add('transaction: fn returns a promise after writing', 'fn', (mx) =>
  mx.kv.transaction((tx) => {
    tx.delete('b');
    return Promise.resolve(1);
  }),
);
/** A transaction that writes (set, delete, update) and then makes one bad call. */
const txThen = (last: (tx: KvTransaction) => unknown) => (mx: Memex) =>
  mx.kv.transaction((tx) => {
    tx.set('a', 100);
    tx.set('fresh', 'new');
    tx.delete('b');
    tx.update<number>('counter', (n = 0) => n + 1);
    return last(tx);
  });
add(
  'transaction: tx.set key is empty',
  'key',
  txThen((tx) => tx.set('', 1)),
);
add(
  'transaction: tx.set key is a number',
  'key',
  txThen((tx) => tx.set(bad(7), 1)),
);
add(
  'transaction: tx.set options.ttlMs is -1',
  'options.ttlMs',
  txThen((tx) => tx.set('c', 1, { ttlMs: -1 })),
);
add(
  'transaction: tx.set unknown option ttl',
  'options.ttl',
  txThen((tx) => tx.set('c', 1, bad({ ttl: 5 }))),
);
add(
  'transaction: tx.set options.ifVersion 1.5',
  'options.ifVersion',
  txThen((tx) => tx.set('c', 1, { ifVersion: 1.5 })),
);
add(
  'transaction: tx.set value undefined',
  'value',
  txThen((tx) => tx.set('c', undefined)),
);
add(
  'transaction: tx.get key contains NUL',
  'key',
  txThen((tx) => tx.get('a\0')),
);
add(
  'transaction: tx.getEntry key is null',
  'key',
  txThen((tx) => tx.getEntry(bad(null))),
);
add(
  'transaction: tx.has key is 513 bytes',
  'key',
  txThen((tx) => tx.has('a'.repeat(513))),
);
add(
  'transaction: tx.delete key is a lone surrogate',
  'key',
  txThen((tx) => tx.delete('\uDC00')),
);
add(
  "transaction: tx.delete options.ifVersion '2'",
  'options.ifVersion',
  txThen((tx) => tx.delete('c', { ifVersion: bad('2') })),
);
add(
  'transaction: tx.delete unknown option ttlMs',
  'options.ttlMs',
  txThen((tx) => tx.delete('c', bad({ ttlMs: 1 }))),
);
add(
  'transaction: tx.update fn is not a function',
  'fn',
  txThen((tx) => tx.update('c', bad('x'))),
);
add(
  'transaction: tx.update fn returns a promise',
  'fn',
  txThen((tx) => tx.update('c', () => bad(Promise.resolve(1)))),
);
add(
  'transaction: tx.update fn returns a BigInt',
  'value returned by fn',
  txThen((tx) => tx.update('c', () => bad(5n))),
);
add(
  'transaction: tx.update fn returns a __proto__ key',
  'value returned by fn.__proto__',
  txThen((tx) => tx.update('c', () => protoBomb())),
);
add(
  'transaction: tx.update options.ttlMs is 1.5',
  'options.ttlMs',
  txThen((tx) => tx.update('c', () => 1, { ttlMs: 1.5 })),
);
add(
  'transaction: tx.update key is empty',
  'key',
  txThen((tx) => tx.update('', () => 1)),
);
add('transaction: tx used after its transaction ended', 'tx', async (mx) => {
  const holder: { tx?: KvTransaction } = {};
  await mx.kv.transaction((tx) => {
    holder.tx = tx;
  });
  return holder.tx?.set('a', 100);
});

// list
for (const [label, limit] of [
  ['0', 0],
  ['1001', MAX_LIST_LIMIT + 1],
  ['1.5', 1.5],
  ['-1', -1],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ["'10'", '10'],
  ['null', null],
] as const) {
  add(`list: options.limit ${label}`, 'options.limit', (mx) => mx.kv.list({ limit: bad(limit) }));
}
for (const [label, cursor] of [
  ['a number', 123],
  ['null', null],
  ['empty', ''],
  ['not base64url', 'not a cursor!'],
  ['padded base64 ("YQ==")', 'YQ=='],
  ['invalid UTF-8 ("_w")', '_w'],
  ['encoding a key with NUL ("AA")', 'AA'],
] as const) {
  add(`list: options.cursor ${label}`, 'options.cursor', (mx) => mx.kv.list({ cursor: bad(cursor) }));
}
add('list: options.prefix contains NUL', 'options.prefix', (mx) => mx.kv.list({ prefix: 'a\0' }));
add('list: options.prefix is a number', 'options.prefix', (mx) => mx.kv.list({ prefix: bad(5) }));
add('list: options.prefix is 513 bytes', 'options.prefix', (mx) => mx.kv.list({ prefix: 'a'.repeat(513) }));
add('list: options.prefix is a lone surrogate', 'options.prefix', (mx) => mx.kv.list({ prefix: '\uD800' }));
add('list: unknown option offset', 'options.offset', (mx) => mx.kv.list(bad({ offset: 10 })));
add('list: options with a __proto__ key (JSON.parse)', 'options.__proto__', (mx) => mx.kv.list(bad(protoBomb())));
for (const [label, opts] of [
  ['a string', 'a'],
  ['null', null],
  ['an array', []],
  ['a number', 5],
] as const) {
  add(`list: options is ${label}`, 'options', (mx) => mx.kv.list(bad(opts)));
}

// scope(ns)
for (const [label, ns] of badNamespaces) {
  add(`scope: namespace ${label}`, 'namespace', async (mx) => mx.scope(bad(ns)));
}
add('scope: scoped kv.set with an empty key', 'key', (mx) => mx.scope(SCOPED).kv.set('', 1));
add('scope: scoped kv.set with a cycle', 'value.self', (mx) => {
  const o: Record<string, unknown> = {};
  o.self = o;
  return mx.scope(SCOPED).kv.set('a', o);
});
add('scope: scoped kv.setMany with one bad entry', 'entries[1].value', (mx) =>
  mx.scope(SCOPED).kv.setMany([
    { key: 'a', value: 'changed' },
    { key: 'b', value: NaN },
  ]),
);
add('scope: scoped kv.transaction with a bad tx.set', 'value.__proto__', (mx) =>
  mx.scope(SCOPED).kv.transaction((tx) => {
    tx.set('a', 'changed');
    tx.delete('a');
    tx.set('b', protoBomb());
  }),
);
add('scope: scoped kv.update returning a function', 'value returned by fn', (mx) => mx.scope(SCOPED).kv.update('a', () => bad(() => 1)));

// ---------------------------------------------------------------------------------------------
// Harness.
async function openSeeded(): Promise<Memex> {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
  await mx.kv.set('a', 1);
  await mx.kv.set('b', { nested: [1, 2, 3], s: 'x' });
  await mx.kv.set('c', 'text', { ttlMs: 3_600_000 });
  await mx.kv.set('counter', 5);
  await mx.scope(SCOPED).kv.set('a', 'alpha');
  return mx;
}

async function dump(kv: KvStore) {
  const page = await kv.list({ limit: MAX_LIST_LIMIT });
  expect(page.cursor).toBeUndefined();
  return page.items.map((e) => ({ ...e }));
}

async function snapshot(mx: Memex) {
  return { root: await dump(mx.kv), scoped: await dump(mx.scope(SCOPED).kv), lastSeq: await mx.events.lastSeq() };
}

const protoState = () => ({
  object: [...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertySymbols(Object.prototype).map(String)].sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  fn: Object.getOwnPropertyNames(Function.prototype).sort(),
});

/** Undoes any pollution so one failing row cannot spoil the rows after it. */
function scrubPrototypes(before: ReturnType<typeof protoState>): void {
  for (const [proto, names] of [
    [Object.prototype, before.object],
    [Array.prototype, before.array],
    [Function.prototype, before.fn],
  ] as const) {
    for (const n of Object.getOwnPropertyNames(proto)) if (!names.includes(n)) Reflect.deleteProperty(proto, n);
  }
}

afterAll(() => cleanupTemp());

describe('kv and scope: malformed input fails closed', () => {
  it(`the table has at least 80 rows with unique names (${rows.length})`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows)('$name', async (row) => {
    const mx = await openSeeded();
    const protoBefore = protoState();
    try {
      const before = await snapshot(mx);
      expect(before.root.map((e) => e.key)).toEqual(['a', 'b', 'c', 'counter']);

      let error: unknown;
      let result: unknown;
      try {
        result = await row.call(mx);
      } catch (e) {
        error = e;
      }
      expect(error, `expected a ValidationError, but the call resolved with ${inspect(result, { depth: 2 })}`).toBeInstanceOf(ValidationError);
      const v = error as ValidationError;
      expect(v.code).toBe('invalid_input');
      if (typeof row.field === 'string') expect(v.field).toBe(row.field);
      else expect(v.field).toMatch(row.field);
      expect(v.message).toContain(v.field);
      expect(v.reason.length).toBeGreaterThan(0);

      // Nothing written: same records, same versions and timestamps, no new event.
      expect(await snapshot(mx)).toEqual(before);
      // CWE-1321: no prototype was touched.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
      expect(protoState()).toEqual(protoBefore);

      // The store is still usable (no transaction left open, no poisoned state).
      const { version } = await mx.kv.set('after', 1);
      expect(version).toBeGreaterThan(before.lastSeq);
      expect(await mx.kv.get('after')).toBe(1);
    } finally {
      scrubPrototypes(protoBefore);
      await mx.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('kv and scope: the valid edges next to each limit succeed', () => {
  it('keys of exactly 512 UTF-8 bytes, in 1-, 2-, 3- and 4-byte characters', async () => {
    const mx = await openSeeded();
    try {
      const keys = ['a'.repeat(MAX_KEY_BYTES), 'é'.repeat(256), '€'.repeat(170) + 'ab', '😀'.repeat(128), 'a\u{10FFFF}b', 'x'];
      for (const k of keys) expect(Buffer.byteLength(k, 'utf8')).toBeLessThanOrEqual(MAX_KEY_BYTES);
      for (const [i, k] of keys.entries()) await mx.kv.set(k, i);
      for (const [i, k] of keys.entries()) {
        expect(await mx.kv.get(k)).toBe(i);
        expect(await mx.kv.has(k)).toBe(true);
        expect((await mx.kv.getEntry(k))?.key).toBe(k);
      }
      expect(await mx.kv.getMany(keys)).toEqual(keys.map((_, i) => i));
      expect(await mx.kv.list({ prefix: '😀'.repeat(128) })).toMatchObject({ items: [{ key: '😀'.repeat(128), value: 3 }] });
      await mx.kv.update<number>('é'.repeat(256), (n = 0) => n + 1);
      expect(await mx.kv.delete('€'.repeat(170) + 'ab')).toBe(true);
    } finally {
      await mx.close();
    }
  });

  it('values of exactly maxValueBytes (ASCII and 2-byte UTF-8) are accepted', async () => {
    const mx = await openSeeded();
    try {
      const ascii = 'x'.repeat(MAX_VALUE_BYTES - 2);
      const twoByte = 'é'.repeat((MAX_VALUE_BYTES - 2) / 2);
      expect(Buffer.byteLength(JSON.stringify(ascii))).toBe(MAX_VALUE_BYTES);
      expect(Buffer.byteLength(JSON.stringify(twoByte))).toBe(MAX_VALUE_BYTES);
      await mx.kv.set('ascii', ascii);
      await mx.kv.setMany([{ key: 'two', value: twoByte }]);
      await mx.kv.update('upd', () => ascii);
      expect(await mx.kv.get('ascii')).toBe(ascii);
      expect(await mx.kv.get('two')).toBe(twoByte);
      expect(await mx.kv.get('upd')).toBe(ascii);
    } finally {
      await mx.close();
    }
  });

  it(`nesting of exactly ${MAX_DEPTH} levels is accepted`, async () => {
    const mx = await openSeeded();
    try {
      const arrays = nestArrays(MAX_DEPTH);
      const objects = nestObjects(MAX_DEPTH);
      await mx.kv.set('arrays', arrays);
      await mx.kv.transaction((tx) => tx.set('objects', objects));
      expect(await mx.kv.get('arrays')).toEqual(arrays);
      expect(await mx.kv.get('objects')).toEqual(objects);
    } finally {
      await mx.close();
    }
  });

  it(`namespaces exactly ${MAX_NS_DEPTH} segments deep, 256 characters long, and with . _ - are accepted`, async () => {
    const mx = await openSeeded();
    try {
      const names = ['a/b/c/d/e/f/g/h', 'a'.repeat(256), 'Acme.Corp/user_42/session-1', '...', 'a..b/.hidden/x.'];
      for (const ns of names) {
        const s = mx.scope(ns);
        expect(s.ns).toBe(ns);
        await s.kv.set('k', ns);
      }
      for (const ns of names) expect(await mx.scope(ns).kv.get('k')).toBe(ns);
      expect(await mx.kv.get('k')).toBeUndefined();
    } finally {
      await mx.close();
    }
  });

  it('plain JSON in all its forms is accepted and read back equal', async () => {
    const mx = await openSeeded();
    try {
      const shared = { x: 1 };
      const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
      const cases: [string, unknown, unknown][] = [
        ['zero', 0, 0],
        ['negative zero', -0, 0],
        ['false', false, false],
        ['null', null, null],
        ['empty string', '', ''],
        ['empty array', [], []],
        ['empty object', {}, {}],
        ['emoji', 'a😀b', 'a😀b'],
        ['NUL inside a string value', 'a\0b', 'a\0b'],
        ['max safe integer', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
        ['tiny float', 5e-324, 5e-324],
        ['shared reference (a DAG, not a cycle)', { a: shared, b: [shared, shared] }, { a: { x: 1 }, b: [{ x: 1 }, { x: 1 }] }],
        ['null-prototype object', nullProto, { a: 1 }],
        ['undefined property is dropped', { a: 1, b: undefined }, { a: 1 }],
        [
          'keys that only look dangerous',
          { __proto: 1, proto: 2, Constructor: 3, toString: 4 },
          { __proto: 1, proto: 2, Constructor: 3, toString: 4 },
        ],
        ['frozen object', Object.freeze({ a: [1] }), { a: [1] }],
      ];
      for (const [name, value, expected] of cases) {
        await mx.kv.set(name, value);
        expect(await mx.kv.get(name), name).toEqual(expected);
      }
    } finally {
      await mx.close();
    }
  });

  it('valid options at their bounds are accepted', async () => {
    const mx = await openSeeded();
    try {
      const { version } = await mx.kv.set('fresh', 1, { ifVersion: 0 });
      // The smallest TTL is accepted; on the real clock it may lapse before the next call, so the
      // key is removed without depending on whether it already expired.
      await mx.kv.set('brief', 1, { ttlMs: 1 });
      await mx.kv.delete('brief');
      await mx.kv.set('a', 2, { ifVersion: (await mx.kv.getEntry('a'))?.version, ttlMs: Number.MAX_SAFE_INTEGER - Date.now() - 1 });
      expect(await mx.kv.delete('fresh', { ifVersion: version })).toBe(true);
      await mx.kv.set('a', 3, {});
      expect(await mx.kv.update<number>('a', (n = 0) => n + 1, { ttlMs: 1000 })).toBe(4);
      expect(await mx.kv.update('a', () => undefined)).toBeUndefined();
      expect(await mx.kv.has('a')).toBe(false);
      expect(await mx.kv.getMany([])).toEqual([]);
      expect(await mx.kv.setMany([])).toEqual({ versions: [] });

      const first = await mx.kv.list({ limit: 1 });
      expect(first.items.map((e) => e.key)).toEqual(['b']);
      expect(first.cursor).toBeTypeOf('string');
      const rest = await mx.kv.list({ limit: MAX_LIST_LIMIT, cursor: first.cursor, prefix: '' });
      expect(rest.items.map((e) => e.key)).toEqual(['c', 'counter']);
      expect(await mx.kv.list({})).toMatchObject({ items: [{ key: 'b' }, { key: 'c' }, { key: 'counter' }] });
      expect(await mx.kv.list({ prefix: 'c', limit: undefined, cursor: undefined })).toMatchObject({ items: [{ key: 'c' }, { key: 'counter' }] });
    } finally {
      await mx.close();
    }
  });

  it('a transaction whose calls are all valid commits every write', async () => {
    const mx = await openSeeded();
    try {
      const out = await mx.kv.transaction((tx) => {
        tx.set('a', 100);
        tx.set('fresh', 'new');
        tx.delete('b');
        tx.update<number>('counter', (n = 0) => n + 1);
        tx.set('c', 'ok', { ttlMs: 1000 });
        return tx.get('fresh');
      });
      expect(out).toBe('new');
      expect(await mx.kv.getMany(['a', 'b', 'c', 'counter', 'fresh'])).toEqual([100, undefined, 'ok', 6, 'new']);
    } finally {
      await mx.close();
    }
  });
});
