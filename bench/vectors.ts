/**
 * Vector search benchmarks (issue 4): Memex's `vectors` store against raw hnswlib-node (the same
 * HNSW parameters) and a plain JS brute-force scan (also the exact oracle for recall), on
 * generated datasets, side by side in one run. Each engine runs in its own child process
 * (bench/lib/vectors-child.ts), one after another, so its memory and CPU are its own.
 *
 *   npx tsx bench/vectors.ts                 # 100k x 384, both datasets (6-8 min on 2 cores)
 *   npx tsx bench/vectors.ts --quick         # 20k x 384, 100 truth queries, 1 s query loops (~1 min)
 *   npx tsx bench/vectors.ts --n 50000 --datasets clustered
 *   npx tsx bench/vectors.ts --help
 *
 * Prints a Markdown section on stdout (progress goes to stderr) and writes the same Markdown and
 * the full JSON to bench/results/ (git-ignored).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cliHelpers } from './lib/cli.js';
import { benchEnv, packageVersion } from './lib/env.js';
import { int, ms, ratio, table } from './lib/format.js';
import { Histogram } from './lib/histogram.js';
import { runChildren } from './lib/phase.js';
import { BUCKETS, DATASETS, FILTER_BUCKET, datasetByName, generate, recallAt, type DatasetSpec } from './lib/vectors-data.js';
import {
  HNSW,
  TOP_K,
  type BruteReport,
  type MemexReport,
  type QueryRun,
  type RawReport,
  type ReopenRun,
  type VectorEngine,
  type VectorsChildConfig,
  type VectorsChildReport,
} from './lib/vectors-protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./lib/vectors-child.ts', import.meta.url));
/** A child may take minutes (an HNSW build of 100k x 384 alone is ~80 s here). */
const CHILD_LIMIT_MS = 30 * 60_000;

const TARGETS = { recall: 0.95, qpsRatio: 1.0, reopenMs: 1000, docsPerSec: 20_000, buildRatio: 1.0 } as const;

const HELP = `Usage: npx tsx bench/vectors.ts [options]

  --n <n>              documents per dataset (default 100000; 20000 with --quick)
  --dim <n>            dimensions (default 384)
  --quick              20k documents, 100 truth queries, 1 s query loops (about 1 min)
  --queries <n>        queries with exact ground truth, for recall (default 200; 100 with --quick)
  --seconds <n>        minimum duration of each Memex / raw query loop (default 5; 1 with --quick)
  --datasets <list>    ${DATASETS.map((d) => d.name).join(', ')} (default both)
  --out <dir>          where the JSON and Markdown go (default bench/results)
  --help
`;

const cli = cliHelpers(HELP);
/** A declared function, so the compiler knows it never returns. */
function usageError(message: string): never {
  return cli.usageError(message);
}

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usageError(`${name} must be a positive integer, got ${v}`);
  return n;
}

interface DatasetResult {
  readonly spec: DatasetSpec;
  readonly generateMs: number;
  readonly brute: BruteReport;
  readonly memex: MemexReport;
  readonly raw: RawReport;
  readonly recall: {
    readonly memex: number;
    readonly memexFiltered: number;
    readonly memexAfterReopen: number;
    readonly raw: number;
    readonly rawFiltered: number;
  };
}

/**
 * A digest of every file under src/ (read directly, no git): src is read by each child when it
 * starts, so a digest that differs between start and end means the code changed during the run.
 */
function srcDigest(): string {
  const h = createHash('sha256');
  const dir = join(ROOT, 'src');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 12);
}

const progress = (s: string) => process.stderr.write(`${s}\n`);

async function runEngine<R extends VectorsChildReport>(engine: VectorEngine, base: Omit<VectorsChildConfig, 'engine' | 'dir'>, root: string): Promise<R> {
  const dir = join(root, engine);
  mkdirSync(dir);
  const t = performance.now();
  const [r] = await runChildren<R>([{ script: CHILD, config: { ...base, engine, dir }, name: `${engine} ${base.dataset}` }], CHILD_LIMIT_MS);
  rmSync(dir, { recursive: true, force: true });
  progress(`  ${engine}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r!;
}

async function runDataset(spec: DatasetSpec, n: number, dim: number, nQueries: number, truthQueries: number, seconds: number): Promise<DatasetResult> {
  const root = mkdtempSync(join(tmpdir(), 'memex-bench-vectors-'));
  try {
    progress(`${spec.name}: generating ${int(n)} x ${dim} (+ ${nQueries} queries) …`);
    const t = performance.now();
    const { docs, queries } = generate(spec, n, nQueries, dim);
    const generateMs = performance.now() - t;
    const docsFile = join(root, 'docs.f32');
    const queriesFile = join(root, 'queries.f32');
    writeFileSync(docsFile, new Uint8Array(docs.data.buffer));
    writeFileSync(queriesFile, new Uint8Array(queries.data.buffer));
    const base = { dataset: spec.name, docsFile, queriesFile, n, dim, queries: nQueries, truthQueries, seconds };
    progress(`${spec.name}: brute force (ground truth) …`);
    const brute = await runEngine<BruteReport>('brute', base, root);
    progress(`${spec.name}: memex …`);
    const memex = await runEngine<MemexReport>('memex', base, root);
    progress(`${spec.name}: raw hnswlib-node …`);
    const raw = await runEngine<RawReport>('raw', base, root);
    const truth = brute.unfiltered.found;
    const truthF = brute.filtered.found;
    return {
      spec,
      generateMs,
      brute,
      memex,
      raw,
      recall: {
        memex: recallAt(TOP_K, memex.unfiltered.found, truth),
        memexFiltered: recallAt(TOP_K, memex.filtered.found, truthF),
        memexAfterReopen: recallAt(TOP_K, memex.afterReopen.found, truth),
        raw: recallAt(TOP_K, raw.unfiltered.found, truth),
        rawFiltered: recallAt(TOP_K, raw.filtered.found, truthF),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The median reopen cycle (by openMemex + first search). */
const medianReopen = (m: MemexReport): ReopenRun => [...m.reopens].sort((a, b) => a.totalMs - b.totalMs)[m.reopens.length >> 1]!;
const filesList = (files: Record<string, number>): string =>
  Object.entries(files)
    .map(([f, b]) => `${f} ${bytesMiB(b)}`)
    .join(', ');

const counterList = (c: Record<string, number>): string =>
  Object.entries(c)
    .filter(([k]) => !['conflicts'].includes(k))
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(', ');
const sec = (msValue: number): string => `${(msValue / 1000).toFixed(msValue >= 10_000 ? 1 : 2)} s`;
const rec = (r: number): string => r.toFixed(4);
const mib = (m: number): string => `${int(m)} MiB`;
const bytesMiB = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
const lat = (run: QueryRun): { p50: string; p99: string } => {
  const h = Histogram.from(run.hist).summary();
  return { p50: ms(h.p50Ms), p99: ms(h.p99Ms) };
};

interface TargetRow {
  readonly target: string;
  readonly wanted: string;
  readonly dataset: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  readonly missedBy: string;
}

function targets(r: DatasetResult): TargetRow[] {
  const d = r.spec.name;
  const qpsRatio = r.memex.unfiltered.qps / r.raw.unfiltered.qps;
  const buildRatio = r.memex.buildMs / r.raw.buildMs;
  const reopen = medianReopen(r.memex).totalMs;
  const short = (got: number, want: number) => `${((1 - got / want) * 100).toFixed(0)}% short (needs ${ratio(want / got)} the measured value)`;
  return [
    {
      target: 'recall@10, unfiltered (memex vs exact)',
      wanted: `>= ${TARGETS.recall}`,
      dataset: d,
      measured: rec(r.recall.memex),
      met: r.recall.memex >= TARGETS.recall,
      missedBy: r.recall.memex >= TARGETS.recall ? '—' : `${(TARGETS.recall - r.recall.memex).toFixed(4)}`,
    },
    {
      target: 'QPS unfiltered, memex / raw hnswlib-node',
      wanted: `>= ${ratio(TARGETS.qpsRatio)}`,
      dataset: d,
      measured: `${ratio(qpsRatio)} (${int(r.memex.unfiltered.qps)} / ${int(r.raw.unfiltered.qps)})`,
      met: qpsRatio >= TARGETS.qpsRatio,
      missedBy: qpsRatio >= TARGETS.qpsRatio ? '—' : short(qpsRatio, TARGETS.qpsRatio),
    },
    {
      target: `reopen: openMemex + first search (median of ${r.memex.reopens.length})`,
      wanted: '< 1 s',
      dataset: d,
      measured: sec(reopen),
      met: reopen < TARGETS.reopenMs,
      missedBy: reopen < TARGETS.reopenMs ? '—' : `${sec(reopen - TARGETS.reopenMs)} over (${ratio(reopen / TARGETS.reopenMs)} the limit)`,
    },
    {
      target: 'upsert with given vectors, batches of 1000',
      wanted: `>= ${int(TARGETS.docsPerSec)} docs/s`,
      dataset: d,
      measured: `${int(r.memex.docsPerSec)} docs/s`,
      met: r.memex.docsPerSec >= TARGETS.docsPerSec,
      missedBy: r.memex.docsPerSec >= TARGETS.docsPerSec ? '—' : short(r.memex.docsPerSec, TARGETS.docsPerSec),
    },
    {
      target: 'index build (first search) vs raw hnswlib-node build',
      wanted: `<= ${ratio(TARGETS.buildRatio)}`,
      dataset: d,
      measured: `${ratio(buildRatio)} (${sec(r.memex.buildMs)} / ${sec(r.raw.buildMs)})`,
      met: buildRatio <= TARGETS.buildRatio,
      missedBy: buildRatio <= TARGETS.buildRatio ? '—' : `${sec(r.memex.buildMs - r.raw.buildMs)} longer (${((buildRatio - 1) * 100).toFixed(0)}%)`,
    },
    {
      target: `recall@10 with a 10% filter { bucket: ${FILTER_BUCKET} }`,
      wanted: 'stated',
      dataset: d,
      measured: `${rec(r.recall.memexFiltered)} (raw hnswlib-node with a label filter: ${rec(r.recall.rawFiltered)})`,
      met: undefined,
      missedBy: '—',
    },
  ];
}

function datasetSection(r: DatasetResult, n: number, dim: number): string {
  const { brute, memex, raw } = r;
  const lm = lat(memex.unfiltered);
  const lmf = lat(memex.filtered);
  const lr = lat(raw.unfiltered);
  const lrf = lat(raw.filtered);
  const lb = lat(brute.unfiltered);
  const lbf = lat(brute.filtered);
  const memexFiles = Object.values(memex.files).reduce((a, b) => a + b, 0);
  const rows = [
    [
      'memex `vectors.search`',
      sec(memex.buildMs),
      sec(medianReopen(memex).totalMs),
      int(memex.unfiltered.qps),
      lm.p50,
      lm.p99,
      rec(r.recall.memex),
      int(memex.filtered.qps),
      lmf.p50,
      lmf.p99,
      rec(r.recall.memexFiltered),
      `${mib(memex.rss.afterBuild ?? 0)} (+${int((memex.rss.afterBuild ?? 0) - memex.rss.loaded)})`,
      mib(memex.peakRssMiB),
    ],
    [
      'raw hnswlib-node',
      sec(raw.buildMs),
      sec(raw.reopen.totalMs),
      int(raw.unfiltered.qps),
      lr.p50,
      lr.p99,
      rec(r.recall.raw),
      int(raw.filtered.qps),
      lrf.p50,
      lrf.p99,
      rec(r.recall.rawFiltered),
      `${mib(raw.rss.afterBuild ?? 0)} (+${int((raw.rss.afterBuild ?? 0) - raw.rss.loaded)})`,
      mib(raw.peakRssMiB),
    ],
    ['plain JS brute force (exact)', '—', '—', int(brute.unfiltered.qps), lb.p50, lb.p99, '1 (oracle)', int(brute.filtered.qps), lbf.p50, lbf.p99, '1 (oracle)', mib(brute.rss.loaded), mib(brute.peakRssMiB)],
  ];
  const head = [
    'engine',
    'build',
    'reopen',
    'QPS',
    'p50 ms',
    'p99 ms',
    'recall@10',
    'filtered QPS',
    'filtered p50 ms',
    'filtered p99 ms',
    'filtered recall@10',
    'RSS after build (MiB over loaded data)',
    'peak RSS',
  ];
  const rss = Object.entries(memex.rss)
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(', ');
  return [
    `#### ${r.spec.name}: ${int(n)} x ${dim} — ${r.spec.description}`,
    '',
    `Generated in ${sec(r.generateMs)} (seed ${r.spec.seed}). Mean cosine of the exact 1st / 10th neighbour ${brute.cos.nn1.toFixed(3)} / ${brute.cos.nn10.toFixed(3)}, of random document pairs ${brute.cos.random.toFixed(3)}.`,
    '',
    table(head, rows),
    '',
    `- memex upsert: ${int(n)} documents in ${sec(memex.upsertMs)} = **${int(memex.docsPerSec)} docs/s** (batches of 1000, durability 'normal')`,
    `- memex build = the first search after the upserts: ${sec(memex.buildMs)}; raw hnswlib-node \`addPoint\` loop: ${sec(raw.buildMs)} → **${ratio(memex.buildMs / raw.buildMs)}** (with the save that search schedules, ${sec(memex.buildMs + memex.deferredSaveMs)}: ${ratio((memex.buildMs + memex.deferredSaveMs) / raw.buildMs)})`,
    `- memex QPS / raw hnswlib-node QPS, unfiltered: **${ratio(memex.unfiltered.qps / raw.unfiltered.qps)}**; filtered: ${ratio(memex.filtered.qps / raw.filtered.qps)}; memex / brute force: ${ratio(memex.unfiltered.qps / brute.unfiltered.qps)} unfiltered, ${ratio(memex.filtered.qps / brute.filtered.qps)} filtered`,
    `- memex save scheduled by that first search (after its answer, blocking the event loop): ${sec(memex.deferredSaveMs)}; files then: ${filesList(memex.filesAfterBuild)}`,
    `- memex reopen cycles (close; \`openMemex\` + first search; second search): ${memex.reopens
      .map((x) => `close ${sec(x.closeMs)}; ${sec(x.openMs)} + ${sec(x.firstSearchMs)} = **${sec(x.totalMs)}**; ${ms(x.secondSearchMs)} ms`)
      .join(' | ')}; recall@10 of the ${memex.afterReopen.found.length} truth queries after the last reopen ${rec(r.recall.memexAfterReopen)}`,
    `- memex \`vectors\` counters: first instance ${counterList(memex.counters.first)}; last reopened instance ${counterList(memex.counters.reopened)}`,
    `- memex \`vectors.count({ bucket: ${FILTER_BUCKET} })\` (counting the matches, median of 11): ${ms(memex.countFilterMs)} ms; a filtered search: p50 ${lmf.p50} ms`,
    `- raw hnswlib-node persistence: \`writeIndexSync\` ${sec(raw.writeMs)} (${bytesMiB(raw.indexBytes)}), \`readIndexSync\` ${sec(raw.reopen.readMs)} + first search ${ms(raw.reopen.firstSearchMs)} ms`,
    `- memex files after the last close: ${filesList(memex.files)} (total ${bytesMiB(memexFiles)})`,
    `- memex RSS (MiB) at: ${rss}; peak ${int(memex.peakRssMiB)}`,
    `- query loops: memex and raw ${int(memex.unfiltered.queries)} / ${int(raw.unfiltered.queries)} unfiltered and ${int(memex.filtered.queries)} / ${int(raw.filtered.queries)} filtered queries (cycling over the query set); brute force ${brute.unfiltered.queries} + ${brute.filtered.queries}`,
  ].join('\n');
}

interface RunInfo {
  readonly n: number;
  readonly dim: number;
  readonly nQueries: number;
  readonly truth: number;
  readonly seconds: number;
  readonly src: { readonly start: string; readonly end: string };
}

function report(results: readonly DatasetResult[], env: ReturnType<typeof benchEnv>, o: RunInfo, wallMs: number): string {
  const rows = results.flatMap(targets);
  const all = rows.filter((t) => t.met !== undefined);
  const met = all.filter((t) => t.met).length;
  return [
    `### Vector search benchmarks (${env.date.slice(0, 10)})`,
    '',
    `- date: ${env.date}`,
    `- command: \`${env.command}\` (${(wallMs / 1000).toFixed(0)} s wall)`,
    `- machine: ${env.nproc} cores, ${env.cpu}, ${env.ramGiB} GiB RAM, ${env.platform}; 1-min load average ${env.loadAvgStart} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at end`,
    `- Node ${env.node}, hnswlib-node ${packageVersion('hnswlib-node')}, better-sqlite3 ${env.betterSqlite3}, SQLite ${env.sqlite}`,
    `- commit (HEAD, working tree may differ): ${env.commit ?? 'unknown'}; digest of src/ ${o.src.start} at start, ${o.src.end === o.src.start ? 'unchanged at end' : `**${o.src.end} at end: the code changed during the run**`}`,
    `- ${int(o.n)} documents x ${o.dim} dims per dataset, unit vectors; metadata \`{ bucket: i % ${BUCKETS} }\`, filter \`{ bucket: ${FILTER_BUCKET} }\` (10%); topK ${TOP_K}; recall@10 over the first ${o.truth} of ${o.nQueries} queries against the brute-force scan; Memex and raw query loops at least ${o.seconds} s each, one query at a time`,
    `- HNSW (Memex's derived index and raw hnswlib-node alike): M ${HNSW.m}, efConstruction ${HNSW.efConstruction}, ef ${HNSW.ef}, cosine space, one thread; raw asks for ${TOP_K} neighbours, Memex's index asks for more candidates and re-scores them exactly`,
    '',
    `#### Targets (${met} of ${all.length} met)`,
    '',
    table(
      ['target', 'wanted', 'dataset', 'measured', 'status', 'missed by'],
      rows.map((t) => [t.target, t.wanted, t.dataset, t.measured, t.met === undefined ? 'stated' : t.met ? 'met' : '**missed**', t.missedBy]),
    ),
    '',
    ...results.flatMap((r) => [datasetSection(r, o.n, o.dim), '']),
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        n: { type: 'string' },
        dim: { type: 'string' },
        quick: { type: 'boolean', default: false },
        queries: { type: 'string' },
        seconds: { type: 'string' },
        datasets: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    usageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const quick = values.quick === true;
  const n = positiveInt(values.n, '--n', quick ? 20_000 : 100_000);
  const dim = positiveInt(values.dim, '--dim', 384);
  const truth = positiveInt(values.queries, '--queries', quick ? 100 : 200);
  const seconds = positiveInt(values.seconds, '--seconds', quick ? 1 : 5);
  if (n < 2 * TOP_K * BUCKETS) usageError(`--n must be at least ${2 * TOP_K * BUCKETS}`);
  let specs: DatasetSpec[];
  try {
    specs = values.datasets === undefined ? [...DATASETS] : values.datasets.split(',').map((s) => datasetByName(s.trim()));
  } catch (e) {
    usageError((e as Error).message);
  }
  const nQueries = Math.max(truth, 1000);
  const out = values.out ?? join(ROOT, 'bench', 'results');
  const env = benchEnv(ROOT, argv, 'bench/vectors.ts');
  const srcStart = srcDigest();
  const start = performance.now();
  const results: DatasetResult[] = [];
  for (const spec of specs) results.push(await runDataset(spec, n, dim, nQueries, truth, seconds));
  const wallMs = performance.now() - start;
  const info: RunInfo = { n, dim, nQueries, truth, seconds, src: { start: srcStart, end: srcDigest() } };
  if (info.src.end !== info.src.start) progress('warning: files under src/ changed during the run');
  const md = report(results, env, info, wallMs);
  process.stdout.write(`${md}\n`);
  mkdirSync(out, { recursive: true });
  const stamp = env.date.replace(/[:.]/g, '-');
  writeFileSync(join(out, `vectors-${stamp}.md`), `${md}\n`);
  writeFileSync(join(out, `vectors-${stamp}.json`), `${JSON.stringify({ env, options: info, wallMs, results }, null, 1)}\n`);
  progress(`wrote ${join(out, `vectors-${stamp}.{md,json}`)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
