/**
 * The crash test outside vitest, for many more kills:
 *
 *   npx tsx scripts/crash-loop.ts [iterations=1000] [seed] [--postgres]
 *
 * Same loop and checks as test/crash/crash.test.ts (test/crash/check.ts), but it keeps going
 * after a failing iteration (re-basing its expectations on what the file holds) and prints a
 * summary line at the end. Exits 1 if any iteration failed. With `--postgres` the node writes
 * to a fresh schema on MEMEX_PG_URL (test/crash/postgres-crash.test.ts), dropped on success.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary, runCrashLoop } from '../test/crash/crash-loop.js';
import { cleanupLocations, newLocation } from '../test/helpers/location.js';

const postgres = process.argv.includes('--postgres');
const args = process.argv.slice(2).filter((a) => a !== '--postgres');
const iterations = Number(args[0] ?? 1000);
const seed = Number(args[1] ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(iterations) || iterations < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npx tsx scripts/crash-loop.ts [iterations=1000] [seed]');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'memex-crash-'));
let failed = true;
try {
  const summary = await runCrashLoop({
    dbPath: postgres ? newLocation('postgres') : join(dir, 'crash.db'),
    iterations,
    seed,
    stopOnFailure: false,
    onIteration: (r, model) => {
      for (const f of r.failures) console.error(f);
      if ((r.iteration + 1) % 50 === 0) {
        console.log(`${r.iteration + 1}/${iterations} kills, ${model.totals.acked} acknowledged writes checked so far`);
      }
    },
  });
  console.log(formatSummary(summary));
  failed = summary.failingIterations > 0;
} finally {
  if (failed) console.error(postgres ? 'schema kept for inspection' : `database kept for inspection in ${dir}`);
  else {
    rmSync(dir, { recursive: true, force: true });
    if (postgres) await cleanupLocations();
  }
}
process.exit(failed ? 1 : 0);
