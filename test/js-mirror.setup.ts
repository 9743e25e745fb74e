// vitest's globalSetup: builds the compiled mirror the tests' child processes run (see
// helpers/js-mirror.ts) once per run, before any test file, and removes it afterwards. The test
// workers, forked after this, inherit MEMEX_TEST_JS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMirror } from './helpers/js-mirror.js';

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'memex-test-js-'));
  await buildMirror(dir);
  process.env.MEMEX_TEST_JS = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
