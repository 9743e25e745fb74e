import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import lockfile from 'proper-lockfile';
import { openMemex } from '../../src/index.js';
import type { Durability, Engine } from './protocol.js';

/** The one shared key every update scenario increments. */
export const COUNTER = 'counter';
/** Keys of the point-read scenario. */
export const GET_KEYS = 10_000;
export const getKey = (i: number): string => `user:${i}`;
const getValue = (i: number) => ({ id: i, name: `user ${i}`, plan: i % 3 === 0 ? 'pro' : 'free', visits: i % 97, tags: ['agent', 'web'] });

/** SQLite's own busy handler for the raw baseline (it sleeps up to 100 ms between tries). */
export const RAW_BUSY_TIMEOUT_MS = 5000;

/**
 * The raw better-sqlite3 baseline: WAL, the given synchronous level and SQLite's own busy
 * handler. One table, JSON text values, as a hand-written kv table would have.
 */
export function openRaw(path: string, durability: Durability): Database.Database {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${RAW_BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  return db;
}

/**
 * The raw baseline's write: `BEGIN IMMEDIATE; SELECT; UPDATE; COMMIT` of one JSON counter, as a
 * hand-written kv table would do it (table `t` of {@link setupFile}).
 */
export function rawRmw(db: Database.Database): (key: string) => void {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const select = db.prepare('SELECT value FROM t WHERE k = ?').pluck();
  const update = db.prepare('UPDATE t SET value = ? WHERE k = ?');
  return (key) => {
    begin.run();
    try {
      const v = JSON.parse(select.get(key) as string) as number;
      update.run(JSON.stringify(v + 1), key);
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
  };
}

/** Creates the file of one phase (untimed, before any child starts). */
export async function setupFile(engine: Engine, path: string, durability: Durability, withGetKeys: boolean): Promise<void> {
  const entries = withGetKeys ? Array.from({ length: GET_KEYS }, (_, i) => ({ key: getKey(i), value: getValue(i) })) : [];
  if (engine === 'memex') {
    const mx = await openMemex({ path, durability });
    await mx.kv.set(COUNTER, 0);
    if (entries.length > 0) await mx.kv.setMany(entries);
    await mx.close();
  } else if (engine === 'raw') {
    const db = openRaw(path, durability);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO t (k, value) VALUES (?, ?)');
    db.transaction(() => {
      ins.run(COUNTER, '0');
      for (const e of entries) ins.run(e.key, JSON.stringify(e.value));
    })();
    db.close();
  } else {
    writeFileSync(path, JSON.stringify(naiveDocument()));
  }
}

/** The final counter as stored, to compare with the acknowledged total. */
export async function readCounter(engine: Engine, path: string, durability: Durability): Promise<number> {
  if (engine === 'memex') {
    const mx = await openMemex({ path, durability });
    try {
      return (await mx.kv.get<number>(COUNTER)) ?? 0;
    } finally {
      await mx.close();
    }
  }
  if (engine === 'raw') {
    const db = openRaw(path, durability);
    try {
      return JSON.parse((db.prepare('SELECT value FROM t WHERE k = ?').get(COUNTER) as { value: string }).value) as number;
    } finally {
      db.close();
    }
  }
  return (JSON.parse(readFileSync(path, 'utf8')) as NaiveDoc).counter;
}

// ---------------------------------------------------------------------------------------------
// The naive approach: "a dict behind a lock, dumped to a JSON file".

interface NaiveDoc {
  counter: number;
  sessions: Record<string, unknown>;
}

/** A ~200 KB JSON document: a counter plus session state of many users. */
export function naiveDocument(): NaiveDoc {
  const sessions: Record<string, unknown> = {};
  for (let i = 0; i < 740; i++) {
    sessions[`session-${i}`] = {
      user: `user-${i}`,
      startedAt: 1_700_000_000_000 + i * 1000,
      cart: [{ sku: `sku-${i % 50}`, qty: (i % 4) + 1 }],
      history: ['home', 'search', `product/${i}`, 'cart'],
      note: 'x'.repeat(120),
    };
  }
  return { counter: 0, sessions };
}

/**
 * proper-lockfile's retry policy for the naive approach: it polls the lock directory with a short
 * randomized exponential backoff (1 → 20 ms), a generous best case for it.
 */
export const NAIVE_LOCK_OPTIONS = {
  stale: 10_000,
  realpath: false,
  retries: { retries: 2000, minTimeout: 1, maxTimeout: 20, factor: 1.5, randomize: true },
} as const;

/** One naive read-modify-write: lock, read + parse, modify, write temp, fsync, rename, unlock. */
export async function naiveUpdate(path: string, tmp: string): Promise<void> {
  const release = await lockfile.lock(path, NAIVE_LOCK_OPTIONS);
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as NaiveDoc;
    doc.counter += 1;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(doc));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } finally {
    await release();
  }
}
