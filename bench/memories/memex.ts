/**
 * Curated memory on its own (issue 32): `memories.add` ingest rate (batched and one at a time) and
 * `memories.search` latency at growing sizes, and `ingest` throughput against the fake model.
 * Run by bench/memories.ts; prints Markdown sections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAiChat, openMemex } from '../../src/index.js';
import type { FakeLlm } from '../../src/testing/index.js';
import { int, ms, quantileOf, table } from '../lib/format.js';

const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil cedar dune ember fern grove harbor iris jade kelp lotus maple nectar olive pearl quartz raven sage thyme umber violet willow'.split(
    ' ',
  );
/** A fact unlike the others (random words), so none is a near-duplicate of another. */
export function factText(i: number, rand: () => number): string {
  const w = Array.from({ length: 8 }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
  return `Fact ${i}: the user ${w.join(' ')}`;
}
/** Deterministic randomness (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Grows one store through `sizes` facts; at each: batched add rate, single add rate, search p50/p99. */
export async function scaleSection(sizes: readonly number[], queries: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'memex-bench-memories-'));
  const mx = await openMemex({ path: join(dir, 'm.db'), durability: 'normal' });
  const rand = rng(7);
  const rows: string[][] = [];
  let n = 0;
  try {
    for (const size of sizes) {
      const t0 = performance.now();
      const start = n;
      while (n < size - 200) {
        const batch = Array.from({ length: Math.min(100, size - 200 - n) }, () => ({ text: factText(n++, rand) }));
        await mx.memories.add(batch);
      }
      const batched = (n - start) / ((performance.now() - t0) / 1000);
      const t1 = performance.now();
      for (let i = 0; i < 200; i++) await mx.memories.add({ text: factText(n++, rand) });
      const single = 200 / ((performance.now() - t1) / 1000);
      await mx.memories.search({ text: 'warm up', topK: 10 });
      const lat: number[] = [];
      const t2 = performance.now();
      for (let q = 0; q < queries; q++) {
        const s = performance.now();
        await mx.memories.search({ text: factText(q, rand), topK: 10 });
        lat.push(performance.now() - s);
      }
      const qps = queries / ((performance.now() - t2) / 1000);
      rows.push([int(size), int(batched), int(single), ms(quantileOf(lat, 0.5)), ms(quantileOf(lat, 0.99)), int(qps)]);
      process.stderr.write(`memories: ${size} facts done\n`);
    }
  } finally {
    await mx.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return table(['facts', 'add, batches of 100 (facts/s)', 'add, one at a time (facts/s)', 'search p50', 'search p99', 'search (queries/s)'], rows);
}

/** `ingest` of `n` distinct conversations, `concurrency` at a time, against the fake model. */
export async function ingestSection(fake: FakeLlm, n: number, concurrency: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'memex-bench-ingest-'));
  const mx = await openMemex({ path: join(dir, 'm.db'), durability: 'normal', llm: openAiChat({ baseUrl: fake.baseUrl, model: 'fake' }) });
  const before = fake.count();
  let next = 0;
  let facts = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          const r = await mx.memories.ingest([{ role: 'user', content: `I live in city ${i}. I have ${i % 7} cats. I work at company ${i % 13}.` }]);
          facts += r.facts.length;
        }
      }),
    );
  } finally {
    await mx.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const s = (performance.now() - t0) / 1000;
  const calls = fake.count() - before;
  return table(
    ['conversations', 'concurrency', 'conversations/s', 'facts/s', 'model calls per conversation'],
    [[int(n), String(concurrency), (n / s).toFixed(1), (facts / s).toFixed(1), (calls / n).toFixed(2)]],
  );
}
