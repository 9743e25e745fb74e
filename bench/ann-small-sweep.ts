/**
 * usearch graph configurations on the recall test's own data (test/conformance/stores/
 * vectors-ann.test.ts: 6,000 x 32-d clustered documents, 100 queries drawn around other centres,
 * so away from the documents' clusters), several builds each: the multi-threaded build is not
 * deterministic, so one build says little about a margin.
 *
 *   npx tsx bench/ann-small-sweep.ts [configs] [builds]
 *   npx tsx bench/ann-small-sweep.ts i8:32:128:80,i8:32:256:96,f32:32:128:80 3
 *
 * A config is quantization:connectivity:expansionAdd:expansionSearch; each build is asked for 20
 * candidates per query, re-scored exactly, and its recall@10 against the exact top 10 printed.
 */
import { clusteredVectors, cosine, exactTop } from '../src/testing/vector-data.js';
import { buildGraph, parseGraphConfig } from './lib/usearch-configs.js';

const DIM = 32;
const N = 6000;
const [configs = 'i8:32:128:80,i8:32:128:160,i8:32:200:96,i8:32:256:96,f32:32:128:80', builds = '3'] = process.argv.slice(2);

const unit = (v: Float32Array) => {
  let s = 0;
  for (const x of v) s += x * x;
  return v.map((x) => x / Math.sqrt(s));
};
// The same data as the test: documents from seed 7, queries from seed 99, 40 clusters, spread 0.6.
const vs = clusteredVectors(N, 7, DIM, 40, 0.6);
const docs = new Map(vs.map((v, i) => [`d${i}`, v]));
const queries = clusteredVectors(100, 99, DIM, 40, 0.6);
const truth = queries.map((q) => new Set(exactTop(docs, q, 10)));
const all = new Float32Array(N * DIM);
vs.forEach((v, i) => all.set(unit(v), i * DIM));

for (const config of configs.split(',')) {
  const c = parseGraphConfig(config, (message) => {
    throw new Error(message);
  });
  const recalls: string[] = [];
  for (let b = 0; b < Number(builds); b++) {
    const index = buildGraph(c, DIM, all);
    let found = 0;
    queries.forEach((query, i) => {
      const ids = Array.from(index.search(unit(query), 20, 1).keys, Number);
      const top = ids
        .map((d) => [d, cosine(query, vs[d]!)] as const)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 10);
      found += top.filter(([d]) => truth[i]!.has(`d${d}`)).length;
    });
    recalls.push((found / 1000).toFixed(3));
  }
  process.stdout.write(`${config}: recall@10 ${recalls.join(' ')}\n`);
}
