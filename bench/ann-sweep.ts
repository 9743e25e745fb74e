/**
 * The measurement behind Memex's choice of graph library and parameters (issue 4: "choose by
 * measurement"): on one generated dataset, raw hnswlib-node (float32, one thread) at several ef
 * against usearch graphs at several quantizations and expansions, each asked for 10 and — as
 * Memex does — for 20 re-scored exactly. One process, one engine after another, one query at a time.
 *
 *   npx tsx bench/ann-sweep.ts                                   # harder set, 100k x 384 (~6 min)
 *   npx tsx bench/ann-sweep.ts --dataset clustered --n 20000 --seconds 1
 *   npx tsx bench/ann-sweep.ts --usearch i8:32:128:64,i8:32:128:80,f32:16:200:128 --ef 128,192
 *
 * A usearch config is quantization:connectivity:expansionAdd:expansionSearch. Prints Markdown.
 */
import hnswlib from 'hnswlib-node';
import { cliHelpers, parseOptions } from './lib/cli.js';
import { benchEnv } from './lib/env.js';
import { table } from './lib/format.js';
import { buildGraph, parseGraphConfig } from './lib/usearch-configs.js';
import { DATASETS, bruteTopK, datasetByName, dot, generate, recallAt, row, type VectorSet } from './lib/vectors-data.js';

const HELP = `Usage: npx tsx bench/ann-sweep.ts [options]

  --dataset <name>     ${DATASETS.map((d) => d.name).join(', ')} (default harder)
  --n <n>              documents (default 100000)
  --truth <n>          queries with exact ground truth (default 200)
  --seconds <n>        minimum duration of each query loop (default 2)
  --ef <list>          hnswlib-node ef values (default 64,128,192,256; '' skips hnswlib-node)
  --usearch <list>     usearch configs q:conn:add:search (default i8:32:128:64,i8:32:128:80,i8:32:128:96,i8:16:200:128,f32:16:200:128)
  --help
`;
const cli = cliHelpers(HELP);

function loop(queries: VectorSet, truth: number[][], seconds: number, search: (q: Float32Array) => number[]) {
  const found: number[][] = [];
  const t0 = performance.now();
  let i = 0;
  for (; i < truth.length || performance.now() - t0 < seconds * 1000; i++) {
    const r = search(row(queries, i % queries.n));
    if (i < truth.length) found.push(r);
  }
  return { qps: Math.round(i / ((performance.now() - t0) / 1000)), recall: recallAt(10, found, truth).toFixed(4) };
}

function main(): void {
  const values = parseOptions(
    {
      dataset: { type: 'string', default: 'harder' },
      n: { type: 'string', default: '100000' },
      truth: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '2' },
      ef: { type: 'string', default: '64,128,192,256' },
      usearch: { type: 'string', default: 'i8:32:128:64,i8:32:128:80,i8:32:128:96,i8:16:200:128,f32:16:200:128' },
      help: { type: 'boolean', default: false },
    },
    cli.usageError,
  );
  cli.exitOnHelp(values.help);
  const n = cli.posInt('n', values.n);
  const seconds = cli.posInt('seconds', values.seconds);
  const efs = cli.list(values.ef).map((e) => cli.posInt('ef', e));
  const configs = cli.list(values.usearch).map((c) => parseGraphConfig(c, cli.usageError));
  const spec = datasetByName(values.dataset);
  const { docs, queries } = generate(spec, n, 1000, 384);
  const truth = Array.from({ length: cli.posInt('truth', values.truth) }, (_, i) => bruteTopK(docs, row(queries, i), 10).map(([d]) => d));
  // Queries far from every cluster of documents: drawn the same way around other centres.
  const far = generate({ ...spec, seed: spec.seed + 1000 }, 1, 100, docs.dim).queries;
  const farTruth = Array.from({ length: far.n }, (_, i) => bruteTopK(docs, row(far, i), 10).map(([d]) => d));
  const farRecall = (search: (q: Float32Array) => number[]) =>
    recallAt(
      10,
      Array.from({ length: far.n }, (_, i) => search(row(far, i))),
      farTruth,
    ).toFixed(4);
  const rows: string[][] = [];
  const rescored = (ids: Iterable<number>, q: Float32Array) =>
    [...ids]
      .map((d) => [d, dot(row(docs, d), q)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([d]) => d);

  let t = performance.now();
  const h = new hnswlib.HierarchicalNSW('cosine', docs.dim);
  if (efs.length > 0) {
    h.initIndex({ maxElements: n, m: 16, efConstruction: 200, randomSeed: 100 });
    for (let i = 0; i < n; i++) h.addPoint(Array.from(row(docs, i)), i);
  }
  const hBuild = ((performance.now() - t) / 1000).toFixed(1);
  for (const ef of efs) {
    h.setEf(ef);
    const search = (q: Float32Array) => h.searchKnn(Array.from(q), 10).neighbors;
    const r = loop(queries, truth, seconds, search);
    rows.push([`hnswlib-node f32 M 16 efC 200 ef ${ef}`, hBuild, String(r.qps), r.recall, '—', '—', farRecall(search)]);
  }
  for (const c of configs) {
    t = performance.now();
    const u = buildGraph(c, docs.dim, docs.data);
    const build = ((performance.now() - t) / 1000).toFixed(1);
    const r10 = loop(queries, truth, seconds, (q) => Array.from(u.search(q, 10, 1).keys, Number));
    const search20 = (q: Float32Array) => rescored(Array.from(u.search(q, 20, 1).keys, Number), q);
    const r20 = loop(queries, truth, seconds, search20);
    rows.push([`usearch ${c.name}`, build, String(r10.qps), r10.recall, String(r20.qps), r20.recall, farRecall(search20)]);
  }
  const env = benchEnv(process.cwd(), process.argv.slice(2), 'bench/ann-sweep.ts');
  process.stdout.write(
    [
      `### ANN sweep: ${spec.name}, ${n.toLocaleString('en-US')} x 384 (${env.date})`,
      '',
      `- command: \`${env.command}\`; ${env.nproc} cores, ${env.cpu}; Node ${env.node}; load average at start ${env.loadAvgStart}`,
      `- build: hnswlib-node one point at a time on one thread (its only insert); usearch one add on all cores`,
      '',
      `- last column: recall@10 of ${far.n} queries drawn around other centres than the documents' (far from every cluster), as the engine answers (usearch: asked for 20, re-scored)`,
      '',
      table(['engine', 'build s', 'QPS (asked 10)', 'recall@10', 'QPS (asked 20, re-scored)', 'recall@10 re-scored', 'recall@10, far queries'], rows),
      '',
    ].join('\n'),
  );
}

main();
