// The checker catches clients that are not atomic, on real engines (4 handles x 4 callers in one
// process): `get` then `set` loses appends and shows cycles; `get` for reads with `update` for
// appends loses nothing — every single call is atomic — yet its transactions are not, and only
// the dependency graph shows it.
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { formatReport, runListAppend, unsafeKvClients } from '../../src/testing/index.js';
import { mapEngine, MapStorage } from '../engines/map-engine.js';
import { listAppendSeed } from '../helpers/list-append-procs.js';
import { cleanupLocations, newLocation, openAt } from '../helpers/location.js';

const seed = listAppendSeed();
console.log(`list-append seed ${seed} (replay with MEMEX_LIST_APPEND_SEED=${seed})`);
afterAll(cleanupLocations);

const opens = {
  sqlite: () => {
    const at = newLocation('sqlite');
    return () => openAt(at);
  },
  postgres: () => {
    const at = newLocation('postgres');
    return () => openAt(at);
  },
  map: () => {
    const storage = new MapStorage();
    return () => openMemex({ engine: mapEngine(storage) });
  },
};

const CYCLES = ['G0', 'G1c', 'G-single', 'G2'] as const;

/** The workload through one unsafe client on `engine`; the report and its text (its head logged). */
async function runUnsafe(engine: keyof typeof opens, which: 'getThenSet' | 'getThenUpdate') {
  const { report } = await runListAppend({
    open: opens[engine](),
    txnsPerCaller: 40,
    seed,
    clients: (mx) => [unsafeKvClients(mx.kv)[which]],
    ns: 'default',
  });
  const text = formatReport(report);
  console.log(`${engine} ${which}: ${text.split('\n').slice(0, 2).join(' | ')}`);
  return { report, text };
}

describe.each(Object.keys(opens) as (keyof typeof opens)[])('unsafe clients on %s', (engine) => {
  it('get then set: appends lost, and dependency cycles', async () => {
    const { report, text } = await runUnsafe(engine, 'getThenSet');
    expect(report.serializable, text).toBe(false);
    expect(report.counts['lost-append'], text).toBeGreaterThan(0);
    expect(
      CYCLES.some((c) => (report.counts[c] ?? 0) > 0),
      text,
    ).toBe(true);
  });

  it('get then update: nothing lost, but dependency cycles', async () => {
    const { report, text } = await runUnsafe(engine, 'getThenUpdate');
    expect(report.serializable, text).toBe(false);
    expect(report.counts['lost-append'], text).toBeUndefined();
    expect(
      CYCLES.some((c) => (report.counts[c] ?? 0) > 0),
      text,
    ).toBe(true);
  });
});
