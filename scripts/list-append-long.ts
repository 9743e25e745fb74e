/**
 * The list-append check at scale, on demand (CI runs ~2,000 transactions per engine in
 * test/concurrency/list-append.test.ts): 4 processes x 4 callers, one process SIGKILLed a third of
 * the way through its share, keys rotated every `rotate` transactions of a caller so lists stay
 * short, then the whole history through the Elle-style checker, real-time order included.
 *
 *   npx tsx scripts/list-append-long.ts <sqlite|postgres|http|http-postgres> [transactions=100000] [seed]
 *
 * Prints the figures and every anomaly; exits 1 unless the history is strict serializable.
 */
import { formatReport } from '../src/testing/index.js';
import { listAppendSeed, runAcrossProcesses } from '../test/helpers/list-append-procs.js';
import { cleanupLocations, newLocation } from '../test/helpers/location.js';
import { freshSchema, PG_URL } from '../test/helpers/pg.js';
import { startServe } from '../test/helpers/serve-process.js';
import { tempDbPath } from '../test/helpers/tmp.js';

const TARGETS = ['sqlite', 'postgres', 'http', 'http-postgres'] as const;
const [target, txnsArg, seedArg] = process.argv.slice(2);
const total = Number(txnsArg ?? 100_000);
const seed = seedArg === undefined ? listAppendSeed() : Number(seedArg);
if (!TARGETS.includes(target as never) || !Number.isSafeInteger(total) || total < 1000 || !Number.isSafeInteger(seed)) {
  console.error(`usage: npx tsx scripts/list-append-long.ts <${TARGETS.join('|')}> [transactions>=1000] [seed]`);
  process.exit(2);
}
const processes = 4;
const callers = 4;
// Process 0 dies a third of the way through its share: plan enough for the others to make up the total.
const txnsPerCaller = Math.ceil(total / (callers * (processes - 1 + 1 / 3)));
console.log(`list-append ${target}: ${processes} processes x ${callers} callers x ${txnsPerCaller} transactions, seed ${seed}`);

const server =
  target === 'http'
    ? await startServe(['--path', tempDbPath()])
    : target === 'http-postgres'
      ? await startServe(['--url', PG_URL, '--schema', freshSchema()])
      : undefined;
const t0 = performance.now();
try {
  const { report } = await runAcrossProcesses({
    target: server?.url ?? newLocation(target as 'sqlite' | 'postgres'),
    processes,
    callers,
    txnsPerCaller,
    seed,
    killAfter: Math.floor((callers * txnsPerCaller) / 3),
    rotateEvery: 100,
  });
  const s = report.stats;
  const seconds = (performance.now() - t0) / 1000;
  console.log(formatReport(report));
  console.log(
    JSON.stringify({
      target,
      seed,
      seconds: Math.round(seconds),
      txnsPerSecond: Math.round(s.txns / seconds),
      ...s,
      counts: report.counts,
      strict: report.strictSerializable,
    }),
  );
  process.exitCode = report.strictSerializable ? 0 : 1;
} finally {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await cleanupLocations();
}
