/** What bench/vectors.ts and its child processes (bench/lib/vectors-child.ts) exchange. */
import type { HistogramJSON } from './histogram.js';
import type { Interleaved } from './interleave.js';

export type VectorEngine = 'brute' | 'memex' | 'raw' | 'usearch';

/** HNSW parameters of raw hnswlib-node (hnswlib's usual M and efConstruction; ef 128). */
export const HNSW = { m: 16, efConstruction: 200, ef: 128, randomSeed: 100 } as const;
export const TOP_K = 10;

export interface VectorsChildConfig {
  readonly engine: VectorEngine;
  readonly dataset: string;
  /** Float32 row-major files written by the parent. */
  readonly docsFile: string;
  readonly queriesFile: string;
  readonly n: number;
  readonly dim: number;
  /** Queries in the queries file (the QPS loops cycle over them). */
  readonly queries: number;
  /** The first `truthQueries` queries have exact ground truth: their results are reported for recall. */
  readonly truthQueries: number;
  /** Each QPS loop runs at least this long (and at least `truthQueries` queries). */
  readonly seconds: number;
  /** A private directory for the engine's files. */
  readonly dir: string;
}

/** Memory at named points of a child's run, in MiB, each taken right after a full garbage collection. */
export interface RssPoints {
  /** After loading the vectors (the baseline every engine starts from). */
  readonly loaded: number;
  readonly [point: string]: number;
}

/** One timed query loop: throughput, latency, and the first `truthQueries` results as document indexes. */
export interface QueryRun {
  readonly queries: number;
  readonly elapsedMs: number;
  readonly qps: number;
  readonly hist: HistogramJSON;
  readonly found: number[][];
}

export interface BruteReport {
  readonly engine: 'brute';
  readonly unfiltered: QueryRun;
  readonly filtered: QueryRun;
  /** Mean cosine of the 1st and 10th exact neighbour, and between random document pairs: how separable the data is. */
  readonly cos: { readonly nn1: number; readonly nn10: number; readonly random: number };
  readonly rss: RssPoints;
  readonly peakRssMiB: number;
}

/** One close, `openMemex`, first search cycle. */
export interface ReopenRun {
  readonly closeMs: number;
  readonly openMs: number;
  readonly firstSearchMs: number;
  /** `openMemex` + the first search (the reopen target). */
  readonly totalMs: number;
  readonly secondSearchMs: number;
}

export interface MemexReport {
  readonly engine: 'memex';
  readonly upsertMs: number;
  readonly docsPerSec: number;
  /** The first search after the upserts (it builds the derived index). */
  /** The first search after the upserts: catches up and starts the graph build (answered by an exact scan). */
  readonly firstSearchMs: number;
  /** From that first search until the graph is installed (`vectors.waitForIndex()`). */
  readonly buildMs: number;
  /** The save the first search schedules (setImmediate, after its answer), until the event loop is free again. */
  readonly deferredSaveMs: number;
  /** Files in the engine's directory once that save is done. */
  readonly filesAfterBuild: Record<string, number>;
  readonly unfiltered: QueryRun;
  readonly filtered: QueryRun;
  /** Median of `vectors.count(filter)` (counting the matching records). */
  readonly countFilterMs: number;
  /** Reopen cycles (close, openMemex, first search), in order. */
  readonly reopens: ReopenRun[];
  /** Recall of the truth queries answered after the last reopen. */
  readonly afterReopen: QueryRun;
  /** The `vectors` store counters (indexRebuilds, indexLoads …) of the first instance and of the last reopened one. */
  readonly counters: { readonly first: Record<string, number>; readonly reopened: Record<string, number> };
  /** Every file under the engine's directory after the last close (database, WAL, saved index …). */
  readonly files: Record<string, number>;
  /** `vectors.search` (a) against raw usearch over the same vectors (b, asked for TOP_K), alternating in this process. */
  readonly vsUsearch: Interleaved;
  readonly rss: RssPoints;
  /** Peak RSS before the raw graph for `vsUsearch` was built. */
  readonly peakRssMiB: number;
}

export interface RawReport {
  readonly engine: 'raw';
  readonly buildMs: number;
  readonly unfiltered: QueryRun;
  readonly filtered: QueryRun;
  /** `writeIndexSync`, then a fresh `readIndexSync` + first search: raw hnswlib's own persistence. */
  readonly writeMs: number;
  readonly reopen: { readonly readMs: number; readonly firstSearchMs: number; readonly totalMs: number };
  readonly indexBytes: number;
  readonly rss: RssPoints;
  readonly peakRssMiB: number;
}

/** usearch driven directly with Memex's graph parameters (src/stores/vectors/ann.ts `GRAPH`), asked for 10. */
export interface UsearchReport {
  readonly engine: 'usearch';
  readonly buildMs: number;
  readonly unfiltered: QueryRun;
  readonly rss: RssPoints;
  readonly peakRssMiB: number;
}

export type VectorsChildReport = BruteReport | MemexReport | RawReport | UsearchReport;
