/**
 * Issue 4, proof "SIGKILL loop during batched upserts and deletes": a writer child
 * (vectors-writer.ts) upserts batches of 5–50 documents with explicit vectors, deletes and
 * deleteWheres on ONE persistent file, printing every operation it issues and every one that is
 * acknowledged; the parent SIGKILLs it 30–300 ms after its first acknowledgement (and not before
 * its fifth) or, one time in four, during its startup — inside the open or the first search's load
 * of the derived index (helpers/crash-writer.ts) — then checks:
 *
 * (a) `PRAGMA integrity_check` is ok (raw better-sqlite3);
 * (b) per pool the records are exactly "every acknowledged operation applied" or that plus the one
 *     operation in flight, applied in full — so no batch is half applied: every batch's docs carry
 *     the batch id, and the number holding it is what the acknowledged operations leave (all of
 *     them, or fewer/none when later acknowledged operations replaced or deleted some); a batch
 *     rejected inside its transaction leaves nothing; delete/deleteWhere answered what the model
 *     predicts (see test/fixtures/vectors-crash-model.ts);
 * (c) `search({ vector, topK: 10, filter })` through openMemex returns exactly the ids, in the
 *     same order (ties broken by id), with the same scores, as an exact cosine scan computed here
 *     over the records read with raw SQL; no deleted id is ever returned; count/get agree.
 *
 * (c) runs on a freshly opened Memex every iteration (derived index built from the file) and, in
 * alternating phases of 4 iterations, also on a Memex the parent keeps open across kills, whose
 * index must catch up from the event feed over the killed writers' commits (every third writer
 * keeps only 25 events, so that index also meets trimmed events and must rebuild). While that
 * Memex is closed, the checks run on a copy of the .db and -wal, so the next writer opens the
 * file exactly as the kill left it.
 *
 * MEMEX_VECTOR_CRASH_ITERATIONS (default 16 on SQLite, 12 on PostgreSQL, where a writer acknowledges
 * about a tenth as much per second) sets the number of kills, MEMEX_VECTOR_CRASH_SEED the seed.
 * The collection stays below 3 x 150 = 450 documents (MEMEX_VECTOR_CRASH_POOL_SIZE changes the 150):
 * a size the store answers by an exact scan. Past 2,000 documents the derived index proposes
 * candidates from an approximate graph, which promises recall, not exact equality — and about one
 * document in five here shares a direction with many others (exact ties), where it does worst.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { OpenTimes, copyForCheck, planFor, runWriterUntilKilled } from '../helpers/crash-writer.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import { cleanupLocations, isPgLocation, newLocation, openAt } from '../helpers/location.js';
import { adminQuery } from '../helpers/pg.js';
import { DIM, DUPS, POOLS, VectorCrashModel, decodeBase64Vector, mulberry32, type RawDoc } from '../fixtures/vectors-crash-model.js';
import { cosine } from '../../src/testing/vector-data.js';

const ITERATIONS_SET = process.env.MEMEX_VECTOR_CRASH_ITERATIONS;
const iterationsOf = (engine: 'sqlite' | 'postgres') => Number(ITERATIONS_SET ?? (engine === 'sqlite' ? 16 : 12));
const SEED = Number(process.env.MEMEX_VECTOR_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITER = here(import.meta.url, './vectors-writer.ts');
/** A running kill waits for this many acknowledged operations (a stalled writer never gets there). */
const MIN_ACKS = 5;

interface RawRead {
  integrity: string[];
  rows: Map<string, RawDoc>;
  dimension: number | undefined;
  problems: string[];
}

/** The truth: the records read directly (better-sqlite3, or a plain pg client for `pg:<schema>`). */
async function readRaw(path: string): Promise<RawRead> {
  if (isPgLocation(path)) {
    const t = `"${path.slice(3)}".records`;
    const [exists] = await adminQuery<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [t]);
    if (!exists?.t) return decodeRows(['ok'], [], undefined);
    const docs = await adminQuery<{ key: string; value: string }>(
      `SELECT key, value FROM ${t} WHERE ns = 'default' AND store = 'vectors' ORDER BY key`,
    );
    const meta = await adminQuery<{ value: string }>(`SELECT value FROM ${t} WHERE ns = 'default' AND store = 'vectors.meta' AND key = 'dimension'`);
    return decodeRows(['ok'], docs, meta[0]?.value);
  }
  // A writer killed inside the very first open may leave no file, or one without Memex's tables.
  if (!existsSync(path)) return decodeRows(['ok'], [], undefined);
  const db = new Database(path, { fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'`).get()) return decodeRows(integrity, [], undefined);
    const docs = db.prepare(`SELECT key, value FROM records WHERE ns = 'default' AND store = 'vectors' ORDER BY key`).all() as {
      key: string;
      value: string;
    }[];
    const meta = db.prepare(`SELECT value FROM records WHERE ns = 'default' AND store = 'vectors.meta' AND key = 'dimension'`).pluck().get() as
      string | undefined;
    return decodeRows(integrity, docs, meta);
  } finally {
    db.close();
  }
}

function decodeRows(integrity: string[], docs: { key: string; value: string }[], meta: string | undefined): RawRead {
  {
    const problems: string[] = [];
    const rows = new Map<string, RawDoc>();
    for (const r of docs) {
      try {
        const v = JSON.parse(r.value) as { text: string | null; metadata: Record<string, unknown>; v: string };
        rows.set(r.key, { id: r.key, text: v.text, metadata: v.metadata, vector: decodeBase64Vector(v.v) });
      } catch (e) {
        problems.push(`record ${r.key} does not decode: ${(e as Error).message}`);
      }
    }
    return { integrity, rows, dimension: meta === undefined ? undefined : (JSON.parse(meta) as number), problems };
  }
}

interface Query {
  name: string;
  filter: Record<string, unknown> | undefined;
  match: (m: Record<string, unknown>) => boolean;
}

/** The exact answer: cosine over every surviving record matching the filter, best first, ties by id. */
function oracle(rows: Map<string, RawDoc>, q: Float32Array, match: (m: Record<string, unknown>) => boolean, topK: number): [string, number][] {
  const out: [string, number][] = [];
  for (const d of rows.values()) if (match(d.metadata)) out.push([d.id, cosine(q, d.vector)]);
  out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out.slice(0, topK);
}

interface SearchTotals {
  searches: number;
  /** Searches whose expected top 10 contained an exact score tie. */
  withTies: number;
  gets: number;
}

const fmt = (r: [string, number][]) => r.map(([id, s]) => `${id}:${s.toFixed(6)}`).join(' ');

/** (c): searches, counts and gets through `mx` against the raw records. */
async function checkThroughMemex(
  mx: Memex,
  who: string,
  raw: RawRead,
  gone: ReadonlySet<string>,
  rng: () => number,
  totals: SearchTotals,
): Promise<string[]> {
  const failures: string[] = [];
  const fail = (m: string) => failures.push(`${who}: ${m}`);
  const rows = raw.rows;
  const docs = [...rows.values()];
  const int = (n: number) => Math.floor(rng() * n);

  const total = await mx.vectors.count();
  if (total !== rows.size) fail(`count() = ${total}, the records table holds ${rows.size}`);
  for (let p = 0; p < POOLS; p++) {
    const n = await mx.vectors.count({ pool: p });
    const exp = docs.filter((d) => d.metadata.pool === p).length;
    if (n !== exp) fail(`count({ pool: ${p} }) = ${n}, expected ${exp}`);
  }

  // get: a sample of present documents equals the record, deleted ones are gone.
  for (const d of docs.filter(() => rng() < 0.05)) {
    totals.gets++;
    const got = await mx.vectors.get(d.id);
    if (!got || got.text !== d.text || !isDeepStrictEqual(got.metadata, d.metadata) || !got.vector.every((x, i) => Object.is(x, d.vector[i]))) {
      fail(`get(${d.id}) differs from the record`);
    }
  }
  const goneIds = [...gone].filter((id) => !rows.has(id));
  for (const id of goneIds.filter(() => rng() < 0.1)) {
    totals.gets++;
    if ((await mx.vectors.get(id)) !== undefined) fail(`get(${id}) returns a deleted document`);
  }

  const batches = [...new Set(docs.map((d) => String(d.metadata.batch)))];
  const someBatch = batches[int(batches.length)] ?? 'none';
  const k = int(5);
  const p = int(POOLS);
  const queries: Query[] = [
    { name: 'no filter', filter: undefined, match: () => true },
    { name: `group ${k}`, filter: { group: k }, match: (m) => m.group === k },
    {
      name: `pool ${p}, group in [${k}, ${(k + 2) % 5}]`,
      filter: { pool: p, group: { $in: [k, (k + 2) % 5] } },
      match: (m) => m.pool === p && (m.group === k || m.group === (k + 2) % 5),
    },
    { name: `batch ${someBatch}`, filter: { batch: someBatch }, match: (m) => m.batch === someBatch },
    { name: `pool ${p} or group ${k}`, filter: { $or: [{ pool: p }, { group: k }] }, match: (m) => m.pool === p || m.group === k },
    { name: `group != ${k} and idx < 10`, filter: { group: { $ne: k }, idx: { $lt: 10 } }, match: (m) => m.group !== k && (m.idx as number) < 10 },
    { name: `not pool ${p}`, filter: { $not: { pool: p } }, match: (m) => m.pool !== p },
  ];

  const vectors: [string, Float32Array][] = [
    ['random', Float32Array.from({ length: DIM }, () => rng() * 2 - 1)],
    ['random', Float32Array.from({ length: DIM }, () => rng() * 2 - 1)],
    ['shared direction', DUPS[int(DUPS.length)]!],
    ['shared direction x8', Float32Array.from(DUPS[int(DUPS.length)]!, (x) => x * 8)],
  ];
  const probe = docs[int(docs.length)];
  if (probe) vectors.push([`vector of ${probe.id}`, probe.vector]);

  for (const [vname, v] of vectors) {
    for (const q of queries) {
      totals.searches++;
      const expected = oracle(rows, v, q.match, 10);
      const hits = await mx.vectors.search({ vector: v, topK: 10, filter: q.filter });
      const got: [string, number][] = hits.map((h) => [h.id, h.score]);
      if (expected.some((e, i) => i > 0 && e[1] === expected[i - 1]![1])) totals.withTies++;
      for (const [id] of got)
        if (!rows.has(id))
          fail(
            `search (${vname}, ${q.name}) returned ${id}, which is not in the records${gone.has(id) ? ' (DELETED by an acknowledged operation)' : ''}`,
          );
      const sameIds = got.length === expected.length && got.every(([id], i) => id === expected[i]![0]);
      const sameScores = sameIds && got.every(([, s], i) => Math.abs(s - expected[i]![1]) <= 1e-9);
      if (!sameIds || !sameScores) {
        fail(
          `search (${vname}, ${q.name}, topK 10) differs from the exact scan over ${rows.size} records:\n    got      ${fmt(got)}\n    expected ${fmt(expected)}`,
        );
      }
    }
  }

  // The whole ranking at once (the collection is far below topK 1000).
  const v = Float32Array.from({ length: DIM }, () => rng() * 2 - 1);
  const all = oracle(rows, v, () => true, 1000);
  const hits = await mx.vectors.search({ vector: v, topK: 1000 });
  totals.searches++;
  if (hits.length !== all.length || hits.some((h, i) => h.id !== all[i]![0])) {
    const at = hits.findIndex((h, i) => h.id !== all[i]?.[0]);
    fail(`full ranking (topK 1000) differs from the exact scan: ${hits.length} hits vs ${all.length} records, first difference at rank ${at}`);
  }
  return failures;
}

interface Run {
  iterations: number;
  failures: string[];
  elapsedMs: number;
  search: SearchTotals;
  watcherChecks: number;
  /** Rebuilds from the records by the Memex kept open (after events it needed were trimmed). */
  watcherRebuilds: number;
  copies: number;
  maxDocs: number;
  /** Kills inside the open or the first search's index load (announced, never finished). */
  killsDuringOpen: number;
  /** Writers that acknowledged operations right after a kill inside the open. */
  writesAfterInterruptedOpen: number;
  /** Fewest operations a writer killed while running acknowledged. */
  minAckedPerRunningKill: number;
}

const openStore = (location: string): Promise<Memex> => (isPgLocation(location) ? openAt(location) : openMemex({ path: location }));

async function runLoop(dbPath: string, iterations: number, seed: number, model: VectorCrashModel): Promise<Run> {
  const started = performance.now();
  const rng = mulberry32(seed);
  const search: SearchTotals = { searches: 0, withTies: 0, gets: 0 };
  const failures: string[] = [];
  let watcher: Memex | undefined;
  let watcherChecks = 0;
  let watcherRebuilds = 0;
  const rebuildsOf = async (mx: Memex) => (await mx.stats()).stores.vectors?.indexRebuilds ?? 0;
  let copies = 0;
  let maxDocs = 0;
  let done = 0;
  const openTimes = new OpenTimes();
  let killsDuringOpen = 0;
  let writesAfterInterruptedOpen = 0;
  let minAckedPerRunningKill = Infinity;
  let previous: string | undefined;
  try {
    for (let i = 0; i < iterations; i++) {
      const g = i + 1;
      const durability = i % 2 === 0 ? 'full' : 'normal';
      const maxEvents = i % 3 === 2 ? 25 : 100_000;
      const watch = Math.floor(i / 4) % 2 === 0;
      if (watch && !watcher) watcher = await openStore(dbPath);
      if (!watch && watcher) {
        watcherRebuilds += await rebuildsOf(watcher);
        await watcher.close();
        watcher = undefined;
      }

      model.startGeneration(g);
      const ackedBefore = model.totals.acked;
      const run = await runWriterUntilKilled(
        WRITER,
        [dbPath, durability, String(g), String(Math.floor(rng() * 2 ** 31)), String(maxEvents)],
        (line) => model.onLine(line),
        rng,
        { plan: planFor(i), openTimes, minAcks: MIN_ACKS },
      );
      if (run.outcome === 'no-ack') {
        const why = { exit: 'exited', timeout: 'acknowledged nothing', stalled: `acknowledged fewer than ${MIN_ACKS} operations` }[run.reason];
        failures.push(`iteration ${i}: writer ${why} within 30 s of its start\n${run.stderr}`);
        break;
      }
      const { killDelayMs, exit, stderr, plan, reached } = run;
      model.endGeneration();
      done++;
      // Where the kill landed, from what the writer printed before it died.
      const acked = model.totals.acked - ackedBefore;
      if (reached === 'opening') killsDuringOpen++;
      if (previous === 'opening' && acked > 0) writesAfterInterruptedOpen++;
      if (plan === 'running') minAckedPerRunningKill = Math.min(minAckedPerRunningKill, acked);
      previous = reached;
      const when = plan === 'startup' ? `${killDelayMs} ms after announcing its open` : `${killDelayMs} ms after the first ack`;
      const label = `iteration ${i} (${durability}, maxEvents ${maxEvents}, killed ${when}, reached '${reached}'${watcher ? ', watcher open' : ''})`;
      const its: string[] = [];
      if (run.outOfOrder) its.push(`${label}: the writer's output broke its protocol\n${stderr}`);
      if (exit.signal !== 'SIGKILL') its.push(`${label}: writer ended by itself (code ${exit.code}, signal ${exit.signal})\n${stderr}`);

      let checkPath = dbPath;
      // PostgreSQL is checked in place: the server, not a file, is what the next writer meets.
      if (!watcher && i !== iterations - 1 && !isPgLocation(dbPath)) {
        checkPath = copyForCheck(dbPath);
        copies++;
      }
      const raw = await readRaw(checkPath);
      if (raw.integrity.length !== 1 || raw.integrity[0] !== 'ok') its.push(`${label}: integrity_check: ${raw.integrity.slice(0, 10).join(' | ')}`);
      its.push(...raw.problems.map((p) => `${label}: ${p}`));
      if (raw.rows.size > 0 && raw.dimension !== DIM) its.push(`${label}: the collection's dimension is ${raw.dimension}, expected ${DIM}`);
      its.push(...model.verify(raw.rows, label));
      maxDocs = Math.max(maxDocs, raw.rows.size);

      const fresh = await openStore(checkPath);
      try {
        its.push(...(await checkThroughMemex(fresh, `${label}, fresh openMemex`, raw, model.gone, rng, search)));
      } finally {
        await fresh.close();
      }
      if (watcher && checkPath === dbPath) {
        watcherChecks++;
        its.push(...(await checkThroughMemex(watcher, `${label}, Memex kept open across kills`, raw, model.gone, rng, search)));
      }
      if (its.length > 0) {
        failures.push(...its.slice(0, 30));
        break;
      }
    }
  } finally {
    if (watcher) watcherRebuilds += await rebuildsOf(watcher);
    await watcher?.close();
  }
  return {
    iterations: done,
    failures,
    elapsedMs: performance.now() - started,
    search,
    watcherChecks,
    watcherRebuilds,
    copies,
    maxDocs,
    killsDuringOpen,
    writesAfterInterruptedOpen,
    minAckedPerRunningKill,
  };
}

describe.each(['sqlite', 'postgres'] as const)('crash: vector writer SIGKILLed during batched upserts and deletes on one store (%s)', (engine) => {
  afterAll(async () => {
    cleanupTemp();
    await cleanupLocations();
  });

  const ITERATIONS = iterationsOf(engine);
  it(
    `after each of ${ITERATIONS} kills: integrity ok, no batch half applied, search equals an exact scan over the surviving records`,
    async () => {
      const model = new VectorCrashModel();
      const run = await runLoop(engine === 'sqlite' ? tempDbPath('vectors-crash.db') : newLocation('postgres'), ITERATIONS, SEED, model);
      const t = model.totals;
      console.log(
        `vector crash loop: ${run.iterations} kills (seed ${SEED}) in ${(run.elapsedMs / 1000).toFixed(1)} s; ` +
          `acknowledged ${t.acked} of ${t.issued} operations (${t.upserts} batches = ${t.docsWritten} docs, ${t.deletes} deletes, ` +
          `${t.deleteWheres} deleteWheres removing ${t.deletedByWhere}, ${t.badRejected} bad batches rejected); ` +
          `in flight at the kill: committed ${t.inFlightCommitted}, not committed ${t.inFlightLost}, no-op ${t.inFlightNoop}; ` +
          `batch checks ${t.batchChecks}; searches compared ${run.search.searches} (${run.search.withTies} with exact ties), gets ${run.search.gets}; ` +
          `kills inside the open or index load ${run.killsDuringOpen} (writes after them ${run.writesAfterInterruptedOpen}), fewest acknowledged per running kill ${run.minAckedPerRunningKill}; ` +
          `checks on a Memex kept open ${run.watcherChecks} (rebuilds after trimmed events ${run.watcherRebuilds}), on copies ${run.copies}; largest collection ${run.maxDocs} docs; torn lines ${t.tornLines}`,
      );
      expect(run.failures, `seed ${SEED}; rerun with MEMEX_VECTOR_CRASH_SEED=${SEED}`).toEqual([]);
      expect(run.iterations).toBe(ITERATIONS);
      // Floors a stalled or idle writer would miss: every writer killed while running acknowledged
      // operations of its own, some kills landed inside the open or the index load and the next
      // writer wrote after them, every kind of operation was acknowledged, kills caught operations
      // in flight and some of those committed, bad batches were rejected, the Memex kept open across
      // kills checked the feed and rebuilt after trimmed events (what this file's header promises).
      expect(run.minAckedPerRunningKill, 'operations acknowledged by each writer killed while running').toBeGreaterThanOrEqual(MIN_ACKS);
      expect(run.killsDuringOpen, 'kills inside the open or the index load').toBeGreaterThan(0);
      expect(run.writesAfterInterruptedOpen, 'writers that wrote right after a kill inside the open').toBeGreaterThan(0);
      expect(t.upserts, 'acknowledged batches').toBeGreaterThanOrEqual(3 * ITERATIONS);
      expect(t.deletes, 'acknowledged deletes').toBeGreaterThan(0);
      expect(t.deleteWheres, 'acknowledged deleteWheres').toBeGreaterThan(0);
      expect(t.badRejected, 'bad batches rejected').toBeGreaterThan(0);
      expect(t.inFlightCommitted, 'in-flight operations found committed').toBeGreaterThan(0);
      expect(t.inFlightCommitted + t.inFlightLost + t.inFlightNoop, 'kills with an operation in flight').toBeGreaterThanOrEqual(
        Math.ceil(ITERATIONS / 2),
      );
      expect(t.batchChecks).toBeGreaterThanOrEqual(ITERATIONS);
      expect(run.search.searches).toBeGreaterThanOrEqual(ITERATIONS);
      expect(run.watcherChecks, 'checks on the Memex kept open').toBeGreaterThan(0);
      expect(run.watcherRebuilds, 'rebuilds of the kept-open index after trimmed events').toBeGreaterThan(0);
    },
    60_000 + ITERATIONS * 5_000,
  );
});
