/**
 * Vectors on the PostgreSQL engine against the SQLite engine, same dataset, one run: upsert
 * throughput, the first search (the node derives its index from the records), queries per
 * second and recall@10 against an exact scan, and a cold start (a new node: open + first search;
 * the PostgreSQL node saves its index under `indexDir`, as the SQLite one does beside its file).
 *
 *   npx tsx bench/pg-vectors.ts              # 100k x 384 (clustered dataset)
 *   npx tsx bench/pg-vectors.ts --n 20000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery as admin, PG_URL as URL_ } from '../test/helpers/pg.js';
import { openMemex, type Memex, type MemexOptions } from '../src/index.js';
import { bruteTopK, DATASETS, docId, docIndex, generate, recallAt, row } from './lib/vectors-data.js';

const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 100_000;
const DIM = 384;
const QUERIES = 200;
const SECONDS = 5;
const TOP_K = 10;
const { docs, queries } = generate(DATASETS[0]!, N, QUERIES, DIM);
const truth = Array.from({ length: QUERIES }, (_, q) => bruteTopK(docs, row(queries, q), TOP_K).map(([i]) => i));

async function measure(name: string, options: MemexOptions) {
  let mx: Memex = await openMemex(options);
  const t0 = performance.now();
  for (let s = 0; s < N; s += 1000) {
    const batch = [];
    for (let i = s; i < Math.min(N, s + 1000); i++) batch.push({ id: docId(i), vector: row(docs, i), metadata: { bucket: i % 10 } });
    await mx.vectors.upsert(batch);
  }
  const upsertS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await mx.vectors.search({ vector: row(queries, 0), topK: TOP_K });
  const firstS = (performance.now() - t1) / 1000;
  await mx.vectors.waitForIndex();
  const readyS = (performance.now() - t1) / 1000;
  const found: number[][] = [];
  for (let q = 0; q < QUERIES; q++) found.push((await mx.vectors.search({ vector: row(queries, q), topK: TOP_K })).map((h) => docIndex(h.id)));
  const recall = recallAt(TOP_K, found, truth);
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) await mx.vectors.search({ vector: row(queries, n++ % QUERIES), topK: TOP_K });
  const qps = n / SECONDS;
  await mx.close();
  const t2 = performance.now();
  mx = await openMemex(options);
  await mx.vectors.search({ vector: row(queries, 1), topK: TOP_K });
  const coldS = (performance.now() - t2) / 1000;
  await mx.close();
  process.stderr.write(
    `${name}: upsert ${upsertS.toFixed(1)} s, qps ${qps.toFixed(0)}, recall ${recall.toFixed(3)}, cold start ${coldS.toFixed(2)} s\n`,
  );
  return { name, upsertS, firstS, readyS, qps, recall, coldS };
}

const dir = mkdtempSync(join(tmpdir(), 'memex-pgvec-'));
await admin('DROP SCHEMA IF EXISTS bench_vectors CASCADE');
const sqlite = await measure('sqlite', { path: join(dir, 'v.db'), durability: 'normal' });
const postgres = await measure('postgres', { url: URL_, schema: 'bench_vectors', indexDir: join(dir, 'pg-index') });
rmSync(dir, { recursive: true, force: true });
await admin('DROP SCHEMA IF EXISTS bench_vectors CASCADE');
const line = (r: typeof sqlite) =>
  `| ${r.name} | ${(N / r.upsertS).toFixed(0)} | ${r.firstS.toFixed(2)} | ${r.readyS.toFixed(1)} | ${r.qps.toFixed(0)} | ${r.recall.toFixed(3)} | ${r.coldS.toFixed(2)} |`;
process.stdout.write(
  [
    `### Vectors on PostgreSQL vs SQLite — ${new Date().toISOString().slice(0, 10)}, ${N.toLocaleString('en-US')} x ${DIM} (clustered), \`npx tsx bench/pg-vectors.ts${nArg > 0 ? ` --n ${N}` : ''}\``,
    '',
    '| engine | upserts docs/s | first search s | index ready s | queries/s | recall@10 | cold start s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    line(sqlite),
    line(postgres),
    '',
    `PostgreSQL / SQLite: queries/s **${(postgres.qps / sqlite.qps).toFixed(2)}x**, recall@10 **${(postgres.recall / sqlite.recall).toFixed(2)}x**; cold start of a node ${postgres.coldS.toFixed(2)} s (both load the index they saved: the PostgreSQL node under its \`indexDir\`, then catch up from the feed).`,
    '',
  ].join('\n'),
);
