import { z } from 'zod';

const positiveInt = (max: number) => z.number().int().positive().max(max);

/** Lower-case SQL identifier: the schema name is part of every statement's text. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

const isPostgresUrl = (u: string) => {
  try {
    const p = new URL(u).protocol;
    return p === 'postgres:' || p === 'postgresql:';
  } catch {
    return false;
  }
};

export const postgresSettingsShape = {
  url: z.string().min(1).refine(isPostgresUrl, 'must be a postgres:// (or postgresql://) connection URL'),
  schema: z.string().regex(SCHEMA, 'must be a lower-case SQL identifier (letters, digits, _; at most 63)').optional(),
  pool: z
    .strictObject({
      max: z.number().int().min(2).max(1000).optional(),
      connectionTimeoutMs: positiveInt(600_000).optional(),
      statementTimeoutMs: positiveInt(3_600_000).optional(),
      idleInTransactionTimeoutMs: positiveInt(3_600_000).optional(),
    })
    .optional(),
  maxBatch: positiveInt(10_000).optional(),
  indexDir: z
    .string()
    .min(1)
    .refine((p) => !p.includes('\0'), 'must not contain NUL')
    .optional(),
};

/** Settings of {@link postgresEngine}. */
export interface PostgresSettings {
  /** `postgres://user:password@host:5432/database` (any libpq-style URL `pg` accepts). */
  url: string;
  /**
   * The schema holding this store's tables (created if absent): several stores can share a database.
   * @default 'memex'
   */
  schema?: string;
  /** Connection bounds. Each engine uses at most `max` connections (it needs 2 to 3). */
  pool?: {
    /** @default 4 */
    max?: number;
    /** Longest wait for a new connection before `StorageError`. @default 5000 */
    connectionTimeoutMs?: number;
    /** PostgreSQL `statement_timeout` of every connection. @default 30000 */
    statementTimeoutMs?: number;
    /**
     * PostgreSQL `idle_in_transaction_session_timeout`: a node that stops mid-transaction (frozen,
     * partitioned) loses its connection, and with it the write lock, after this long.
     * @default 10000
     */
    idleInTransactionTimeoutMs?: number;
  };
  /** Most writes that share one transaction under group commit. @default 256 */
  maxBatch?: number;
  /**
   * A directory on this node where stores may save what they derive from the records (the vector
   * search index), so that a restarted node loads it and catches up from the change feed instead
   * of rebuilding from every record. Per node, never shared; absent: derived state stays in memory.
   */
  indexDir?: string;
}

export interface ResolvedPostgresSettings {
  readonly url: string;
  readonly schema: string;
  readonly max: number;
  readonly connectionTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  readonly maxBatch: number;
  readonly indexDir: string | undefined;
}

export function withPostgresDefaults(s: PostgresSettings): ResolvedPostgresSettings {
  return {
    url: s.url,
    schema: s.schema ?? 'memex',
    max: s.pool?.max ?? 4,
    connectionTimeoutMs: s.pool?.connectionTimeoutMs ?? 5000,
    statementTimeoutMs: s.pool?.statementTimeoutMs ?? 30_000,
    idleInTransactionTimeoutMs: s.pool?.idleInTransactionTimeoutMs ?? 10_000,
    maxBatch: s.maxBatch ?? 256,
    indexDir: s.indexDir,
  };
}
