// Serializability checked the way Jepsen checks it: a list-append workload (4 processes x 4 async
// callers x 150 transactions, 100 over HTTP; each transaction 1-4 reads and unique appends through
// kv.transaction, a read-only kv.transaction, kv.update, getEntry + set with ifVersion, getMany), one process SIGKILLed
// midway, then the final lists and the Elle-style checker of src/testing/list-append: every
// acknowledged append present once, every read a prefix of the final list, and no dependency
// cycle — real-time order included, so the claim checked is strict serializability.
// A failure prints the seed: MEMEX_LIST_APPEND_SEED=<seed> replays the same plan.
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { formatReport, runListAppend, type ListAppendReport } from '../../src/testing/index.js';
import { mapEngine, MapStorage } from '../engines/map-engine.js';
import { listAppendSeed, runAcrossProcesses } from '../helpers/list-append-procs.js';
import { cleanupLocations, newLocation } from '../helpers/location.js';
import { startServe } from '../helpers/serve-process.js';
import { tempDbPath } from '../helpers/tmp.js';

const seed = listAppendSeed();
console.log(`list-append seed ${seed} (replay with MEMEX_LIST_APPEND_SEED=${seed})`);
afterAll(cleanupLocations);

// Over HTTP every transaction is one to five round trips: fewer of them keep that run near the others' time.
const PLAN = { processes: 4, callers: 4, txnsPerCaller: 100, seed, killAfter: 130 };
const HTTP_PLAN = { ...PLAN, txnsPerCaller: 60, killAfter: 80 };

/** The run was big enough to mean something (most of its transactions committed), and the checker found nothing. */
function expectStrictSerializable(report: ListAppendReport, label: string, planned: number): void {
  const text = `${label}, seed ${seed}: ${formatReport(report)}`;
  console.log(text.split('\n')[0]);
  expect(report.stats.ok, text).toBeGreaterThan(0.6 * planned);
  expect(report.stats.readValues, text).toBeGreaterThan(10_000);
  expect(report.counts, text).toEqual({});
  expect(report.strictSerializable, text).toBe(true);
}

describe('list-append histories are strict serializable', () => {
  it.each(['sqlite', 'postgres'] as const)('%s: 4 processes x 4 callers, one SIGKILLed', async (engine) => {
    const { report } = await runAcrossProcesses({ ...PLAN, target: newLocation(engine) });
    expectStrictSerializable(report, engine, 16 * PLAN.txnsPerCaller);
  });

  it('http: 4 client processes x 4 callers against `memex serve`, one client SIGKILLed', async () => {
    const server = await startServe(['--path', tempDbPath(), '--durability', 'normal']);
    try {
      const { report } = await runAcrossProcesses({ ...HTTP_PLAN, target: server.url });
      expectStrictSerializable(report, 'http', 16 * HTTP_PLAN.txnsPerCaller);
    } finally {
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
  });

  it('map engine (in one process: 4 handles on one storage x 4 callers, one handle abandoned midway)', async () => {
    const storage = new MapStorage();
    const { report } = await runListAppend({ open: () => openMemex({ engine: mapEngine(storage) }), txnsPerCaller: 150, seed, killAt: 0.3 });
    expectStrictSerializable(report, 'map', 16 * 150);
  });
});
