import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { StorageError } from '../../errors.js';
import { postgresEngine } from '../../engine/postgres/factory.js';
import { decodeKey } from '../../engine/postgres/key-codec.js';
import { quoteIdent } from '../../engine/postgres/schema.js';
import type { LookFlags } from './look.js';

/**
 * The tables `memex check` reads, on either engine: the same `records` and `events` columns, so
 * each check is one SQL text (`?` placeholders). Read outside the engine on purpose: a check must
 * see what is on disk, not what an engine makes of it.
 */
export interface CheckDb {
  readonly kind: 'sqlite' | 'postgres';
  /** The two tables' names as a query writes them (schema-qualified on PostgreSQL). */
  readonly records: string;
  readonly events: string;
  /** Rows of a query; `T` names the columns. Keys come back decoded. */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The storage's own integrity check: `ok`, or what it found. */
  integrity(): Promise<{ ok: boolean; detail: string }>;
  /** Where the saved vector index of the store lives, if it has one. */
  readonly indexDir: string | undefined;
  close(): Promise<void>;
}

export interface CheckFlags extends LookFlags {
  repair?: boolean;
  maxEvents?: number;
  indexDir?: string;
}

export async function openCheckDb(o: CheckFlags): Promise<CheckDb> {
  return o.url === undefined ? sqliteCheckDb(o.path ?? './memex.db') : postgresCheckDb(o);
}

function sqliteCheckDb(path: string): CheckDb {
  if (!existsSync(path)) throw new StorageError(`${path} does not exist`, 'ENOENT');
  const db = new Database(path, { fileMustExist: true });
  return {
    kind: 'sqlite',
    records: 'records',
    events: 'events',
    indexDir: `${path}-vectors`,
    all: <T>(sql: string, params: unknown[] = []) => Promise.resolve(db.prepare(sql).all(...params) as T[]),
    integrity: () => {
      const r = String(db.pragma('integrity_check', { simple: true }));
      return Promise.resolve({ ok: r === 'ok', detail: `integrity_check: ${r}` });
    },
    close: () => Promise.resolve(void db.close()),
  };
}

async function postgresCheckDb(o: CheckFlags): Promise<CheckDb> {
  if (/^https?:/i.test(o.url!))
    throw new StorageError('check reads the database itself: give --path or a postgres:// --url (not a server)', 'MEMEX_NO_CHECK');
  const schema = o.schema ?? 'memex';
  const client = new pg.Client({ connectionString: o.url, application_name: 'memex check' });
  await client.connect();
  const all = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const rows = (await client.query(text, params)).rows as Record<string, unknown>[];
    for (const r of rows) if (typeof r.key === 'string') r.key = decodeKey(r.key);
    // bigint columns come back as strings; every number a check reads fits a double.
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'string' && /^(version|seq|n|max|min)$/.test(k)) r[k] = Number(v);
    return rows as T[];
  };
  return {
    kind: 'postgres',
    records: `${quoteIdent(schema)}.records`,
    events: `${quoteIdent(schema)}.events`,
    indexDir: o.indexDir === undefined ? undefined : await pgIndexDir(o, schema),
    all,
    integrity: () => pgIntegrity(client, schema),
    close: () => client.end(),
  };
}

/** The directory the PostgreSQL engine saves the vector index in for this database and schema. */
async function pgIndexDir(o: CheckFlags, schema: string): Promise<string | undefined> {
  const engine = await postgresEngine({ url: o.url!, schema, indexDir: o.indexDir! }).open({
    clock: Date.now,
    lockTimeoutMs: 10_000,
    maxEvents: 100_000,
  });
  try {
    return engine.derivedPath('vectors');
  } finally {
    await engine.close();
  }
}

/**
 * PostgreSQL checks its own pages as it reads them (and with data checksums, their contents);
 * the `amcheck` extension, where it is installed, verifies each of the schema's B-tree indexes.
 * Without it that part is reported as not done, never as passed.
 */
async function pgIntegrity(client: pg.Client, schema: string): Promise<{ ok: boolean; detail: string }> {
  const checksums = (await client.query<{ data_checksums: string }>('SHOW data_checksums')).rows[0]!.data_checksums;
  const amcheck = (await client.query("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).rowCount! > 0;
  const tables = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.records`);
  const base = `${tables.rows[0]!.n} records readable; data checksums ${checksums}`;
  if (!amcheck) return { ok: true, detail: `${base}; index pages not verified (CREATE EXTENSION amcheck to verify them)` };
  const indexes = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_am a ON a.oid = c.relam WHERE n.nspname = $1 AND a.amname = 'btree'`,
    [schema],
  );
  try {
    for (const ix of indexes.rows) await client.query('SELECT bt_index_check($1::regclass, true)', [`${quoteIdent(schema)}.${quoteIdent(ix.name)}`]);
  } catch (e) {
    return { ok: false, detail: `amcheck: ${(e as Error).message}` };
  }
  return { ok: true, detail: `${base}; amcheck verified ${indexes.rows.length} B-tree indexes (with their heap)` };
}
