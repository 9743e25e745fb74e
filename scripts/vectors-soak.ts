/**
 * The vector soak of issue 28, on demand and as long as wanted (CI runs 300 rounds in
 * test/engine/sqlite/vector-index-soak.test.ts):
 *
 *   npx tsx scripts/vectors-soak.ts [rounds=300] [seed=random]
 *
 * Under glibc's heap checks (a heap error aborts at once instead of corrupting quietly):
 *
 *   GLIBC_TUNABLES=glibc.malloc.check=3 LD_PRELOAD=libc_malloc_debug.so.0 npx tsx scripts/vectors-soak.ts
 *
 * Prints the figures as it goes; exits 1 at the first broken promise (the seed replays it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVectorSoak } from '../test/helpers/vectors-soak.js';

const rounds = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
const dir = mkdtempSync(join(tmpdir(), 'memex-soak-'));
const started = Date.now();
console.log(`vector soak: ${rounds} rounds, seed ${seed}, malloc checks ${process.env.GLIBC_TUNABLES ?? 'off'}`);
try {
  const res = await runVectorSoak(dir, rounds, seed, 2, (s) => console.log(s));
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(res)}`);
} catch (e) {
  console.error(`FAILED (seed ${seed}): ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
