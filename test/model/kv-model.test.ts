/**
 * Model-based test of kv: random command sequences run against the real store and against a
 * plain Map model (per namespace), TTLs included through a manual clock. After every command the
 * real answers must equal the model's; after every run the whole visible store must too.
 *
 * The model keeps, per key, the value, the version the real store returned when it was written,
 * updatedAt and expiresAt. Versions must be strictly increasing across the whole store. Besides
 * one caller's commands, the sequences hold writes from several callers at once (through a second
 * connection or client where the engine has one) and reopens of the storage, and they run on the
 * remote client over a real server too (test/model/kv-openers.ts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/testing/clock.js';
import { stopServers } from '../helpers/http-server.js';
import { dropSchemas } from '../helpers/pg.js';
import { cleanupTemp } from '../helpers/tmp.js';
import {
  ADVANCES,
  AdvanceCmd,
  ClearCmd,
  DeleteCmd,
  GetCmd,
  GetManyCmd,
  KEYS,
  LIMITS,
  ListCmd,
  NAMESPACES,
  PREFIXES,
  SetCmd,
  SetManyCmd,
  SweepCmd,
  TTLS,
  UpdateCmd,
  type Cmd,
  type Model,
  type UpdateAction,
  type VMode,
} from './kv-commands.js';
import { TxCmd, type TxOp } from './kv-tx-command.js';
import { checkAll, concurrentArb, ReopenCmd } from './kv-concurrent.js';
import { OPENERS, type Traits } from './kv-openers.js';

// ---------------------------------------------------------------------------------------------
// arbitraries

const nsArb = fc.constantFrom(...NAMESPACES);
const keyArb = fc.constantFrom(...KEYS);
const modeArb = fc.constantFrom<VMode>('none', 'none', 'match', 'stale', 'zero');
/** The commands of a run, with what the opener's traits allow (see kv-openers.ts). */
function commandArbs(traits: Traits): fc.Arbitrary<Cmd>[] {
  const ttlArb = traits.ttl ? fc.option(fc.constantFrom(...TTLS), { nil: undefined }) : fc.constant(undefined);
  const valueArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    traits.topLevelNull ? fc.constant(null) : fc.constant([null]),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
    fc.record({ n: fc.integer({ min: 0, max: 99 }), s: fc.string({ maxLength: 3 }), o: fc.option(fc.boolean(), { nil: undefined }) }),
  );
  const updateActionArb: fc.Arbitrary<UpdateAction> = fc.oneof(
    { weight: 4, arbitrary: valueArb.map((value) => ({ kind: 'value' as const, value })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'throw' as const }) },
  );
  const txOpArb: fc.Arbitrary<TxOp> = fc.oneof(
    fc.record({ t: fc.constant('set' as const), key: keyArb, value: valueArb, ttlMs: ttlArb }),
    fc.record({ t: fc.constant('delete' as const), key: keyArb }),
    fc.record({ t: fc.constant('update' as const), key: keyArb, value: fc.option(valueArb, { nil: undefined, freq: 4 }) }),
    fc.record({ t: fc.constant('get' as const), key: keyArb }),
  );
  return [
    fc.tuple(nsArb, keyArb, valueArb, ttlArb, modeArb).map(([ns, k, v, ttl, mode]) => new SetCmd(ns, k, v, ttl, mode)),
    fc.tuple(nsArb, keyArb, valueArb, ttlArb, modeArb).map(([ns, k, v, ttl, mode]) => new SetCmd(ns, k, v, ttl, mode)),
    fc.tuple(nsArb, keyArb, modeArb).map(([ns, k, mode]) => new DeleteCmd(ns, k, mode)),
    fc.tuple(nsArb, keyArb, updateActionArb, ttlArb).map(([ns, k, a, ttl]) => new UpdateCmd(ns, k, a, ttl)),
    fc.tuple(nsArb, keyArb).map(([ns, k]) => new GetCmd(ns, k)),
    fc.tuple(nsArb, fc.array(keyArb, { maxLength: 5 })).map(([ns, ks]) => new GetManyCmd(ns, ks)),
    fc
      .tuple(
        nsArb,
        fc.uniqueArray(
          fc.record({ key: keyArb, value: valueArb, ttlMs: ttlArb, mode: fc.constantFrom<VMode>('none', 'none', 'none', 'match', 'stale', 'zero') }),
          {
            selector: (e) => e.key,
            maxLength: 4,
          },
        ),
      )
      .map(([ns, es]) => new SetManyCmd(ns, es)),
    fc.tuple(nsArb, fc.constantFrom(...PREFIXES), fc.constantFrom(...LIMITS)).map(([ns, p, l]) => new ListCmd(ns, p, l)),
    nsArb.map((ns) => new ClearCmd(ns)),
    fc.tuple(nsArb, fc.array(txOpArb, { minLength: 1, maxLength: 6 }), fc.boolean()).map(([ns, ops, fail]) => new TxCmd(ns, ops, fail)),
    fc.constantFrom(...ADVANCES).map((ms) => new AdvanceCmd(ms)),
    fc.constantFrom(...ADVANCES).map((ms) => new AdvanceCmd(ms)),
    fc.constant(new SweepCmd()),
    concurrentArb(nsArb, keyArb, valueArb),
    concurrentArb(nsArb, keyArb, valueArb),
    fc.constant(new ReopenCmd()),
  ];
}

// ---------------------------------------------------------------------------------------------

/** MEMEX_MODEL_RUNS scales every run (scripts/model-at-scale.ts); MEMEX_MODEL_SEED replays one. */
const SCALE_RUNS = process.env.MEMEX_MODEL_RUNS === undefined ? undefined : Number(process.env.MEMEX_MODEL_RUNS);
const SEED = process.env.MEMEX_MODEL_SEED === undefined ? undefined : Number(process.env.MEMEX_MODEL_SEED);

describe('kv against a Map model (fast-check, TTL with a manual clock, concurrent callers, reopens)', () => {
  afterAll(async () => {
    await stopServers();
    await dropSchemas();
    cleanupTemp();
  });
  for (const [name, runs, open, traits] of OPENERS) {
    it(`every command sequence leaves the store equal to the model: ${name}`, async () => {
      let reopens = 0;
      let concurrent = 0;
      let persistent = false;
      await fc.assert(
        fc.asyncProperty(fc.commands(commandArbs(traits), { maxCommands: 100, size: 'max' }), async (cmds) => {
          const clock = new ManualClock();
          const h = await open(clock);
          const model: Model = { now: clock.nowMs, maxVersion: 0, data: { default: new Map(), m: new Map() } };
          try {
            await fc.asyncModelRun(() => ({ model, real: { h, clock } }), cmds);
            // The whole visible store equals the model at the end.
            await checkAll(model, { h, clock });
            reopens += h.reopens;
            persistent ||= h.reopen !== undefined;
            concurrent += [...cmds].filter((c) => c.toString().startsWith('concurrently')).length;
          } finally {
            await h.close();
          }
        }),
        { numRuns: SCALE_RUNS ?? runs, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      // The runs did meet concurrent callers and, where the storage outlives a handle, reopens.
      expect(concurrent, 'concurrent commands run').toBeGreaterThan(0);
      if (persistent) expect(reopens, 'reopens done').toBeGreaterThan(0);
    }, 600_000);
  }
});
