/**
 * Documents for the filter conformance table (test/conformance/vectors-filter.test.ts): a
 * `records` table with the real schema's column names, whose `value` is the JSON of
 * `{ text, metadata }` exactly as the vectors store writes it.
 */
import Database from 'better-sqlite3';

export const NS = 'acme/users/42';
export const STORE = 'vectors';

/** key → metadata (`undefined`: the document has no metadata at all). */
export const DOCS: Readonly<Record<string, unknown>> = {
  d01: { type: 'doc', year: 2019, tags: ['python', 'ml'], author: { name: 'Ada', age: 36 }, published: true, score: 4.5, title: 'Python tips' },
  d02: { type: 'doc', year: 2020, tags: ['python'], published: false, score: 3, title: 'python basics' },
  d03: { type: 'doc', year: 2021, tags: ['js', 'web'], author: { name: 'Linus' }, published: true, title: 'JS' },
  d04: { type: 'note', year: 2022, tags: [], published: null },
  d05: { type: 'note', year: '2022', tags: 'python' },
  d06: { type: 'email', year: 2023.5, tags: ['python', 'js'], score: -1 },
  d07: { type: 'Doc', year: 2020, score: 0 },
  d08: { type: null, year: null },
  d09: {},
  d10: undefined,
  d11: { type: 'doc', flag: 1 },
  d12: { type: 'doc', flag: true },
  d13: { type: 'doc', flag: 'true' },
  d14: { type: 'doc', flag: 0 },
  d15: { type: 'doc', flag: false },
  d16: { nested: { a: { b: { c: 1 } } } },
  d17: { nested: { a: { b: { c: 2 } } }, tags: [1, 2, 3] },
  d18: { nested: { a: [{ b: { c: 1 } }] } },
  d19: { "a'b": 'quote', 'x"y': 'dq', 'a.b': 'dotted', ключ: 'unicode', $where: 'dollar', 'x]': 'bracket', '*': 'star' },
  d20: { type: 'doc', title: "') OR 1=1 --" },
  d21: { title: 'café', lang: 'fr' },
  d22: { title: 'cafe', lang: 'en' },
  d23: { title: '😀 emoji', lang: 'xx' },
  d24: { title: '\uFFFF', lang: 'xx' },
  d25: { tags: ['a', null, true, 1, [1], { x: 1 }] },
  d26: 'raw', // see RAW
  d27: { score: 1e-7, year: -5 },
  d28: { a: { b: null } },
  d29: { a: { b: 'x' }, type: 'doc' },
  d30: { author: 'Ada' },
  d31: 'raw',
  d32: 'just a string',
};

/** Documents whose JSON text cannot come from JSON.stringify of a JS value. */
const RAW: Readonly<Record<string, string>> = {
  // 9007199254740993 is exact in SQLite's int64 but 9007199254740992 after JSON.parse.
  d26: '{"text":"t26","metadata":{"big":254066814766011900,"big2":9007199254740993}}',
  // Own keys that are dangerous as JS property names.
  d31: '{"text":"t31","metadata":{"__proto__":{"polluted":"yes"},"constructor":"c","toString":"s"}}',
};

export const ALL_KEYS: readonly string[] = Object.keys(DOCS);

/** The JSON text stored for a document. */
export function docJson(key: string): string {
  const raw = RAW[key];
  if (raw !== undefined) return raw;
  const metadata = DOCS[key];
  return JSON.stringify(metadata === undefined ? { text: `t-${key}` } : { text: `t-${key}`, metadata });
}

/** An in-memory database holding the fixture, plus look-alikes in another store and namespace. */
export function openFixture(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE records (
    id INTEGER PRIMARY KEY, ns TEXT NOT NULL, store TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL
  );
  CREATE UNIQUE INDEX records_key ON records (ns, store, key);`);
  const insert = db.prepare('INSERT INTO records (ns, store, key, value) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const key of ALL_KEYS) insert.run(NS, STORE, key, docJson(key));
    // Match almost any filter, but live elsewhere: a fragment that escapes its parentheses shows them.
    const lookalike = JSON.stringify({ text: 'x', metadata: { type: 'doc', year: 2020, tags: ['python'], title: "') OR 1=1 --" } });
    insert.run(NS, 'other', 'x01', lookalike);
    insert.run('other/ns', STORE, 'x02', lookalike);
  })();
  return db;
}
