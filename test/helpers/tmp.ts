import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh directory per call (a fresh database per test); removed by `cleanupTemp`. */
export function tempDir(prefix = 'memex-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A path to a not-yet-existing database file in a fresh directory. */
export function tempDbPath(name = 'memex.db'): string {
  return join(tempDir(), name);
}

export function cleanupTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
