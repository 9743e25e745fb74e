/**
 * One engine of bench/vectors.ts in its own process (so its memory is its own): loads the
 * dataset the parent wrote, prints `ready`, waits for `go`, measures, prints one JSON report.
 *
 *   node --import tsx bench/lib/vectors-child.ts '<VectorsChildConfig as JSON>'
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import hnswlib from 'hnswlib-node';
import { newGraph } from '../../src/stores/vectors/ann.js';
import { sequentialKeys } from './usearch-configs.js';
import { openMemex, type Memex } from '../../src/index.js';
import { ready, report } from './child.js';
import { Histogram } from './histogram.js';
import { interleave } from './interleave.js';
import { FILTER_BUCKET, bruteTopK, bucketOf, docId, docIndex, dot, row, type VectorSet } from './vectors-data.js';
import {
  HNSW,
  TOP_K,
  type BruteReport,
  type MemexReport,
  type QueryRun,
  type RawReport,
  type UsearchReport,
  type VectorsChildConfig,
} from './vectors-protocol.js';

const { HierarchicalNSW } = hnswlib;
const UPSERT_BATCH = 1000;
const MiB = 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Resident set after a full garbage collection (so garbage of earlier steps does not count). */
const rssMiB = (): number => {
  gc();
  return Math.round((process.memoryUsage().rss / MiB) * 10) / 10;
};
/** Peak resident set of this process (resourceUsage reports KiB). */
const peakMiB = (): number => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

function load(file: string, n: number, dim: number): VectorSet {
  const buf = readFileSync(file);
  if (buf.byteLength !== n * dim * 4) throw new Error(`${file}: expected ${n * dim * 4} bytes, got ${buf.byteLength}`);
  if (buf.byteOffset % 4 === 0) return { n, dim, data: new Float32Array(buf.buffer, buf.byteOffset, n * dim) };
  const data = new Float32Array(n * dim);
  new Uint8Array(data.buffer).set(buf);
  return { n, dim, data };
}

/**
 * Runs `search` over the queries, cycling, until at least `seconds` have passed and at least
 * `truth` queries ran; keeps the results of the first `truth` queries (for recall).
 */
async function timed(
  queries: VectorSet,
  truth: number,
  seconds: number,
  search: (q: Float32Array) => number[] | Promise<number[]>,
): Promise<QueryRun> {
  const hist = new Histogram();
  const found: number[][] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let i = 0;
  for (; i < truth || performance.now() < end; i++) {
    const t0 = performance.now();
    const r = await search(row(queries, i % queries.n));
    hist.record(performance.now() - t0);
    if (i < truth) found.push(r);
  }
  const elapsedMs = performance.now() - start;
  return { queries: i, elapsedMs, qps: (i / elapsedMs) * 1000, hist: hist.toJSON(), found };
}

const inBucket = (i: number): boolean => bucketOf(i) === FILTER_BUCKET;

async function brute(c: VectorsChildConfig, docs: VectorSet, queries: VectorSet, loaded: number): Promise<BruteReport> {
  // The oracle: exactly `truthQueries` queries each (its QPS needs no longer loop).
  let nn1 = 0;
  let nn10 = 0;
  const unfiltered = await timed(queries, c.truthQueries, 0, (q) => {
    const top = bruteTopK(docs, q, TOP_K);
    nn1 += top[0]?.[1] ?? 0;
    nn10 += top[TOP_K - 1]?.[1] ?? 0;
    return top.map(([i]) => i);
  });
  const filtered = await timed(queries, c.truthQueries, 0, (q) => bruteTopK(docs, q, TOP_K, inBucket).map(([i]) => i));
  let random = 0;
  const pairs = 2000;
  for (let p = 0; p < pairs; p++) random += dot(row(docs, (p * 7919) % docs.n), row(docs, (p * 104_729 + 13) % docs.n));
  const m = unfiltered.found.length;
  return {
    engine: 'brute',
    unfiltered,
    filtered,
    cos: { nn1: nn1 / m, nn10: nn10 / m, random: random / pairs },
    rss: { loaded, afterQueries: rssMiB() },
    peakRssMiB: peakMiB(),
  };
}

function listFiles(dir: string): Record<string, number> {
  const files: Record<string, number> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    files[relative(dir, p)] = statSync(p).size;
  }
  return files;
}

/** Resolves once every callback queued before the call (setImmediate) has run. */
const drain = () => new Promise<void>((r) => setImmediate(r));

const REOPENS = 3;
const INTERLEAVE_ROUNDS = 30;

async function vectorCounters(mx: Memex): Promise<Record<string, number>> {
  return { ...((await mx.stats()).stores.vectors ?? {}) };
}

async function memex(c: VectorsChildConfig, docs: VectorSet, queries: VectorSet, loaded: number): Promise<MemexReport> {
  const path = join(c.dir, 'memex.db');
  let mx: Memex = await openMemex({ path, durability: 'normal' });
  const ids = (hits: readonly { id: string }[]): number[] => hits.map((h) => docIndex(h.id));
  const search = (q: Float32Array, filter?: Record<string, unknown>) =>
    mx.vectors.search({ vector: q, topK: TOP_K, ...(filter ? { filter } : {}) }).then(ids);

  // Upserts: batches of 1000 documents with given vectors and a 10-valued `bucket`.
  const t0 = performance.now();
  for (let start = 0; start < docs.n; start += UPSERT_BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(docs.n, start + UPSERT_BATCH); i++)
      batch.push({ id: docId(i), vector: row(docs, i), metadata: { bucket: bucketOf(i) } });
    await mx.vectors.upsert(batch);
  }
  const upsertMs = performance.now() - t0;
  const afterUpsert = rssMiB();
  process.stderr.write(`  memex: upserted ${docs.n} in ${(upsertMs / 1000).toFixed(1)} s; first search (index build) …\n`);

  // The first search catches the index up and starts the graph build on a worker thread (it is
  // answered by an exact scan meanwhile); the build ends when the graph is installed.
  const t1 = performance.now();
  await search(row(queries, 0));
  const firstSearchMs = performance.now() - t1;
  await mx.vectors.waitForIndex();
  const buildMs = performance.now() - t1;
  // The first search schedules a save of the new index after its answer: let it finish (and time
  // it) so that it does not land inside the query loop.
  const t1s = performance.now();
  await drain();
  const deferredSaveMs = performance.now() - t1s;
  const filesAfterBuild = listFiles(c.dir);
  const afterBuild = rssMiB();
  process.stderr.write(
    `  memex: first search ${(firstSearchMs / 1000).toFixed(2)} s, graph ready ${(buildMs / 1000).toFixed(1)} s, then its save ${(deferredSaveMs / 1000).toFixed(1)} s; queries …\n`,
  );

  const unfiltered = await timed(queries, c.truthQueries, c.seconds, (q) => search(q));
  const filtered = await timed(queries, c.truthQueries, c.seconds, (q) => search(q, { bucket: FILTER_BUCKET }));
  const counts: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    await mx.vectors.count({ bucket: FILTER_BUCKET });
    counts.push(performance.now() - t);
  }
  counts.sort((x, y) => x - y);
  const afterQueries = rssMiB();
  const first = await vectorCounters(mx);

  const reopens = [];
  for (let r = 0; r < REOPENS; r++) {
    const t2 = performance.now();
    await mx.close();
    const closeMs = performance.now() - t2;
    const t3 = performance.now();
    mx = await openMemex({ path, durability: 'normal' });
    const openMs = performance.now() - t3;
    const t4 = performance.now();
    await search(row(queries, 1 + r));
    const firstSearchMs = performance.now() - t4;
    const totalMs = performance.now() - t3;
    const t5 = performance.now();
    await search(row(queries, 1 + REOPENS + r));
    const secondSearchMs = performance.now() - t5;
    await drain();
    reopens.push({ closeMs, openMs, firstSearchMs, totalMs, secondSearchMs });
    process.stderr.write(
      `  memex: reopen ${r + 1}: close ${(closeMs / 1000).toFixed(2)} s, openMemex + first search ${(totalMs / 1000).toFixed(2)} s\n`,
    );
  }
  const afterReopen = await timed(queries, c.truthQueries, 0, (q) => search(q));
  const reopened = await vectorCounters(mx);
  const rssAfterReopen = rssMiB();
  const peakRss = peakMiB();
  // Memex against the raw graph over the same vectors, alternating in this process (the separate
  // raw usearch child is the other measure; this one does not move with the machine's load).
  process.stderr.write('  memex: interleaved with raw usearch in one process …\n');
  const rawGraph = newGraph(docs.dim);
  rawGraph.add(sequentialKeys(docs.n), docs.data, 0);
  const vsUsearch = await interleave(
    INTERLEAVE_ROUNDS,
    Math.min(queries.n, 300),
    (i) => mx.vectors.search({ vector: row(queries, i), topK: TOP_K }),
    (i) => rawGraph.search(row(queries, i), TOP_K, 1),
  );
  await mx.close();

  return {
    engine: 'memex',
    upsertMs,
    docsPerSec: (docs.n / upsertMs) * 1000,
    buildMs,
    firstSearchMs,
    deferredSaveMs,
    filesAfterBuild,
    unfiltered,
    filtered,
    countFilterMs: counts[counts.length >> 1]!,
    reopens,
    afterReopen,
    counters: { first, reopened },
    files: listFiles(c.dir),
    vsUsearch,
    rss: { loaded, afterUpsert, afterBuild, afterQueries, afterReopen: rssAfterReopen },
    peakRssMiB: peakRss,
  };
}

async function raw(c: VectorsChildConfig, docs: VectorSet, queries: VectorSet, loaded: number): Promise<RawReport> {
  // hnswlib-node as documented: cosine space, addPoint(Array.from(v), label) one at a time (its only insert), one thread.
  const t0 = performance.now();
  const index = new HierarchicalNSW('cosine', docs.dim);
  index.initIndex({ maxElements: docs.n, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: HNSW.randomSeed });
  for (let i = 0; i < docs.n; i++) index.addPoint(Array.from(row(docs, i)), i);
  index.setEf(HNSW.ef);
  const buildMs = performance.now() - t0;
  const afterBuild = rssMiB();
  process.stderr.write(`  raw hnswlib: built in ${(buildMs / 1000).toFixed(1)} s; queries …\n`);

  const unfiltered = await timed(queries, c.truthQueries, c.seconds, (q) => index.searchKnn(Array.from(q), TOP_K).neighbors);
  const filtered = await timed(queries, c.truthQueries, c.seconds, (q) => index.searchKnn(Array.from(q), TOP_K, inBucket).neighbors);

  const file = join(c.dir, 'raw.hnsw');
  const t1 = performance.now();
  index.writeIndexSync(file);
  const writeMs = performance.now() - t1;
  const t2 = performance.now();
  const again = new HierarchicalNSW('cosine', docs.dim);
  again.readIndexSync(file);
  again.setEf(HNSW.ef);
  const readMs = performance.now() - t2;
  const t3 = performance.now();
  again.searchKnn(Array.from(row(queries, 1)), TOP_K);
  const firstSearchMs = performance.now() - t3;
  return {
    engine: 'raw',
    buildMs,
    unfiltered,
    filtered,
    writeMs,
    reopen: { readMs, firstSearchMs, totalMs: readMs + firstSearchMs },
    indexBytes: statSync(file).size,
    rss: { loaded, afterBuild },
    peakRssMiB: peakMiB(),
  };
}

async function usearchRaw(c: VectorsChildConfig, docs: VectorSet, queries: VectorSet, loaded: number): Promise<UsearchReport> {
  // Memex's graph, driven directly: the unit vectors in one add on all cores, then asked for 10
  // neighbours with no exact re-scoring (what Memex adds on top).
  const t0 = performance.now();
  const index = newGraph(docs.dim);
  index.add(sequentialKeys(docs.n), docs.data, 0);
  const buildMs = performance.now() - t0;
  const afterBuild = rssMiB();
  process.stderr.write(`  raw usearch: built in ${(buildMs / 1000).toFixed(1)} s; queries …\n`);
  const unfiltered = await timed(queries, c.truthQueries, c.seconds, (q) => Array.from(index.search(q, TOP_K, 1).keys, Number));
  return { engine: 'usearch', buildMs, unfiltered, rss: { loaded, afterBuild }, peakRssMiB: peakMiB() };
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2] ?? '') as VectorsChildConfig;
  const docs = load(c.docsFile, c.n, c.dim);
  const queries = load(c.queriesFile, c.queries, c.dim);
  const loaded = rssMiB();
  await ready();
  if (c.engine === 'brute') report(await brute(c, docs, queries, loaded));
  else if (c.engine === 'memex') report(await memex(c, docs, queries, loaded));
  else if (c.engine === 'raw') report(await raw(c, docs, queries, loaded));
  else report(await usearchRaw(c, docs, queries, loaded));
}

main().catch((e: unknown) => {
  process.stderr.write(`vectors child failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
