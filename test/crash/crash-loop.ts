/**
 * The kill loop of test/crash/crash.test.ts, postgres-crash.test.ts and scripts/crash-loop.ts:
 * one writer child (crash-writer.ts) after another on ONE store, each SIGKILLed, and the store
 * checked after every kill against what the children reported (check.ts).
 *
 * A quarter of the kills are aimed at startup — inside the open, where SQLite recovers the WAL the
 * previous kill left — and the rest land 30–300 ms after the first acknowledged write. Where each
 * kill really landed is read from the writer's stdout afterwards ({@link Reached}), and every
 * iteration's own figures are returned so the tests can hold each kill to its floors.
 */
import { isPgLocation } from '../helpers/location.js';
import { OpenTimes, copyForCheck, planFor, runWriterUntilKilled, type KillPlan, type Reached } from '../helpers/crash-writer.js';
import { here } from '../helpers/spawn.js';
import { CrashModel, checkThroughMemex, mulberry32, readRaw, type Durability, type Totals } from './check.js';
import { readRawPg } from './raw-pg.js';

const WRITER = here(import.meta.url, './crash-writer.ts');
/**
 * A running kill lands 30–300 ms after the first acknowledgement, but never before this many: a
 * loaded runner can starve a sound writer for a whole short window, while a writer that stalls for
 * good never gets there and fails the iteration.
 */
export const MIN_ACKS = 20;

export interface IterationResult {
  iteration: number;
  durability: Durability;
  /** Whether the real file was checked in place (else a copy of it). */
  inPlace: boolean;
  plan: KillPlan;
  /** How far the writer got, from its own output. */
  reached: Reached;
  killDelayMs: number;
  /** Writes this writer acknowledged, and keys whose last acknowledged write it made. */
  acked: number;
  keyChecks: number;
  /** Whether writes were in flight at the kill, and how many of them were found committed. */
  midWrite: boolean;
  inFlightCommitted: number;
  failures: string[];
  /** The snapshot could not even be read (integrity or open failure): stop the loop. */
  fatal: boolean;
}

/**
 * One kill: starts a writer on `dbPath`, SIGKILLs it as drawn (during its startup, or 30–300 ms
 * after its first acknowledged write) and checks the store.
 *
 * Most iterations check a copy (the .db and its -wal), so the real file stays exactly as the kill
 * left it and the next child has to recover it; every `inPlaceEvery`-th iteration (and the last)
 * opens the real file itself.
 */
export async function crashIteration(
  model: CrashModel,
  dbPath: string,
  iteration: number,
  rng: () => number,
  opts: { inPlace: boolean; openTimes: OpenTimes; startTimeoutMs?: number },
): Promise<IterationResult> {
  const g = iteration + 1;
  const durability: Durability = iteration % 2 === 0 ? 'full' : 'normal';
  const seed = Math.floor(rng() * 2 ** 31);
  const before = { ...model.totals };
  model.startGeneration(g);

  const run = await runWriterUntilKilled(WRITER, [dbPath, durability, String(g), String(seed)], (line) => model.onLine(line), rng, {
    plan: planFor(iteration),
    openTimes: opts.openTimes,
    minAcks: MIN_ACKS,
    startTimeoutMs: opts.startTimeoutMs,
  });
  if (run.outcome === 'no-ack') {
    const why = { exit: 'exited', timeout: 'acknowledged nothing', stalled: `acknowledged fewer than ${MIN_ACKS} writes` }[run.reason];
    throw new Error(`iteration ${iteration}: writer ${why} within 30 s of its start\n${run.stderr}`);
  }
  const { killDelayMs, exit, stderr, plan, reached } = run;
  model.endGeneration();
  model.totals.startupKills += plan === 'startup' ? 1 : 0;
  model.totals.killsDuringOpen += reached === 'opening' ? 1 : 0;
  const when = plan === 'startup' ? `${killDelayMs} ms after announcing its open` : `${killDelayMs} ms after the first ack`;
  const label = `iteration ${iteration} (${durability}, killed ${when}, reached '${reached}')`;
  if (run.outOfOrder) throw new Error(`${label}: the writer's output broke its protocol\n${stderr}`);
  if (exit.signal !== 'SIGKILL') {
    throw new Error(`${label}: writer ended by itself (code ${exit.code}, signal ${exit.signal})\n${stderr}`);
  }

  // PostgreSQL is always checked in place: the server, not a file, is what the next node meets.
  const pg = isPgLocation(dbPath);
  let checkPath = dbPath;
  if (!opts.inPlace && !pg) checkPath = copyForCheck(dbPath);

  const result: IterationResult = {
    iteration,
    durability,
    inPlace: opts.inPlace || pg,
    plan,
    reached,
    killDelayMs,
    acked: 0,
    keyChecks: 0,
    midWrite: false,
    inFlightCommitted: 0,
    failures: [],
    fatal: false,
  };
  let raw: ReturnType<typeof readRaw>;
  try {
    raw = pg ? await readRawPg(checkPath) : readRaw(checkPath);
  } catch (e) {
    result.failures.push(`${label}: cannot read the records directly: ${(e as Error).message}`);
    result.fatal = true;
    return result;
  }
  if (raw.integrity.length !== 1 || raw.integrity[0] !== 'ok') {
    result.failures.push(`${label}: integrity_check: ${raw.integrity.slice(0, 10).join(' | ')}`);
    result.fatal = true;
  }
  const modelFailures = model.verify(raw.snap, label);
  result.failures.push(...modelFailures);
  const t = model.totals;
  result.acked = t.acked - before.acked;
  result.keyChecks = t.keyChecks - before.keyChecks;
  result.midWrite = t.midWriteKills > before.midWriteKills;
  result.inFlightCommitted = t.inFlightCommitted - before.inFlightCommitted;
  try {
    result.failures.push(...(await checkThroughMemex(checkPath, durability, raw.snap)).map((f) => `${label}: ${f}`));
  } catch (e) {
    result.failures.push(`${label}: openMemex failed: ${(e as Error).message}`);
    result.fatal = true;
  }
  if (modelFailures.length > 0) model.resync(raw.snap);
  return result;
}

export interface LoopSummary {
  seed: number;
  iterations: number;
  totals: Totals;
  /** Every iteration's figures, for floors per kill (failure messages left out). */
  perIteration: Omit<IterationResult, 'failures'>[];
  failingIterations: number;
  /** Up to 50 failure messages, oldest first. */
  failures: string[];
  elapsedMs: number;
}

export interface LoopOptions {
  dbPath: string;
  iterations: number;
  seed: number;
  /** Stop at the first failing iteration (the test) or keep going (the script). */
  stopOnFailure: boolean;
  /** Check the real file in place every n-th iteration (and on the last); copies otherwise. */
  inPlaceEvery?: number;
  onIteration?: (r: IterationResult, model: CrashModel) => void;
}

/** Runs `iterations` kills on one database file; see {@link crashIteration}. */
export async function runCrashLoop(o: LoopOptions): Promise<LoopSummary> {
  const started = performance.now();
  const model = new CrashModel();
  const rng = mulberry32(o.seed);
  const openTimes = new OpenTimes();
  const every = o.inPlaceEvery ?? 5;
  const failures: string[] = [];
  const perIteration: LoopSummary['perIteration'] = [];
  let failingIterations = 0;
  for (let i = 0; i < o.iterations; i++) {
    const inPlace = i === o.iterations - 1 || i % every === every - 1;
    const r = await crashIteration(model, o.dbPath, i, rng, { inPlace, openTimes });
    const { failures: its, ...figures } = r;
    perIteration.push(figures);
    o.onIteration?.(r, model);
    if (its.length > 0) {
      failingIterations++;
      for (const f of its) if (failures.length < 50) failures.push(f);
      if (o.stopOnFailure || r.fatal) break;
    }
  }
  return {
    seed: o.seed,
    iterations: perIteration.length,
    totals: { ...model.totals },
    perIteration,
    failingIterations,
    failures,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The floors every crash loop holds, judged on what each kill left (the writer's own output and
 * the store), never on what the loop meant to do. Returns one message per floor missed.
 *
 * - every kill that came after the first acknowledgement saw at least `perKill.acked` writes
 *   acknowledged and `perKill.keyChecks` keys whose last acknowledged write that writer made (a
 *   writer that stalls after its first group commit leaves at most 8 of each);
 * - some kills landed inside the open (the writer announced it and never finished), and a writer
 *   opening right after such a kill went on to acknowledge writes;
 * - most running kills caught writes in flight, and some found one committed before its
 *   acknowledgement arrived.
 */
export function missedFloors(s: LoopSummary, perKill: { acked: number; keyChecks: number }): string[] {
  const missed: string[] = [];
  const running = s.perIteration.filter((r) => r.reached === 'acked' && r.plan === 'running');
  for (const r of running) {
    if (r.acked < perKill.acked) missed.push(`iteration ${r.iteration}: ${r.acked} writes acknowledged before the kill, floor ${perKill.acked}`);
    if (r.keyChecks < perKill.keyChecks) {
      missed.push(`iteration ${r.iteration}: ${r.keyChecks} keys checked against this writer's acknowledgements, floor ${perKill.keyChecks}`);
    }
  }
  const duringOpen = s.perIteration.filter((r) => r.reached === 'opening');
  if (duringOpen.length === 0) missed.push('no kill landed inside the open (announced, never finished)');
  const recovered = s.perIteration.filter((r, i) => i > 0 && s.perIteration[i - 1]!.reached === 'opening' && r.acked > 0);
  if (duringOpen.length > 0 && recovered.length === 0) missed.push('no writer acknowledged a write right after a kill inside the open');
  const midWrite = running.filter((r) => r.midWrite).length;
  if (midWrite < Math.ceil(running.length * 0.8)) missed.push(`only ${midWrite} of ${running.length} running kills caught writes in flight`);
  if (!s.perIteration.some((r) => r.inFlightCommitted > 0)) missed.push('no kill found a write committed before its acknowledgement');
  return missed;
}

export function formatSummary(s: LoopSummary): string {
  const t = s.totals;
  const running = s.perIteration.filter((r) => r.plan === 'running');
  const minAcked = running.length === 0 ? 0 : Math.min(...running.map((r) => r.acked));
  const minKeys = running.length === 0 ? 0 : Math.min(...running.map((r) => r.keyChecks));
  return (
    `crash loop: ${s.iterations} kills (seed ${s.seed}) in ${(s.elapsedMs / 1000).toFixed(1)} s; ` +
    `acknowledged writes checked ${t.acked} (issued ${t.issued}, per-key checks ${t.keyChecks}, aborting transactions ${t.aborts}); ` +
    `per running kill at least ${minAcked} acknowledged and ${minKeys} keys checked; ` +
    `startup kills ${t.startupKills}, of which inside the open ${t.killsDuringOpen}; ` +
    `kills mid-write ${t.midWriteKills}/${t.iterations}, in-flight writes found committed ${t.inFlightCommitted} / not committed ${t.inFlightLost} ` +
    `(kills with a committed-but-unacknowledged write: ${t.killsWithCommittedUnacked}), torn stdout lines ${t.tornLines}; ` +
    `failing iterations ${s.failingIterations}, failures ${s.failures.length}${s.failures.length >= 50 ? '+' : ''}`
  );
}
