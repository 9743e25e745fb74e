import { z } from 'zod';
import { parseOptions } from '../../values/options.js';
import type { EngineFactory } from '../types.js';
import { SqliteEngine } from './engine.js';
import { sqliteSettingsShape, withSqliteDefaults, type SqliteSettings } from './options.js';

const schema = z.strictObject(sqliteSettingsShape);

/**
 * The embedded engine: one SQLite file shared safely by any number of processes and worker
 * threads on this host (WAL, `BEGIN IMMEDIATE`, group commit). `openMemex({ path })` is the
 * short way to the same thing.
 *
 * @example
 * ```ts
 * import { openMemex, sqliteEngine } from 'memex';
 * const mx = await openMemex({ engine: sqliteEngine({ path: './memex.db', durability: 'normal' }), lockTimeoutMs: 2000 });
 * ```
 */
export function sqliteEngine(settings: SqliteSettings): EngineFactory {
  return sqliteEngineFromSettings(parseOptions(schema, settings, 'sqliteEngine', '{ path: "./memex.db" }'));
}

/** The factory for settings already validated as part of `openMemex` options. */
export function sqliteEngineFromSettings(settings: SqliteSettings): EngineFactory {
  const s = withSqliteDefaults(settings);
  return { kind: 'sqlite', open: (common) => SqliteEngine.open({ ...s, ...common }) };
}
