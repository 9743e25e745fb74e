import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../index.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

export function vectorsSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  /** A unit vector pointing mostly along axis `i` of 8 dimensions. */
  const axis = (i: number, wobble = 0) => Float32Array.from({ length: 8 }, (_, j) => (j === i ? 1 : j === (i + 1) % 8 ? wobble : 0));
  const ids = (hits: readonly { id: string }[]) => hits.map((h) => h.id);

  describe('vectors', () => {
    it('upsert, get and delete; a batch is all or nothing', async () => {
      const mx = await open();
      const v = mx.vectors;
      await v.upsert({ id: 'a', vector: axis(0), text: 'alpha', metadata: { n: 1 } });
      const a = (await v.get('a'))!;
      expect(a).toMatchObject({ id: 'a', text: 'alpha', metadata: { n: 1 } });
      expect(Array.from(a.vector)).toEqual(Array.from(axis(0)));
      expect(Object.isFrozen(a.metadata)).toBe(true);
      const before = await mx.events.lastSeq();
      await expect(
        v.upsert([
          { id: 'b', vector: axis(1) },
          { id: 'c', vector: [1, Number.NaN, 0, 0, 0, 0, 0, 0] },
        ]),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        v.upsert([
          { id: 'b', vector: axis(1) },
          { id: 'c', vector: [1, 2, 3] },
        ]),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(await mx.events.lastSeq()).toBe(before);
      expect(await v.get('b')).toBeUndefined();
      expect(await v.delete('a')).toBe(true);
      expect(await v.delete('a')).toBe(false);
      expect(await v.count()).toBe(0);
    });

    it('the dimension is fixed per collection; wrong dimensions and NaN are ValidationErrors naming the field', async () => {
      const mx = await open();
      await mx.vectors.upsert({ id: 'a', vector: axis(0) });
      const e = await mx.vectors.upsert({ id: 'b', vector: [1, 0, 0] }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe('docs[0].vector');
      const q = await mx.vectors.search({ vector: [1, 0] }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect((q as ValidationError).field).toBe('query.vector');
      const nan = await mx.vectors.upsert({ id: 'c', vector: [0, 0, Number.NaN, 0, 0, 0, 0, 0] }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect((nan as ValidationError).field).toBe('doc.vector[2]');
    });

    it('vector search ranks by cosine, honours topK and minScore', async () => {
      const mx = await open();
      await mx.vectors.upsert(Array.from({ length: 8 }, (_, i) => ({ id: `d${i}`, vector: axis(i, 0.1), metadata: { i } })));
      const hits = await mx.vectors.search({ vector: axis(3), topK: 3 });
      expect(hits[0]!.id).toBe('d3');
      expect(hits).toHaveLength(3);
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      expect(ids(await mx.vectors.search({ vector: axis(3), topK: 8, minScore: 0.5 }))).toEqual(['d3']);
    });

    it('a selective filter still returns topK matching documents, however far they are', async () => {
      const mx = await open();
      const docs = Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, vector: axis(i % 8, (i % 13) / 100), metadata: { rare: i % 50 === 0, i } }));
      await mx.vectors.upsert(docs);
      const hits = await mx.vectors.search({ vector: axis(7), topK: 4, filter: { rare: true } });
      expect(ids(hits).sort()).toEqual(['d0', 'd100', 'd150', 'd50']);
      expect(await mx.vectors.count({ rare: true })).toBe(4);
    });

    env.capable('fullText')('text mode uses full text; hybrid fuses both rankings; texts embed with the default embedder', async () => {
      const mx = await open();
      await mx.vectors.upsert([
        { id: 'py', text: 'Python programming tips and tricks', metadata: { type: 'doc' } },
        { id: 'cake', text: 'Chocolate cake recipe with dark cocoa', metadata: { type: 'recipe' } },
        { id: 'js', text: 'JavaScript tips for the browser', metadata: { type: 'doc' } },
      ]);
      expect(ids(await mx.vectors.search({ text: 'python programming', topK: 1 }))).toEqual(['py']);
      expect(ids(await mx.vectors.search({ text: 'cocoa', mode: 'text' }))).toEqual(['cake']);
      expect(ids(await mx.vectors.search({ text: 'tips', mode: 'text', filter: { type: 'doc' } })).sort()).toEqual(['js', 'py']);
      const hybrid = await mx.vectors.search({ text: 'python tips', mode: 'hybrid', topK: 2 });
      expect(hybrid[0]!.id).toBe('py');
      expect(ids(await mx.vectors.search({ text: '"NEAR( * OR -', mode: 'text' }))).toEqual([]);
    });

    it('without full-text search, text and hybrid modes are a ValidationError naming query.mode', async ({ skip }) => {
      skip(env.capabilities.fullText, 'the engine has full-text search');
      const mx = await open();
      await mx.vectors.upsert({ id: 'a', text: 'apple' });
      for (const mode of ['text', 'hybrid'] as const) {
        await expect(mx.vectors.search({ text: 'apple', mode })).rejects.toMatchObject({ code: 'invalid_input', field: 'query.mode' });
      }
      expect((await mx.vectors.search({ text: 'apple' }))[0]?.id).toBe('a');
    });

    it('a deleted or replaced document never appears in results', async () => {
      const mx = await open();
      await mx.vectors.upsert([
        { id: 'a', vector: axis(0), text: 'apple' },
        { id: 'b', vector: axis(1), text: 'banana' },
      ]);
      expect(ids(await mx.vectors.search({ vector: axis(0), topK: 1 }))).toEqual(['a']);
      await mx.vectors.delete('a');
      expect(ids(await mx.vectors.search({ vector: axis(0), topK: 2 }))).toEqual(['b']);
      if (env.capabilities.fullText) expect(await mx.vectors.search({ text: 'apple', mode: 'text' })).toEqual([]);
      await mx.vectors.upsert({ id: 'b', vector: axis(5), text: 'cherry' });
      expect((await mx.vectors.search({ vector: axis(5), topK: 1 }))[0]).toMatchObject({ id: 'b', text: 'cherry' });
      if (env.capabilities.fullText) expect(await mx.vectors.search({ text: 'banana', mode: 'text' })).toEqual([]);
    });

    it("another connection's writes are seen by the next search (the index catches up from events)", async () => {
      const path = env.location();
      const a = await open({}, path);
      const b = await open({}, path);
      await a.vectors.upsert({ id: 'x', vector: axis(2) });
      expect(ids(await b.vectors.search({ vector: axis(2), topK: 1 }))).toEqual(['x']);
      await b.vectors.upsert({ id: 'y', vector: axis(4) });
      await a.vectors.delete('x');
      expect(ids(await a.vectors.search({ vector: axis(4), topK: 5 }))).toEqual(['y']);
      expect(ids(await b.vectors.search({ vector: axis(2), topK: 5 }))).toEqual(['y']);
    });

    it('when the events it needs were trimmed, the index rebuilds from the records', async () => {
      const path = env.location();
      const a = await open({ events: { maxEvents: 5 } }, path);
      const b = await open({ events: { maxEvents: 5 } }, path);
      await a.vectors.upsert({ id: 'first', vector: axis(0) });
      expect(ids(await a.vectors.search({ vector: axis(0), topK: 1 }))).toEqual(['first']);
      for (let i = 0; i < 20; i++) await b.vectors.upsert({ id: `n${i}`, vector: axis(i % 8, 0.5) });
      await b.vectors.delete('first');
      const hits = await a.vectors.search({ vector: axis(0), topK: 30 });
      expect(ids(hits)).not.toContain('first');
      expect(hits).toHaveLength(20);
    });

    it('deleteWhere removes the matches in one transaction and reports what is left', async () => {
      const mx = await open();
      await mx.vectors.upsert(Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, vector: axis(i % 8), metadata: { even: i % 2 === 0 } })));
      expect(await mx.vectors.deleteWhere({ even: true })).toEqual({ deleted: 5, total: 5 });
      expect(await mx.vectors.count({ even: true })).toBe(0);
      expect(ids(await mx.vectors.search({ vector: axis(0), topK: 10 })).sort()).toEqual(['d1', 'd3', 'd5', 'd7', 'd9']);
    });

    it('bad input is a ValidationError naming the field and writes nothing', async () => {
      const mx = await open();
      await mx.vectors.upsert({ id: 'ok', vector: axis(0) });
      const before = await mx.events.lastSeq();
      const v = mx.vectors;
      const cases: [() => Promise<unknown>, string][] = [
        [() => v.upsert({ id: '', vector: axis(0) }), 'doc.id'],
        [() => v.upsert({ id: 'x' }), 'doc'],
        [() => v.upsert({ id: 'x', text: 5 } as never), 'doc.text'],
        [() => v.upsert({ id: 'x', vector: 'abc' } as never), 'doc.vector'],
        [() => v.upsert({ id: 'x', vector: [] }), 'doc.vector'],
        [() => v.upsert({ id: 'x', vector: axis(0), metadata: [] as never }), 'doc.metadata'],
        [() => v.upsert({ id: 'x', vector: axis(0), metadata: { d: new Date() } }), 'doc.metadata.d'],
        [() => v.upsert({ id: 'x', vector: axis(0), extra: 1 } as never), 'doc.extra'],
        [
          () =>
            v.upsert([
              { id: 'x', vector: axis(0) },
              { id: 'x', vector: axis(1) },
            ]),
          'docs[1].id',
        ],
        [() => v.upsert([]), 'docs'],
        [() => v.search({ vector: axis(0), topK: 0 }), 'query.topK'],
        [() => v.search({ vector: axis(0), mode: 'fuzzy' as never }), 'query.mode'],
        [() => v.search({ mode: 'text' }), 'query.text'],
        [() => v.search({ vector: axis(0), filter: { n: { $regex: '.*' } } }), 'query.filter.n.$regex'],
        [() => v.search({ vector: axis(0), minScore: Number.NaN }), 'query.minScore'],
        [() => v.search({ vector: axis(0), k: 5 } as never), 'query.k'],
        [() => v.get(''), 'id'],
        [() => v.delete('a\0b'), 'id'],
        [() => v.count({ $where: '1' }), 'filter.$where'],
        [() => v.deleteWhere({ a: { $in: [] } }), 'filter.a.$in'],
      ];
      await expectInvalidFields(cases);
      expect(await mx.events.lastSeq()).toBe(before);
    });
  });

  describe('remember / recall', () => {
    it('remember writes both turns, their vectors and the profile counters in one transaction', async () => {
      const mx = await open();
      const before = await mx.events.lastSeq();
      const r = await mx.remember({ userId: 'u1', threadId: 't1', message: 'I love hiking in the Alps', response: 'Noted, mountains it is!' });
      expect(r).toEqual({ messageSeq: 1, responseSeq: 2 });
      expect((await mx.conversations.recent('t1')).map((m) => [m.role, m.content])).toEqual([
        ['user', 'I love hiking in the Alps'],
        ['assistant', 'Noted, mountains it is!'],
      ]);
      expect(await mx.vectors.count({ userId: 'u1' })).toBe(2);
      expect((await mx.profiles.get<{ memory: { messages: number } }>('u1'))!.memory.messages).toBe(2);
      const events = await mx.events.since(before);
      expect(new Set(events.map((e) => e.store))).toEqual(new Set(['messages', 'conversations', 'vectors', 'vectors.meta', 'profiles']));
    });

    it('a remember that fails writes nothing at all', async () => {
      const mx = await open();
      const before = await mx.events.lastSeq();
      const e = await mx.remember({ userId: 'u1', threadId: 't1', message: 'hi', response: { role: 'Bad Role', content: 'x' } }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect((e as ValidationError).field).toBe('response.role');
      expect(await mx.events.lastSeq()).toBe(before);
    });

    it('recall returns the profile, the recent thread and relevant earlier turns of the same user only', async () => {
      const mx = await open();
      await mx.remember({ userId: 'u1', threadId: 'old', message: 'My favourite language is Python', response: 'Python, got it' });
      await mx.remember({ userId: 'u2', threadId: 'other', message: 'My favourite language is Rust', response: 'Rust, got it' });
      await mx.remember({ userId: 'u1', threadId: 'now', message: 'Hello again', response: 'Welcome back' });
      const r = await mx.recall({ userId: 'u1', threadId: 'now', query: 'which programming language do I like', topK: 2 });
      expect(r.profile).toMatchObject({ memory: { messages: 4, lastThreadId: 'now' } });
      expect(r.recent.map((m) => m.content)).toEqual(['Hello again', 'Welcome back']);
      expect(r.relevant.map((h) => h.id)).toContain('old#1');
      expect(r.relevant.every((h) => h.metadata.userId === 'u1' && h.metadata.threadId !== 'now')).toBe(true);
    });
  });
}
