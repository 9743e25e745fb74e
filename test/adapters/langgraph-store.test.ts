// MemexStore as a LangGraph BaseStore: LangGraph.js's own store tests (langgraphjs
// libs/checkpoint/src/tests/store.test.ts, the InMemoryStore cases, ported to run against Memex),
// then what that file does not cover: the filter operators, paging, TTL, semantic search through
// `vectors` (Memex's embedder and a LangChain Embeddings model) and stale vectors after updates.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Embeddings } from '@langchain/core/embeddings';
import { InvalidNamespaceError } from '@langchain/langgraph-checkpoint';
import { openMemex, type Memex } from '../../src/index.js';
import { MemexStore } from '../../src/adapters/langgraph/index.js';
import { ValidationError } from '../../src/errors.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

let now = 1_700_000_000_000;
const mx: Memex = await openMemex({ path: tempDbPath(), durability: 'normal', clock: () => now });
let n = 0;
const fresh = (options?: ConstructorParameters<typeof MemexStore>[1]) => new MemexStore(mx.scope(`store-${n++}`), options);

afterAll(async () => {
  await mx.close();
  cleanupTemp();
});

describe('LangGraph store tests (ported)', () => {
  let store: MemexStore;
  beforeEach(() => {
    store = fresh();
  });

  it('gets what was put, with dates', async () => {
    await store.put(['test'], '123', { value: 1 });
    expect(await store.get(['test'], '123')).toEqual({
      value: { value: 1 },
      key: '123',
      namespace: ['test'],
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
  });

  it('searches a namespace', async () => {
    await store.put(['test'], '123', { value: 1 });
    await store.put(['test'], '456', { value: 2 });
    const result = await store.search(['test']);
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({ value: { value: 1 }, key: '123', namespace: ['test'] });
    expect(result[1]).toMatchObject({ value: { value: 2 }, key: '456', namespace: ['test'] });
  });

  it('deletes', async () => {
    await store.put(['test'], '123', { value: 1 });
    await store.delete(['test'], '123');
    expect(await store.get(['test'], '123')).toBeNull();
  });

  it('lists namespaces, by prefix and to a depth', async () => {
    await store.put(['a', 'b', 'c'], '1', { value: 1 });
    await store.put(['a', 'b', 'd'], '2', { value: 2 });
    await store.put(['x', 'y', 'z'], '3', { value: 3 });
    expect(await store.listNamespaces({})).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'd'],
      ['x', 'y', 'z'],
    ]);
    expect(await store.listNamespaces({ prefix: ['a'] })).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'd'],
    ]);
    expect(await store.listNamespaces({ maxDepth: 2 })).toEqual([
      ['a', 'b'],
      ['x', 'y'],
    ]);
    expect(await store.listNamespaces({ suffix: ['d'] })).toEqual([['a', 'b', 'd']]);
    expect(await store.listNamespaces({ prefix: ['a', '*', 'c'] })).toEqual([['a', 'b', 'c']]);
    expect(await store.listNamespaces({ limit: 1, offset: 1 })).toEqual([['a', 'b', 'd']]);
  });

  it('blocks invalid namespaces in put, allows the reserved root through batch', async () => {
    const doc = { foo: 'bar' };
    await expect(store.put([], 'foo', doc)).rejects.toThrow(InvalidNamespaceError);
    await expect(store.put(['the', 'thing.about'], 'foo', doc)).rejects.toThrow(InvalidNamespaceError);
    await expect(store.put(['some', 'fun', ''], 'foo', doc)).rejects.toThrow(InvalidNamespaceError);
    await expect(store.put(['langgraph', 'foo'], 'bar', doc)).rejects.toThrow(InvalidNamespaceError);

    await store.put(['foo', 'langgraph', 'foo'], 'bar', doc);
    expect((await store.get(['foo', 'langgraph', 'foo'], 'bar'))?.value).toEqual(doc);
    expect((await store.search(['foo', 'langgraph', 'foo']))[0]?.value).toEqual(doc);
    await store.delete(['foo', 'langgraph', 'foo'], 'bar');
    expect(await store.get(['foo', 'langgraph', 'foo'], 'bar')).toBeNull();

    await store.batch([{ namespace: ['langgraph', 'foo'], key: 'bar', value: doc }]);
    expect((await store.get(['langgraph', 'foo'], 'bar'))?.value).toEqual(doc);
    expect((await store.search(['langgraph', 'foo']))[0]?.value).toEqual(doc);
    await store.delete(['langgraph', 'foo'], 'bar');
    expect(await store.get(['langgraph', 'foo'], 'bar')).toBeNull();
  });
});

describe('MemexStore beyond the ported tests', () => {
  it('keeps createdAt across updates and moves updatedAt', async () => {
    const store = fresh();
    await store.put(['u'], 'k', { v: 1 });
    const first = await store.get(['u'], 'k');
    now += 5_000;
    const realNow = Date.now;
    Date.now = () => realNow() + 5_000;
    try {
      await store.put(['u'], 'k', { v: 2 });
    } finally {
      Date.now = realNow;
    }
    const second = await store.get(['u'], 'k');
    expect(second?.value).toEqual({ v: 2 });
    expect(second?.createdAt).toEqual(first?.createdAt);
    expect(second!.updatedAt.getTime()).toBeGreaterThan(first!.updatedAt.getTime());
  });

  it('filters with every LangGraph operator, pages with limit and offset, and a prefix never leaks a sibling', async () => {
    const store = fresh();
    for (let i = 0; i < 6; i++) await store.put(['docs', 'u1'], `d${i}`, { score: i, color: i % 2 ? 'red' : 'blue', tags: { n: i } });
    await store.put(['docs', 'u10'], 'other', { score: 3, color: 'red' });
    const keys = async (filter: Record<string, unknown>, more: { limit?: number; offset?: number } = {}) =>
      (await store.search(['docs', 'u1'], { filter, ...more })).map((i) => i.key);
    expect(await keys({ color: 'red' })).toEqual(['d1', 'd3', 'd5']);
    expect(await keys({ score: { $gt: 3 } })).toEqual(['d4', 'd5']);
    expect(await keys({ score: { $gte: 3, $lt: 5 } })).toEqual(['d3', 'd4']);
    expect(await keys({ score: { $lte: 1 } })).toEqual(['d0', 'd1']);
    expect(await keys({ score: { $ne: 0 }, color: { $eq: 'blue' } })).toEqual(['d2', 'd4']);
    expect(await keys({ score: { $in: [1, 4, 9] } })).toEqual(['d1', 'd4']);
    expect(await keys({ score: { $nin: [0, 1, 2, 3] } })).toEqual(['d4', 'd5']);
    expect(await keys({ tags: { n: 2 } })).toEqual(['d2']);
    expect(await keys({}, { limit: 2, offset: 3 })).toEqual(['d3', 'd4']);
    expect((await store.search(['docs'], { filter: { color: 'red' }, limit: 10 })).map((i) => i.key)).toEqual(['d1', 'd3', 'd5', 'other']);
  });

  it('expires items after their TTL (minutes), the default one or a put’s own', async () => {
    const store = fresh({ ttl: { defaultTtl: 1 } });
    await store.put(['t'], 'default', { a: 1 });
    await store.put(['t'], 'long', { a: 2 }, undefined, { ttl: 10 });
    now += 2 * 60_000;
    expect(await store.get(['t'], 'default')).toBeNull();
    expect((await store.get(['t'], 'long'))?.value).toEqual({ a: 2 });
    expect((await store.search(['t'])).map((i) => i.key)).toEqual(['long']);
    await expect(store.put(['t'], 'bad', { a: 3 }, undefined, { ttl: -1 })).rejects.toThrow(ValidationError);
    expect(await store.get(['t'], 'bad')).toBeNull();
  });

  it('a batch applies its writes together, after its reads', async () => {
    const store = fresh();
    await store.put(['b'], 'x', { v: 1 });
    const [before, , , gone] = await store.batch([
      { namespace: ['b'], key: 'x' },
      { namespace: ['b'], key: 'x', value: { v: 2 } },
      { namespace: ['b'], key: 'y', value: { v: 3 } },
      { namespace: ['b'], key: 'z' },
    ]);
    expect(before?.value).toEqual({ v: 1 });
    expect(gone).toBeNull();
    expect((await store.search(['b'])).map((i) => i.value)).toEqual([{ v: 2 }, { v: 3 }]);
  });

  it('semantic search through Memex’s embedder on the indexed fields, with a filter', async () => {
    const store = fresh({ index: { fields: ['text'] } });
    await store.put(['mem', 'u1'], 'py', { text: 'python programming language tips', kind: 'tech' });
    await store.put(['mem', 'u1'], 'food', { text: 'cooking pasta with tomato sauce', kind: 'life' });
    await store.put(['mem', 'u1'], 'trip', { text: 'travel to japan by train', kind: 'life' });
    await store.put(['mem', 'u2'], 'py2', { text: 'python programming for data', kind: 'tech' });
    const hits = await store.search(['mem', 'u1'], { query: 'python programming', limit: 3 });
    expect(hits[0]?.key).toBe('py');
    expect(hits.every((h) => typeof h.score === 'number' && h.namespace[1] === 'u1')).toBe(true);
    expect(hits.map((h) => h.key)).not.toContain('py2');
    const life = await store.search(['mem', 'u1'], { query: 'python programming', filter: { kind: 'life' } });
    expect(life.map((h) => h.key).sort()).toEqual(['food', 'trip']);
    const noIndex = fresh({ index: { fields: ['text'] } });
    await noIndex.put(['m'], 'hidden', { text: 'python programming' }, false);
    expect(await noIndex.search(['m'], { query: 'python programming' })).toEqual([]);
  });

  it('a search never answers with text an item no longer holds, and a deleted item never comes back', async () => {
    const store = fresh({ index: { fields: ['text'] } });
    await store.put(['s'], 'a', { text: 'python programming language' });
    await store.put(['s'], 'b', { text: 'gardening roses in spring' });
    await store.put(['s'], 'a', { text: 'knitting wool sweaters' });
    const hits = await store.search(['s'], { query: 'python programming language', limit: 2 });
    // 'a' no longer holds python text: if it appears, it is scored for what it holds now.
    const a = hits.find((h) => h.key === 'a');
    if (a) expect(a.value).toEqual({ text: 'knitting wool sweaters' });
    const knit = await store.search(['s'], { query: 'knitting wool sweaters', limit: 1 });
    expect(knit[0]?.key).toBe('a');
    await store.delete(['s'], 'a');
    expect((await store.search(['s'], { query: 'knitting wool sweaters' })).map((h) => h.key)).toEqual(['b']);
  });

  it('semantic search with a LangChain Embeddings model on the fields a put names', async () => {
    const store = fresh({ index: { fields: ['title'], embeddings: new KeywordEmbeddings({}), dims: 4 } });
    await store.put(['docs'], 'r1', { title: 'music', body: 'python' });
    await store.put(['docs'], 'r2', { title: 'cooking', body: 'music' }, ['body']);
    await store.put(['docs'], 'r3', { title: 'python', chapters: [{ c: 'travel' }] });
    expect((await store.search(['docs'], { query: 'music', limit: 2 })).map((h) => h.key)).toEqual(['r1', 'r2']);
    expect((await store.search(['docs'], { query: 'python', limit: 1 }))[0]?.key).toBe('r3');
  });

  it('index.dims: a positive integer, and vectors of another length are refused before anything is written', async () => {
    for (const dims of [0, -4, 2.5, Number.NaN])
      expect(() => fresh({ index: { embeddings: new KeywordEmbeddings({}), dims } })).toThrow(
        expect.objectContaining({ constructor: ValidationError, field: 'index.dims' }),
      );
    const store = fresh({ index: { fields: ['title'], embeddings: new KeywordEmbeddings({}), dims: 3 } });
    const refused = expect.objectContaining({ constructor: ValidationError, field: 'index.dims', reason: expect.stringContaining('4-dimensional') });
    await expect(store.put(['docs'], 'r1', { title: 'music' })).rejects.toEqual(refused);
    await expect(store.search(['docs'], { query: 'music' })).rejects.toEqual(refused);
    expect(await store.get(['docs'], 'r1')).toBeNull();
    expect(await store.search(['docs'])).toEqual([]);
  });

  it('without index.dims, vectors the collection cannot take are refused before anything is written', async () => {
    const scope = mx.scope(`store-${n++}`);
    await new MemexStore(scope, { index: { fields: ['title'], embeddings: new KeywordEmbeddings({}) } }).put(['docs'], 'r1', { title: 'music' });
    const wider = new MemexStore(scope, { index: { fields: ['title'], embeddings: new PaddedEmbeddings({}) } });
    const refused = expect.objectContaining({
      constructor: ValidationError,
      field: 'index.embeddings',
      reason: expect.stringContaining('8-dimensional'),
    });
    await expect(wider.put(['docs'], 'r2', { title: 'python' })).rejects.toEqual(refused);
    await expect(wider.put(['docs'], 'r1', { title: 'cooking' })).rejects.toEqual(refused);
    expect(await wider.get(['docs'], 'r2')).toBeNull();
    expect((await wider.get(['docs'], 'r1'))?.value).toEqual({ title: 'music' });
  });
});

const WORDS = ['python', 'cooking', 'travel', 'music'];

/** KeywordEmbeddings' vectors padded to 8 dimensions: a model another collection was not built with. */
class PaddedEmbeddings extends Embeddings {
  embedDocuments(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => [...WORDS.map((w) => (t.includes(w) ? 1 : 0.01)), 0, 0, 0, 0]));
  }
  embedQuery(text: string): Promise<number[]> {
    return this.embedDocuments([text]).then((v) => v[0]!);
  }
}

/** A deterministic LangChain embeddings model: one dimension per keyword, plus a small constant. */
class KeywordEmbeddings extends Embeddings {
  embedDocuments(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => this.one(t)));
  }
  embedQuery(text: string): Promise<number[]> {
    return Promise.resolve(this.one(text));
  }
  private one(text: string): number[] {
    return WORDS.map((w) => (text.includes(w) ? 1 : 0.01));
  }
}
