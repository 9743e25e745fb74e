import { z } from 'zod';
import { parseOptions } from '../../values/options.js';
import type { EngineFactory } from '../types.js';
import { PostgresEngine } from './engine.js';
import { postgresSettingsShape, withPostgresDefaults, type PostgresSettings } from './options.js';

const schema = z.strictObject(postgresSettingsShape);

/**
 * The fleet engine: every node on every machine that opens the same database and schema shares
 * one store, with the embedded engine's guarantees (see README, "Fleet mode").
 * `openMemex({ url: 'postgres://…' })` is the short way to the same thing.
 *
 * @example
 * ```ts
 * import { openMemex, postgresEngine } from 'memex';
 * const mx = await openMemex({ engine: postgresEngine({ url: 'postgres://memex:secret@db:5432/app', schema: 'memex' }) });
 * ```
 */
export function postgresEngine(settings: PostgresSettings): EngineFactory {
  return postgresEngineFromSettings(parseOptions(schema, settings, 'postgresEngine', '{ url: "postgres://user:pass@host:5432/db" }'));
}

/** The factory for settings already validated as part of `openMemex` options. */
export function postgresEngineFromSettings(settings: PostgresSettings): EngineFactory {
  const s = withPostgresDefaults(settings);
  return { kind: 'postgres', open: (common) => PostgresEngine.open({ ...s, ...common, customClock: common.customClock ?? false }) };
}
