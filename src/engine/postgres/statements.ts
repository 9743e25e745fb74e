import { quoteIdent } from './schema.js';

export const COLS = 'key, value, version, created_at AS "createdAt", updated_at AS "updatedAt", expires_at AS "expiresAt", rank';

/** The fixed SQL of one schema, built once per engine. Every value is a `$n` parameter. */
export function statements(schema: string) {
  const s = quoteIdent(schema);
  const r = `${s}.records`;
  const e = `${s}.events`;
  return {
    recordsTable: r,
    parseJson: `${s}.memex_json`,
    eventsTable: e,
    get: `SELECT ${COLS} FROM ${r} WHERE ns = $1 AND store = $2 AND key = $3 AND (expires_at IS NULL OR expires_at > $4)`,
    getValue: `SELECT version, value, expires_at AS "expiresAt" FROM ${r} WHERE ns = $1 AND store = $2 AND key = $3 AND (expires_at IS NULL OR expires_at > $4)`,
    getAny: `SELECT ${COLS} FROM ${r} WHERE ns = $1 AND store = $2 AND key = $3`,
    count: `SELECT count(*)::int8 AS n FROM ${r} WHERE ns = $1 AND store = $2 AND (expires_at IS NULL OR expires_at > $3)`,
    countByStore: `SELECT store, count(*)::int8 AS n FROM ${r} WHERE (expires_at IS NULL OR expires_at > $1) GROUP BY store`,
    sizes: `SELECT ns, count(*)::int8 AS count, coalesce(sum(octet_length(value)), 0)::int8 AS bytes FROM ${r} WHERE store = $1 GROUP BY ns`,
    expired: `SELECT ns, key FROM ${r} WHERE store = $1 AND expires_at IS NOT NULL AND expires_at <= $2 LIMIT $3`,
    events: `SELECT seq, at, ns, store, key, op, seq AS version FROM ${e} WHERE seq > $1
               AND ($2::text IS NULL OR store = $2) AND ($3::text IS NULL OR ns = $3) ORDER BY seq LIMIT $4`,
    lastSeq: `SELECT coalesce(max(seq), 0)::int8 AS seq FROM ${e}`,
    /**
     * Buffered puts and their events, one statement per flush (see write-buffer.ts). $16 is the
     * retention cut: events up to it are deleted, and those of this flush up to it not inserted
     * (a statement does not see its own inserts, so deleting them would miss).
     */
    putsAndEvents: `WITH ev AS (INSERT INTO ${e} (seq, at, ns, store, key, op)
        SELECT * FROM unnest($10::int8[], $11::int8[], $12::text[], $13::text[], $14::text[], $15::text[]) AS u(seq) WHERE u.seq > $16),
      trim AS (DELETE FROM ${e} WHERE seq <= $16)
      INSERT INTO ${r} AS r (ns, store, key, value, version, created_at, updated_at, expires_at, rank)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::int8[], $9::float8[])
      ON CONFLICT (ns, store, key) DO UPDATE SET value = excluded.value, version = excluded.version,
        created_at = CASE WHEN r.expires_at IS NOT NULL AND r.expires_at <= excluded.updated_at THEN excluded.created_at ELSE r.created_at END,
        updated_at = excluded.updated_at, expires_at = excluded.expires_at, rank = excluded.rank`,
    /** Events without puts (deletes, clears); $7 trims old events. */
    eventsOnly: `WITH trim AS (DELETE FROM ${e} WHERE seq <= $7) INSERT INTO ${e} (seq, at, ns, store, key, op)
      SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(seq) WHERE u.seq > $7`,
    setTexts: `UPDATE ${r} AS r SET tsv = CASE WHEN t.body IS NULL OR t.body = '' THEN NULL ELSE to_tsvector('simple', t.body) END
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(ns, store, key, body)
      WHERE r.ns = t.ns AND r.store = t.store AND r.key = t.key`,
    exists: `SELECT 1 AS x FROM ${r} WHERE ns = $1 AND store = $2 AND key = $3`,
    setRank: `UPDATE ${r} SET rank = $1 WHERE ns = $2 AND store = $3 AND key = $4`,
    delete: `DELETE FROM ${r} WHERE ns = $1 AND store = $2 AND key = $3 RETURNING expires_at AS "expiresAt"`,
    deleteAll: `WITH gone AS (DELETE FROM ${r} WHERE ns = $1 AND store = $2 RETURNING expires_at)
      SELECT count(*) FILTER (WHERE expires_at IS NULL OR expires_at > $3)::int8 AS n, count(*)::int8 AS total FROM gone`,
    deleteRange: `DELETE FROM ${r} WHERE ns = $1 AND store = $2 AND key >= $3 AND key < $4`,
    deletePrefixAll: `DELETE FROM ${r} WHERE ns = $1 AND store = $2 AND starts_with(key, $3)`,
    purge: `DELETE FROM ${r} WHERE expires_at IS NOT NULL AND expires_at <= $1`,
  };
}

export type Statements = ReturnType<typeof statements>;

/** The fixed texts of `sql` (prepared once per connection, unlike the dynamic filter queries). */
export function fixedTexts(sql: Statements): ReadonlySet<string> {
  return new Set(Object.values(sql));
}
