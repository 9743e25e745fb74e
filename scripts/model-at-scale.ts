/**
 * The fast-check model runs at scale (CI runs a smaller slice): every kv model of
 * test/model/kv-model.test.ts with `runs` command sequences per engine, replayable by seed.
 *
 *   npx tsx scripts/model-at-scale.ts [runs=10000] [seed]
 *
 * On a failure fast-check prints the seed and the shrunk command sequence; rerun with that seed.
 */
import { spawnSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npx tsx scripts/model-at-scale.ts [runs=10000] [seed]');
  process.exit(2);
}
console.log(`model runs: ${runs} command sequences per engine, seed ${seed}`);
const r = spawnSync('npx', ['vitest', 'run', 'test/model', '--testTimeout', String(24 * 3_600_000)], {
  stdio: 'inherit',
  env: { ...process.env, MEMEX_MODEL_RUNS: String(runs), MEMEX_MODEL_SEED: String(seed) },
});
process.exit(r.status ?? 1);
