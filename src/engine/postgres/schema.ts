/**
 * The PostgreSQL schema, one per store (`schema` option), every name qualified so nothing
 * depends on `search_path` (which a transaction-mode pooler does not keep).
 *
 * Append only: a shipped migration never changes. Migrations run under a transaction-level
 * advisory lock, so nodes that start together against an empty database migrate it once.
 */
import { createHash } from 'node:crypto';

/** `pg_advisory_xact_lock(CLASS, key)`: the class keeps Memex's keys apart from the application's. */
export const LOCK_CLASS = 0x4d4d4558 | 0; // "MMEX"

/** Advisory lock keys of one schema: one for writers, one for migrations. */
export function lockKeys(schema: string): { write: number; migrate: number } {
  const h = createHash('sha256').update(`memex:${schema}`).digest();
  const write = h.readInt32BE(0);
  return { write, migrate: write ^ 0x5a5a5a5a };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Collation "C" everywhere: keys order by code point (UTF-8 bytes), as on SQLite. */
export function migrations(schema: string): readonly string[] {
  const s = quoteIdent(schema);
  return [
    `
    CREATE TABLE ${s}.records (
      ns         text COLLATE "C" NOT NULL,
      store      text COLLATE "C" NOT NULL,
      key        text COLLATE "C" NOT NULL,
      value      text NOT NULL,
      version    bigint NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      expires_at bigint,
      rank       double precision,
      tsv        tsvector,
      PRIMARY KEY (ns, store, key)
    );
    CREATE INDEX records_expiry ON ${s}.records (expires_at) WHERE expires_at IS NOT NULL;
    CREATE INDEX records_rank ON ${s}.records (ns, store, rank) WHERE rank IS NOT NULL;
    CREATE INDEX records_text ON ${s}.records USING gin (tsv) WHERE tsv IS NOT NULL;
    -- seq is assigned by the writer that holds the schema's advisory lock, so seq order is
    -- commit order (see docs/DESIGN.md, "Fleet mode"); no sequence object.
    CREATE TABLE ${s}.events (
      seq   bigint PRIMARY KEY,
      at    bigint NOT NULL,
      ns    text COLLATE "C" NOT NULL,
      store text COLLATE "C" NOT NULL,
      key   text COLLATE "C",
      op    text NOT NULL
    );
    `,
    // 2: PostgreSQL's JSON cannot hold U+0000, so a stored value with a "\u0000" escape would make
    // every filter over it fail. memex_json parses values with the order-keeping escape of
    // key-codec.ts applied inside strings (U+0000 -> U+0001 U+0001, U+0001 -> U+0001 U+0002); the
    // filter compiler encodes its string operands the same way. Escaped backslashes are set aside
    // first (as U+0002, which JSON.stringify never leaves raw), so "\\u0000" stays text. Values
    // without such escapes (all but a few) take the plain cast.
    String.raw`
    CREATE FUNCTION ${s}.memex_json(v text) RETURNS json LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
      SELECT CASE WHEN strpos(v, '\u000') = 0 THEN v::json
        ELSE replace(replace(replace(replace(v, '\\', chr(2)), '\u0001', '\u0001\u0002'), '\u0000', '\u0001\u0001'), chr(2), '\\')::json END
    $f$;
    `,
  ];
}

export const SCHEMA_VERSION = 2;
