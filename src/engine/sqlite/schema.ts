import type Database from 'better-sqlite3';

/** `PRAGMA application_id` of every Memex file: "MMEX". Files without it are never touched. */
export const APPLICATION_ID = 0x4d4d4558;

/**
 * Migrations, applied in order inside one `BEGIN IMMEDIATE`; `PRAGMA user_version` records how
 * many have run. Append only: a shipped migration never changes.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE records (
    id         INTEGER PRIMARY KEY,
    ns         TEXT    NOT NULL,
    store      TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE UNIQUE INDEX records_key ON records (ns, store, key);
  CREATE INDEX records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
  -- No AUTOINCREMENT (it rewrites sqlite_sequence on every insert: one more page per commit).
  -- seq stays monotonic because retention only ever trims the oldest events and keeps >= 1.
  CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    ns      TEXT    NOT NULL,
    store   TEXT    NOT NULL,
    key     TEXT,
    op      TEXT    NOT NULL
  );
  `,
  // 2: a store-defined order besides the key (LRU recency, thread activity) without an event per touch.
  `
  ALTER TABLE records ADD COLUMN rank REAL;
  CREATE INDEX records_rank ON records (ns, store, rank) WHERE rank IS NOT NULL;
  `,
  // 3: full text over records that ask for it (FTS5 rowid = records.id), gone with its record.
  `
  CREATE VIRTUAL TABLE texts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
  CREATE TRIGGER records_texts_delete AFTER DELETE ON records BEGIN
    DELETE FROM texts WHERE rowid = old.id;
  END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a Memex (or empty) database up to {@link SCHEMA_VERSION}. Caller holds the write lock. */
export function migrate(db: Database.Database, from: number): void {
  for (let v = from; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] ?? '');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
