import { z } from 'zod';

const positiveInt = (max: number) => z.number().int().positive().max(max);

/** The embedded engine's own settings: also accepted at the top level of `openMemex` options. */
export const sqliteSettingsShape = {
  path: z
    .string()
    .min(1)
    .refine((p) => !p.includes('\0'), 'must not contain NUL'),
  durability: z.enum(['full', 'normal']).optional(),
  checkOnOpen: z.enum(['quick', 'none']).optional(),
  maxBatch: positiveInt(10_000).optional(),
  walWarnBytes: positiveInt(Number.MAX_SAFE_INTEGER).optional(),
  minFreeBytes: positiveInt(Number.MAX_SAFE_INTEGER).optional(),
};

/** Settings of {@link sqliteEngine}. */
export interface SqliteSettings {
  /** SQLite file (created if absent), or `':memory:'` for a private store of this process. */
  path: string;
  /**
   * `'full'`: a resolved write survives power loss (synchronous=FULL). `'normal'`: it survives
   * a killed process but the last commits may be lost on power loss.
   * @default 'full'
   */
  durability?: 'full' | 'normal';
  /**
   * Verify the file with `PRAGMA quick_check` when opening an existing database.
   * @default 'quick'
   */
  checkOnOpen?: 'quick' | 'none';
  /**
   * Most writes that share one transaction under group commit.
   * @default 256
   */
  maxBatch?: number;
  /**
   * A WAL file larger than this makes `health()` report not ok.
   * @default 268435456
   */
  walWarnBytes?: number;
  /**
   * Less free space than this on the database's filesystem makes `health()` report not ok (the
   * `disk` check), before writes start failing with `SQLITE_FULL`.
   * @default 67108864
   */
  minFreeBytes?: number;
}

export interface ResolvedSqliteSettings {
  readonly path: string;
  readonly durability: 'full' | 'normal';
  readonly checkOnOpen: 'quick' | 'none';
  readonly maxBatch: number;
  readonly walWarnBytes: number;
  readonly minFreeBytes: number;
}

export function withSqliteDefaults(s: SqliteSettings): ResolvedSqliteSettings {
  return {
    path: s.path,
    durability: s.durability ?? 'full',
    checkOnOpen: s.checkOnOpen ?? 'quick',
    maxBatch: s.maxBatch ?? 256,
    walWarnBytes: s.walWarnBytes ?? 256 * 1024 * 1024,
    minFreeBytes: s.minFreeBytes ?? 64 * 1024 * 1024,
  };
}
