/**
 * Multi-process tests run against each engine that can be shared by processes: a location is a
 * SQLite file path, or `pg:<schema>` on the test PostgreSQL server. Fixtures (child processes)
 * open the store with `openAt`, so one test body drives either engine.
 */
import { openMemex, type Memex, type MemexOptions } from '../../src/index.js';
import { dropSchemas, freshSchema, PG_URL } from './pg.js';
import { cleanupTemp, tempDbPath } from './tmp.js';

export type SharedEngine = 'sqlite' | 'postgres';
export const SHARED_ENGINES: readonly SharedEngine[] = ['sqlite', 'postgres'];

export function newLocation(engine: SharedEngine): string {
  return engine === 'postgres' ? `pg:${freshSchema()}` : tempDbPath();
}

export const isPgLocation = (location: string): boolean => location.startsWith('pg:');

/** The `openMemex` options that reach `location`. */
export function locationOptions(location: string): MemexOptions {
  return location.startsWith('pg:') ? { url: PG_URL, schema: location.slice(3) } : { path: location, durability: 'normal' };
}

export function openAt(location: string, extra: Omit<MemexOptions, 'path' | 'url' | 'engine'> = {}): Promise<Memex> {
  return openMemex({ ...locationOptions(location), ...extra });
}

/** Removes temp files and test schemas. */
export async function cleanupLocations(): Promise<void> {
  cleanupTemp();
  await dropSchemas();
}
