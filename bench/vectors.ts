/**
 * Vector search benchmarks (issue 4): Memex's `vectors` store against raw hnswlib-node, raw usearch
 * (the graph library Memex uses, driven directly with Memex's parameters) and a plain JS
 * brute-force scan (also the exact oracle for recall), on
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliHelpers, parseOptions } from './lib/cli.js';
import { benchEnv } from './lib/env.js';
import { int } from './lib/format.js';
import { runChildren } from './lib/phase.js';
import { BUCKETS, DATASETS, datasetByName, generate, recallAt, type DatasetSpec } from './lib/vectors-data.js';
import { report, type DatasetResult, type RunInfo } from './lib/vectors-report.js';
import {
  TOP_K,
  type BruteReport,
  type MemexReport,
  type RawReport,
  type UsearchReport,
  type VectorEngine,
  type VectorsChildConfig,
  type VectorsChildReport,
} from './lib/vectors-protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./lib/vectors-child.ts', import.meta.url));
/** A child may take minutes (an HNSW build of 100k x 384 alone is ~80 s here). */
const CHILD_LIMIT_MS = 30 * 60_000;

const HELP = `Usage: npx tsx bench/vectors.ts [options]

  --n <n>              documents per dataset (default 100000; 20000 with --quick)
  --dim <n>            dimensions (default 384)
  --quick              20k documents, 100 truth queries, 1 s query loops (about 1 min)
  --queries <n>        queries with exact ground truth, for recall (default 200; 100 with --quick)
  --seconds <n>        minimum duration of each Memex / raw / usearch query loop (default 5; 1 with --quick)
  --datasets <list>    ${DATASETS.map((d) => d.name).join(', ')} (default both)
  --out <dir>          where the JSON and Markdown go (default bench/results)
  --help
`;

const cli = cliHelpers(HELP);
/** A declared function, so the compiler knows it never returns. */
function usageError(message: string): never {
  return cli.usageError(message);
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

async function runEngine<R extends VectorsChildReport>(
  engine: VectorEngine,
  base: Omit<VectorsChildConfig, 'engine' | 'dir'>,
  root: string,
): Promise<R> {
  const dir = join(root, engine);
  mkdirSync(dir);
  const t = performance.now();
  const [r] = await runChildren<R>([{ script: CHILD, config: { ...base, engine, dir }, name: `${engine} ${base.dataset}` }], CHILD_LIMIT_MS);
  rmSync(dir, { recursive: true, force: true });
  progress(`  ${engine}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r!;
}

async function runDataset(
  spec: DatasetSpec,
  n: number,
  dim: number,
  nQueries: number,
  truthQueries: number,
  seconds: number,
): Promise<DatasetResult> {
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
    progress(`${spec.name}: raw usearch …`);
    const usearch = await runEngine<UsearchReport>('usearch', base, root);
    const truth = brute.unfiltered.found;
    const truthF = brute.filtered.found;
    return {
      spec,
      generateMs,
      brute,
      memex,
      raw,
      usearch,
      recall: {
        memex: recallAt(TOP_K, memex.unfiltered.found, truth),
        memexFiltered: recallAt(TOP_K, memex.filtered.found, truthF),
        memexAfterReopen: recallAt(TOP_K, memex.afterReopen.found, truth),
        raw: recallAt(TOP_K, raw.unfiltered.found, truth),
        rawFiltered: recallAt(TOP_K, raw.filtered.found, truthF),
        usearch: recallAt(TOP_K, usearch.unfiltered.found, truth),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const values = parseOptions(
    {
      n: { type: 'string' },
      dim: { type: 'string' },
      quick: { type: 'boolean', default: false },
      queries: { type: 'string' },
      seconds: { type: 'string' },
      datasets: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    usageError,
  );
  cli.exitOnHelp(values.help);
  const quick = values.quick === true;
  const n = cli.posInt('n', values.n ?? String(quick ? 20_000 : 100_000));
  const dim = cli.posInt('dim', values.dim ?? String(384));
  const truth = cli.posInt('queries', values.queries ?? String(quick ? 100 : 200));
  const seconds = cli.posInt('seconds', values.seconds ?? String(quick ? 1 : 5));
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
