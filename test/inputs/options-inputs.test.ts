/**
 * Guarantee 7 — "Fails closed on bad input" — for `openMemex(options)`.
 *
 * Every row gets a fresh, empty temp directory and a database path inside it. `openMemex` must
 * reject with a ValidationError naming the option, and nothing may appear in the directory
 * (no database, no -wal / -shm / -journal file), nor on Object.prototype.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex, ValidationError, type MemexOptions } from '../../src/index.js';
import { resolveOptions } from '../../src/options.js';
import { cleanupTemp, tempDir } from '../helpers/tmp.js';

interface Row {
  readonly name: string;
  /** Builds the options from a fresh database path (in an empty temp dir). */
  readonly options: (path: string) => unknown;
  /** The exact `field` of the expected ValidationError, or a pattern it must match. */
  readonly field: string | RegExp;
}

const rows: Row[] = [
  // the options argument itself
  { name: 'options is a string (the path alone)', options: (path) => path, field: 'options' },
  { name: 'options is null', options: () => null, field: 'options' },
  { name: 'options is undefined', options: () => undefined, field: 'options' },
  { name: 'options is an array', options: (path) => [path], field: 'options' },
  { name: 'options is a number', options: () => 42, field: 'options' },
  { name: 'options is a function', options: (path) => () => path, field: 'options' },
  // unknown options: a typo must never fall back to a default
  { name: 'unknown option durabilty (typo)', options: (path) => ({ path, durabilty: 'normal' }), field: 'options.durabilty' },
  { name: 'unknown option filename', options: (path) => ({ filename: path }), field: 'options.filename' },
  { name: 'two unknown options', options: (path) => ({ path, foo: 1, bar: 2 }), field: /^options\.foo\b/ },
  {
    name: 'unknown option __proto__ (JSON.parse)',
    options: (path) => JSON.parse(`{"path":${JSON.stringify(path)},"__proto__":{"polluted":1}}`) as unknown,
    field: 'options.__proto__',
  },
  { name: 'unknown option inside events (maxEvent)', options: (path) => ({ path, events: { maxEvent: 10 } }), field: 'options.events.maxEvent' },
  // path
  { name: 'path missing', options: () => ({}), field: 'options.path' },
  { name: 'path missing (other options given)', options: () => ({ durability: 'full' }), field: 'options.path' },
  { name: 'path undefined', options: () => ({ path: undefined }), field: 'options.path' },
  { name: "path ''", options: () => ({ path: '' }), field: 'options.path' },
  { name: 'path is a number', options: () => ({ path: 42 }), field: 'options.path' },
  { name: 'path is null', options: () => ({ path: null }), field: 'options.path' },
  { name: 'path is a URL object', options: (path) => ({ path: new URL(`file://${path}`) }), field: 'options.path' },
  { name: 'path contains NUL', options: (path) => ({ path: `${path}\0.evil` }), field: 'options.path' },
  // url: reserved for the PostgreSQL and HTTP engines
  { name: 'url given (postgres) with path', options: (path) => ({ path, url: 'postgres://localhost/memex' }), field: 'options.url' },
  { name: 'url given (http) with a store setting', options: () => ({ url: 'http://localhost:8080', clock: () => 0 }), field: 'options.clock' },
  { name: 'url (http) with a path', options: () => ({ url: 'http://localhost:8080/v1' }), field: 'options.url' },
  { name: 'url (http) with credentials', options: () => ({ url: 'http://user:pw@localhost:8080' }), field: 'options.url' },
  { name: 'token without an http url', options: (path) => ({ path, token: 'secret' }), field: 'options.token' },
  { name: 'timeoutMs without an http url', options: (path) => ({ path, timeoutMs: 100 }), field: 'options.timeoutMs' },
  { name: "url ''", options: (path) => ({ path, url: '' }), field: 'options.url' },
  // durability
  { name: "durability 'fast'", options: (path) => ({ path, durability: 'fast' }), field: 'options.durability' },
  { name: "durability 'FULL' (case)", options: (path) => ({ path, durability: 'FULL' }), field: 'options.durability' },
  { name: 'durability true', options: (path) => ({ path, durability: true }), field: 'options.durability' },
  // lockTimeoutMs
  { name: 'lockTimeoutMs 0', options: (path) => ({ path, lockTimeoutMs: 0 }), field: 'options.lockTimeoutMs' },
  { name: 'lockTimeoutMs -1', options: (path) => ({ path, lockTimeoutMs: -1 }), field: 'options.lockTimeoutMs' },
  { name: 'lockTimeoutMs 1.5', options: (path) => ({ path, lockTimeoutMs: 1.5 }), field: 'options.lockTimeoutMs' },
  { name: "lockTimeoutMs '100'", options: (path) => ({ path, lockTimeoutMs: '100' }), field: 'options.lockTimeoutMs' },
  { name: 'lockTimeoutMs NaN', options: (path) => ({ path, lockTimeoutMs: NaN }), field: 'options.lockTimeoutMs' },
  { name: 'lockTimeoutMs Infinity', options: (path) => ({ path, lockTimeoutMs: Infinity }), field: 'options.lockTimeoutMs' },
  // maxValueBytes
  { name: 'maxValueBytes 0', options: (path) => ({ path, maxValueBytes: 0 }), field: 'options.maxValueBytes' },
  { name: 'maxValueBytes -1', options: (path) => ({ path, maxValueBytes: -1 }), field: 'options.maxValueBytes' },
  { name: 'maxValueBytes 1.5', options: (path) => ({ path, maxValueBytes: 1.5 }), field: 'options.maxValueBytes' },
  { name: 'maxValueBytes above 256 MiB', options: (path) => ({ path, maxValueBytes: 256 * 1024 * 1024 + 1 }), field: 'options.maxValueBytes' },
  // clock
  { name: "clock 'now' (not a function)", options: (path) => ({ path, clock: 'now' }), field: 'options.clock' },
  { name: 'clock is a number (Date.now() instead of Date.now)', options: (path) => ({ path, clock: Date.now() }), field: 'options.clock' },
  { name: 'clock null', options: (path) => ({ path, clock: null }), field: 'options.clock' },
  // checkOnOpen
  { name: "checkOnOpen 'full'", options: (path) => ({ path, checkOnOpen: 'full' }), field: 'options.checkOnOpen' },
  { name: 'checkOnOpen false', options: (path) => ({ path, checkOnOpen: false }), field: 'options.checkOnOpen' },
  // events
  { name: 'events.maxEvents 0', options: (path) => ({ path, events: { maxEvents: 0 } }), field: 'options.events.maxEvents' },
  { name: 'events.maxEvents -5', options: (path) => ({ path, events: { maxEvents: -5 } }), field: 'options.events.maxEvents' },
  { name: "events.maxEvents '10'", options: (path) => ({ path, events: { maxEvents: '10' } }), field: 'options.events.maxEvents' },
  { name: 'events is a number', options: (path) => ({ path, events: 5 }), field: 'options.events' },
  { name: 'events is null', options: (path) => ({ path, events: null }), field: 'options.events' },
  // maxBatch, walWarnBytes
  { name: 'maxBatch 0', options: (path) => ({ path, maxBatch: 0 }), field: 'options.maxBatch' },
  { name: 'maxBatch 10001', options: (path) => ({ path, maxBatch: 10_001 }), field: 'options.maxBatch' },
  { name: 'maxBatch 2.5', options: (path) => ({ path, maxBatch: 2.5 }), field: 'options.maxBatch' },
  { name: 'walWarnBytes 0', options: (path) => ({ path, walWarnBytes: 0 }), field: 'options.walWarnBytes' },
  { name: "walWarnBytes '1GB'", options: (path) => ({ path, walWarnBytes: '1GB' }), field: 'options.walWarnBytes' },
];

const objectProtoNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(() => cleanupTemp());

describe('openMemex: malformed options fail closed', () => {
  it(`the table has at least 20 rows with unique names (${rows.length})`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows)('$name', async (row) => {
    const dir = tempDir();
    const path = join(dir, 'memex.db');
    const protoBefore = objectProtoNames();

    let error: unknown;
    try {
      const mx = await openMemex(row.options(path) as MemexOptions);
      await mx.close();
    } catch (e) {
      error = e;
    }
    expect(error, `expected a ValidationError, got ${inspect(error)}`).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.code).toBe('invalid_input');
    if (typeof row.field === 'string') expect(v.field).toBe(row.field);
    else expect(v.field).toMatch(row.field);
    expect(v.message).toContain(v.field);
    expect(v.reason.length).toBeGreaterThan(0);

    // Nothing was created: no database, no WAL, no shared-memory or journal file.
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // CWE-1321.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(objectProtoNames()).toEqual(protoBefore);
  });
});

describe('openMemex: valid options at their bounds are accepted', () => {
  it('every option at its smallest valid value opens and works', async () => {
    const path = join(tempDir(), 'memex.db');
    const mx = await openMemex({
      path,
      durability: 'normal',
      lockTimeoutMs: 1,
      maxValueBytes: 3, // '"x"' is 3 bytes of JSON
      clock: () => 1_700_000_000_000,
      checkOnOpen: 'none',
      events: { maxEvents: 1 },
      maxBatch: 1,
      walWarnBytes: 1,
    });
    try {
      await mx.kv.set('k', 'x');
      expect(await mx.kv.get('k')).toBe('x');
      await expect(mx.kv.set('k', 'xy')).rejects.toMatchObject({ code: 'invalid_input', field: 'value' });
      expect(existsSync(path)).toBe(true);
    } finally {
      await mx.close();
    }
  });

  it('every option at its largest valid value opens; defaults fill the rest', async () => {
    const big = await openMemex({
      path: join(tempDir(), 'memex.db'),
      durability: 'full',
      lockTimeoutMs: 3_600_000,
      maxValueBytes: 256 * 1024 * 1024,
      checkOnOpen: 'quick',
      events: {},
      maxBatch: 10_000,
      walWarnBytes: Number.MAX_SAFE_INTEGER,
    });
    await big.close();
    // Defaults as documented in the README's options table.
    const o = resolveOptions({ path: ':memory:' });
    expect(o).toMatchObject({ lockTimeoutMs: 5000, maxValueBytes: 1_048_576, maxEvents: 100_000 });
    expect(o.clock).toBe(Date.now);
    expect(o.conversations).toEqual({ maxMessagesPerThread: 1000, maxThreads: 10_000, ttlMs: null });
    expect(o.cache).toEqual({ maxEntries: 10_000, maxBytes: null, computeTimeoutMs: 60_000, computeLeaseMs: 30_000 });
    expect(o.embedder.dimension).toBe(384);
    const dflt = await openMemex({ path: join(tempDir(), 'defaults.db') });
    const storage = (await dflt.health()).checks.find((c) => c.name === 'storage')!;
    expect(storage.detail).toContain('journal_mode=wal');
    expect(storage.detail).toContain('synchronous=FULL'); // durability 'full' is the default
    await dflt.close();
    const mem = await openMemex({ path: ':memory:' });
    await mem.kv.set('k', 1);
    expect(await mem.kv.get('k')).toBe(1);
    await mem.close();
  });
});
