// The ANN graph on its own: it only proposes candidates, so what matters is that it proposes
// enough of the right ones, never a removed document, and survives a save and load.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnnIndex, GRAPH } from '../../src/stores/vectors/ann.js';
import { cleanupTemp, tempDir } from '../helpers/tmp.js';
import { clusteredVectors, exactTop } from '../../src/testing/vector-data.js';

afterAll(cleanupTemp);

const DIM = 24;
const vectors = (n: number, seed: number) => clusteredVectors(n, seed, DIM, 20, 0.8);

const docsOf = (n: number) => new Map(vectors(n, 3).map((v, i) => [`d${i}`, v]));
const vectorOf = (id: string) => docs.get(id);
const everyFiftieth = (id: string) => Number(id.slice(1)) % 50 === 0;

const docs = docsOf(4000);

describe('AnnIndex', () => {
  const ann = AnnIndex.build(DIM, docs, vectorOf);
  const queries = vectors(20, 77);

  it('proposes more candidates than wanted, for the caller to re-score (a small graph: its whole search list)', () => {
    for (const q of queries.slice(0, 5)) expect(ann.search(q, 10)).toHaveLength(GRAPH.smallGraphExpansion);
    for (const q of queries.slice(0, 5)) expect(ann.search(q, 100)).toHaveLength(200);
  });

  it.each([
    ['knowing the filter passes 2%', 0.02],
    ['told the filter passes everything (it widens until enough pass)', 1],
  ])('a 2%% filter still yields enough matching candidates, %s', (_name, share) => {
    let found = 0;
    for (const q of queries) {
      const ids = ann.search(q, 10, everyFiftieth, share);
      expect(ids.every(everyFiftieth)).toBe(true);
      expect(ids.length).toBeGreaterThanOrEqual(10);
      const truth = new Set(exactTop(docs, q, 10, everyFiftieth));
      found += ids.filter((id) => truth.has(id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('documents with identical vectors share one node and come back together', () => {
    const same = Float32Array.from({ length: DIM }, (_, i) => (i % 3) - 1);
    const g = AnnIndex.build(DIM, [...docs, ['twin-a', same], ['twin-b', same]], vectorOf);
    const ids = g.search(same, 1);
    expect(ids.slice(0, 2).sort()).toEqual(['twin-a', 'twin-b']);
  });

  it('never proposes a removed document, and wears out after many removals', () => {
    const g = AnnIndex.build(DIM, docs, vectorOf);
    const gone = new Set([...docs.keys()].filter((id) => Number(id.slice(1)) % 3 !== 0));
    for (const id of gone) g.remove(id);
    expect(g.worn()).toBe(true);
    for (const q of queries) {
      const ids = g.search(q, 10);
      expect(ids.length).toBeGreaterThanOrEqual(10);
      expect(ids.filter((id) => gone.has(id))).toEqual([]);
    }
    expect(ann.worn()).toBe(false);
  });

  it('an upsert moves a document to its new vector', () => {
    const g = AnnIndex.build(DIM, docs, vectorOf);
    const far = Float32Array.from({ length: DIM }, (_, i) => (i % 2 === 0 ? 5 : -5));
    g.upsert('d7', far);
    expect(g.search(far, 1)[0]).toBe('d7');
    expect(g.search(docs.get('d7')!, 10)).not.toContain('d7');
  });

  it('remembered candidate rows follow their node: a document joining or leaving a searched node is seen at once', () => {
    const g = AnnIndex.build(DIM, docs, vectorOf);
    const rows = new Map([...docs.keys()].map((id, i) => [id, i]));
    const rowOf = (id: string) => rows.get(id);
    const at = (q: Float32Array) => {
      const { ids, rows: got } = g.candidates(q, 1, rowOf);
      return ids.map((id, i) => [id, got[i]]);
    };
    const v = docs.get('d9')!;
    expect(at(v)).toContainEqual(['d9', 9]);
    // A second search answers from the rows remembered by label; the node then changes under it.
    expect(at(v)).toContainEqual(['d9', 9]);
    rows.set('twin-of-d9', 4000);
    g.upsert('twin-of-d9', v);
    expect(at(v)).toEqual(
      expect.arrayContaining([
        ['d9', 9],
        ['twin-of-d9', 4000],
      ]),
    );
    g.remove('d9');
    rows.delete('d9');
    expect(at(v)).toContainEqual(['twin-of-d9', 4000]);
    expect(at(v).map(([id]) => id)).not.toContain('d9');
  });

  it('a saved graph loads with the same answers', () => {
    const file = join(tempDir(), 'graph.usearch');
    const g = AnnIndex.build(DIM, docs, vectorOf);
    g.remove('d0');
    const crc = g.write(file);
    const ids = [...docs.keys()].filter((id) => id !== 'd0');
    const loaded = new AnnIndex(DIM, vectorOf, { file, ids, labels: g.labelsFor(ids), nodes: g.nodeCount(), crc });
    for (const q of queries) expect(loaded.search(q, 10)).toEqual(g.search(q, 10));
    loaded.upsert('new', queries[0]!);
    expect(loaded.search(queries[0]!, 1)[0]).toBe('new');
    // Node hashes are not saved: after a load they come from the caller's vectors, so a document
    // with an identical vector still joins the existing node instead of adding a second one.
    loaded.upsert('twin-of-d5', docs.get('d5')!);
    expect(loaded.search(docs.get('d5')!, 1).slice(0, 2).sort()).toEqual(['d5', 'twin-of-d5']);
  });
});
