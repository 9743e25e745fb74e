// The saved vector index is read back from disk, and its graph is handed to native code (usearch):
// every byte of it is untrusted (issue 28). A damaged, truncated, swapped or foreign set, and the
// graph file that aborted every process opening its store, cost a rebuild and a health warning —
// never the process, never a wrong answer.
import { copyFileSync, cpSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../../src/index.js';
import { clusteredVectors, cosine, exactTop } from '../../../src/testing/vector-data.js';
import { rng } from '../../../src/util/rng.js';
import { cleanupTemp, tempDbPath, tempDir } from '../../helpers/tmp.js';

/** Damaged saved sets per run (MEMEX_FUZZ_CASES; 200 and more on demand): each costs an open, searches and a close. */
const CASES = Number(process.env.MEMEX_FUZZ_CASES ?? 120);

const FIXTURE = join(import.meta.dirname, '../../fixtures/usearch-load-crash/graph-32d-i8.usearch');
const NAMESPACES = { a: { dim: 32, seed: 11 }, b: { dim: 32, seed: 12 }, c: { dim: 16, seed: 13 } } as const;
type Ns = keyof typeof NAMESPACES;
const DOCS = 2100;
const docsOf = (ns: Ns) => {
  const { dim, seed } = NAMESPACES[ns];
  return new Map(clusteredVectors(DOCS, seed, dim, 30, 0.8).map((v, i) => [`${ns}${i}`, v]));
};

/** The sidecar (`<hash>.json`: a `crc32:` line, then JSON) of one namespace's saved set, and its files. */
function savedSet(dbPath: string, ns: string): { sidecar: string; f32: string; graph: string; json: Record<string, unknown> } {
  const dir = `${dbPath}-vectors`;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    const json = JSON.parse(text.slice(text.indexOf('\n') + 1)) as Record<string, unknown>;
    if (json.ns !== ns) continue;
    const stem = join(dir, `${f.slice(0, -'.json'.length)}.${String(json.token)}`);
    return { sidecar: join(dir, f), f32: `${stem}.f32`, graph: `${stem}.usearch`, json };
  }
  throw new Error(`no saved index for ${ns}`);
}

/** Flips `n` random bytes of `bytes` (each to another value). */
function flip(bytes: Buffer, n: number, r: () => number): void {
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * bytes.length);
    bytes[at] = bytes[at]! ^ (1 + Math.floor(r() * 255));
  }
}

/** Writes `json` as a sidecar whose checksum line matches it (a damage no checksum can see). */
function writeSidecar(file: string, json: Record<string, unknown>): void {
  const text = JSON.stringify(json);
  writeFileSync(file, `crc32:${crc32(text).toString(16)}\n${text}`);
}

/** Recall of graph searches, summed over a run: one query's recall is a draw, a run's is a measure. */
interface Recall {
  found: number;
  wanted: number;
  worst: { found: number; what: string };
}
const newRecall = (): Recall => ({ found: 0, wanted: 0, worst: { found: 11, what: '' } });

/**
 * Two searches of `ns` held to an exact cosine scan computed here: every hit a document of `ns`
 * with its exact score, ten of them. How many of the exact top ten a graph finds varies per query
 * (an approximate index; a rebuilt graph is another draw), so it is added to `recall` and judged
 * over the whole run; a damage the index believed would sink the run's recall, not one query's.
 */
async function expectExactAnswers(mx: Memex, ns: Ns, docs: Map<string, Float32Array>, r: () => number, what: string, recall: Recall): Promise<void> {
  const store = mx.scope(ns).vectors;
  const ids = [...docs.keys()];
  for (const q of [docs.get(ids[Math.floor(r() * ids.length)]!)!, clusteredVectors(1, Math.floor(r() * 1e9), NAMESPACES[ns].dim, 1, 2)[0]!]) {
    const hits = await store.search({ vector: q, topK: 10 });
    const want = exactTop(docs, q, 10);
    for (const h of hits) {
      expect(docs.has(h.id), `${what}: ${h.id} is not a document of ${ns}`).toBe(true);
      expect(Math.abs(h.score - cosine(q, docs.get(h.id)!)), `${what}: ${h.id}'s score`).toBeLessThan(1e-5);
    }
    expect(hits.length, what).toBe(10);
    const found = want.filter((id) => hits.some((h) => h.id === id)).length;
    recall.found += found;
    recall.wanted += want.length;
    if (found < recall.worst.found) recall.worst = { found, what: `${what}: ${hits.map((h) => h.id).join(' ')}` };
  }
}

afterAll(cleanupTemp);

describe('a saved vector index is untrusted input', () => {
  it("the fixture graph that aborted every process opening its store (usearch's removed slots) is refused: open and search work, health says rebuilt", async () => {
    const path = tempDbPath();
    const docs = new Map(clusteredVectors(598, 21, 32, 20, 0.8).map((v, i) => [`d${i}`, v]));
    const a = await openMemex({ path, durability: 'normal' });
    await a.vectors.upsert([...docs].map(([id, vector]) => ({ id, vector })));
    await a.vectors.search({ vector: docs.get('d0')!, topK: 1 });
    await a.close();
    // Place the fixture as this store's saved graph, named by a sidecar whose every checksum
    // matches: only the check of the file's layout stands between it and usearch's loader.
    const set = savedSet(path, 'default');
    const graph = set.graph;
    copyFileSync(FIXTURE, graph);
    const bytes = readFileSync(graph);
    const labels = Array.from({ length: 598 }, (_, i) => Math.floor((i * 2320) / 598));
    writeSidecar(set.sidecar, { ...set.json, graph: { labels, nodes: 2320, bytes: bytes.length, crc: crc32(bytes) } });

    const b = await openMemex({ path, durability: 'normal' });
    try {
      const r = rng(5);
      for (let i = 0; i < 5; i++) {
        const q = docs.get(`d${Math.floor(r() * 598)}`)!;
        expect((await b.vectors.search({ vector: q, topK: 10 })).map((h) => h.id)).toEqual(exactTop(docs, q, 10));
      }
      const check = (await b.health()).checks.find((c) => c.name === 'vectors index (default)');
      expect(check?.ok).toBe(false);
      expect(check?.detail).toMatch(/the saved index was not used \(the graph file .*\) and was rebuilt from the records/);
    } finally {
      await b.close();
    }
  });

  describe(`file fuzz: ${CASES} damaged saved sets`, () => {
    const pristine = tempDbPath();
    const docs = { a: docsOf('a'), b: docsOf('b'), c: docsOf('c') };
    beforeAll(async () => {
      const mx = await openMemex({ path: pristine, durability: 'normal' });
      for (const ns of Object.keys(NAMESPACES) as Ns[]) {
        const all = [...docs[ns]].map(([id, vector]) => ({ id, vector }));
        for (let i = 0; i < all.length; i += 1000) await mx.scope(ns).vectors.upsert(all.slice(i, i + 1000));
        await mx.scope(ns).vectors.waitForIndex();
      }
      await mx.close();
      for (const ns of Object.keys(NAMESPACES)) expect(statSync(savedSet(pristine, ns).graph).size).toBeGreaterThan(0);
    });

    /** One damage to namespace `a`'s saved set (the others stay as saved), and what it was. */
    type Damage = (
      a: ReturnType<typeof savedSet>,
      others: { b: ReturnType<typeof savedSet>; c: ReturnType<typeof savedSet> },
      r: () => number,
    ) => string;
    const pickFile = (a: ReturnType<typeof savedSet>, r: () => number) => [a.sidecar, a.f32, a.graph][Math.floor(r() * 3)]!;
    const damages: Damage[] = [
      (a, _, r) => {
        const f = pickFile(a, r);
        const at = Math.floor(r() * statSync(f).size);
        truncateSync(f, at);
        return `${f} truncated at ${at}`;
      },
      (a, _, r) => {
        const f = pickFile(a, r);
        const bytes = readFileSync(f);
        const n = 1 + Math.floor(r() * 8);
        flip(bytes, n, r);
        writeFileSync(f, bytes);
        return `${n} bytes flipped in ${f}`;
      },
      (a, _, r) => {
        const f = pickFile(a, r);
        truncateSync(f, 0);
        return `${f} emptied`;
      },
      (a, { b }, r) => {
        const k = Math.floor(r() * 4);
        if (k === 0) copyFileSync(b.graph, a.graph);
        else if (k === 1) copyFileSync(b.f32, a.f32);
        else if (k === 2) copyFileSync(b.sidecar, a.sidecar);
        else for (const f of ['sidecar', 'f32', 'graph'] as const) copyFileSync(b[f], a[f]);
        return `swapped with namespace b's (${['graph', 'vectors', 'sidecar', 'whole set'][k]})`;
      },
      (a, { c }) => {
        // Another dimension, named by a sidecar whose checksums all match.
        copyFileSync(c.graph, a.graph);
        const bytes = readFileSync(a.graph);
        writeSidecar(a.sidecar, { ...a.json, graph: { ...(a.json.graph as object), bytes: bytes.length, crc: crc32(bytes) } });
        return "namespace c's 16-dimensional graph under a consistent sidecar";
      },
      (a, _, r) => {
        // Bytes flipped in the graph, and the sidecar's checksum made to match: only the layout
        // check and the exact re-scoring stand between the damage and an answer.
        const bytes = readFileSync(a.graph);
        const n = 1 + Math.floor(r() * 16);
        flip(bytes, n, r);
        writeFileSync(a.graph, bytes);
        writeSidecar(a.sidecar, { ...a.json, graph: { ...(a.json.graph as object), crc: crc32(bytes) } });
        return `${n} bytes flipped in the graph under a matching checksum`;
      },
      (a, _, r) => {
        // Labels shuffled under a matching checksum: the graph then proposes the wrong documents.
        const g = a.json.graph as { labels: number[] };
        const labels = [...g.labels];
        for (let i = labels.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [labels[i], labels[j]] = [labels[j]!, labels[i]!];
        }
        writeSidecar(a.sidecar, { ...a.json, graph: { ...g, labels } });
        return 'labels shuffled under a matching checksum';
      },
    ];

    it('every open succeeds and every search equals an exact scan (all 3 namespaces)', { timeout: 240_000 }, async () => {
      const seed = Number(process.env.MEMEX_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
      console.log(`vector file fuzz: seed ${seed} (MEMEX_FUZZ_SEED replays it)`);
      const r = rng(seed);
      const seen = new Map<string, number>();
      let unused = 0;
      const recall = newRecall();
      for (let i = 0; i < CASES; i++) {
        const path = join(tempDir(), 'memex.db');
        cpSync(pristine, path);
        cpSync(`${pristine}-vectors`, `${path}-vectors`, { recursive: true });
        const sets = { a: savedSet(path, 'a'), b: savedSet(path, 'b'), c: savedSet(path, 'c') };
        const what = damages[i % damages.length]!(sets.a, sets, r);
        seen.set(what.replace(/[^ ]*memex-test-[^ ]*/g, 'file').replace(/\d+/g, 'N'), 0);
        const mx = await openMemex({ path, durability: 'normal' });
        try {
          // The damaged namespace, and now and then the untouched ones (nothing spills over).
          for (const ns of i % 10 === 0 ? (['a', 'b', 'c'] as const) : (['a'] as const)) {
            await expectExactAnswers(mx, ns, docs[ns], r, `case ${i} (${what})`, recall);
          }
          const check = (await mx.health()).checks.find((c) => c.name === 'vectors index (a)');
          if (check?.detail.includes('was not used')) unused++;
          if (i % 5 === 0) {
            // The graph rebuilt from the records answers as exactly as the saved one did.
            await mx.scope('a').vectors.waitForIndex();
            await expectExactAnswers(mx, 'a', docs.a, r, `case ${i} (${what}), after the rebuild`, recall);
          }
        } finally {
          await mx.close();
        }
      }
      console.log(
        `vector file fuzz: ${CASES} sets, ${seen.size} kinds of damage, the saved index refused in ${unused}; ` +
          `recall@10 ${(recall.found / recall.wanted).toFixed(3)} over ${recall.wanted / 10} searches, worst ${recall.worst.found}/10 (${recall.worst.what})`,
      );
      // The graph's recall over the run, as bench/vectors.ts holds it; a believed damage (shuffled
      // labels, a foreign graph) answers other documents and sinks it far below.
      expect(recall.found / recall.wanted, recall.worst.what).toBeGreaterThanOrEqual(0.95);
      // Damage a checksum sees (most of it) must be refused, not merely survived.
      expect(unused).toBeGreaterThan(CASES / 2);
    });
  });
});
