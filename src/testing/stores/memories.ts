import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../errors.js';
import { ManualClock } from '../clock.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

/** Curated memory without a model: facts, near-duplicates, versions, history, erasure and the two times. */
export function memoriesSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('memories', () => {
    it('a fact added again, or nearly the same, is unchanged — never stored twice', async () => {
      const mx = await open();
      const a = await mx.memories.add({ text: 'The user lives in Paris', subject: 'user', metadata: { topic: 'home' } });
      expect(a).toMatchObject({ op: 'added', text: 'The user lives in Paris' });
      expect(await mx.memories.add({ text: 'The user lives in Paris' })).toEqual({ ...a, op: 'unchanged' });
      expect(await mx.memories.add({ text: '  the user lives in paris. ' })).toMatchObject({ id: a.id, op: 'unchanged' });
      const [b, c, d] = await mx.memories.add([
        { text: 'The user has a dog named Rex' },
        { text: 'The user has a dog named Rex!' },
        { text: 'The user lives in Paris' },
      ]);
      expect(b!.op).toBe('added');
      expect(c).toMatchObject({ id: b!.id, op: 'unchanged' });
      expect(d).toMatchObject({ id: a.id, op: 'unchanged' });
      const { items } = await mx.memories.list();
      expect(items.map((f) => f.text).sort()).toEqual(['The user has a dog named Rex', 'The user lives in Paris']);
      expect(await mx.memories.get(a.id)).toMatchObject({
        id: a.id,
        text: 'The user lives in Paris',
        subject: 'user',
        version: a.version,
        invalidatedAt: null,
        metadata: { topic: 'home' },
      });
    });

    it('8 concurrent adds of one fact through two handles store it once; every caller gets its id', async () => {
      const location = env.location();
      const [m1, m2] = [await open({}, location), await open({}, location)];
      const outs = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? m1 : m2).memories.add({ text: 'The user prefers window seats' })));
      expect(new Set(outs.map((o) => o.id)).size).toBe(1);
      expect(outs.filter((o) => o.op === 'added')).toHaveLength(1);
      expect((await m1.memories.list()).items).toHaveLength(1);
      expect(await m2.memories.history(outs[0]!.id)).toHaveLength(1);
    });

    it('update keeps every version in the history; ifVersion is a compare-and-set; search finds the new text only', async () => {
      const mx = await open();
      const a = await mx.memories.add({ text: 'The user works at Acme' }, { by: 'agent-1' });
      await expect(mx.memories.update(a.id, 'The user works at Globex', { ifVersion: a.version + 1000 })).rejects.toBeInstanceOf(ConflictError);
      const u = await mx.memories.update(a.id, 'The user works at Globex', { ifVersion: a.version, reason: 'changed jobs', by: 'agent-2' });
      expect(u).toMatchObject({ id: a.id, op: 'updated', text: 'The user works at Globex' });
      expect(u.version).toBeGreaterThan(a.version);
      expect(await mx.memories.update(a.id, 'The user works at Globex')).toMatchObject({ op: 'unchanged', version: u.version });
      const h = await mx.memories.history(a.id);
      expect(h.map((v) => [v.op, v.text, v.version, v.reason, v.source.via, v.source.by])).toEqual([
        ['added', 'The user works at Acme', a.version, null, 'add', 'agent-1'],
        ['updated', 'The user works at Globex', u.version, 'changed jobs', 'update', 'agent-2'],
      ]);
      const hits = await mx.memories.search({ text: 'where does the user work Acme Globex', topK: 5 });
      expect(hits.map((x) => [x.id, x.text])).toEqual([[a.id, 'The user works at Globex']]);
    });

    it('10 callers correcting one fact with ifVersion: every applied version is in the history, none lost', async () => {
      const location = env.location();
      const [m1, m2] = [await open({}, location), await open({}, location)];
      const a = await m1.memories.add({ text: 'The counter fact 0' });
      const applied: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const mx = i % 2 ? m1 : m2;
          for (;;) {
            const cur = (await mx.memories.get(a.id))!;
            try {
              const r = await mx.memories.update(a.id, `The counter fact ${i + 1}`, { ifVersion: cur.version });
              applied.push(r.version);
              return;
            } catch (e) {
              if (!(e instanceof ConflictError)) throw e;
            }
          }
        }),
      );
      const h = await m1.memories.history(a.id);
      expect(h.map((v) => v.version)).toEqual([a.version, ...applied.sort((x, y) => x - y)]);
      expect(new Set(h.slice(1).map((v) => v.text)).size).toBe(10);
    });

    it('invalidate marks a fact invalid without erasing it; delete erases text and vectors, leaving a tombstone', async () => {
      const mx = await open();
      const a = await mx.memories.add({ text: 'The user lives in Paris' });
      const b = await mx.memories.add({ text: 'The user owns a bicycle' });
      const inv = await mx.memories.invalidate(a.id, { reason: 'moved away' });
      expect(inv).toMatchObject({ id: a.id, op: 'invalidated' });
      expect((await mx.memories.get(a.id))!.invalidatedAt).not.toBeNull();
      expect((await mx.memories.list()).items.map((f) => f.id)).toEqual([b.id]);
      expect((await mx.memories.list({ includeInvalid: true })).items.map((f) => f.id).sort()).toEqual([a.id, b.id].sort());
      expect((await mx.memories.search({ text: 'user lives in Paris' })).map((h) => h.id)).not.toContain(a.id);
      expect((await mx.memories.search({ text: 'user lives in Paris', includeInvalid: true })).map((h) => h.id)).toContain(a.id);
      // Re-adding the fact once believed invalid makes a new fact: the old one stays invalid.
      expect((await mx.memories.add({ text: 'The user lives in Paris' })).op).toBe('added');
      expect(await mx.memories.delete(b.id)).toBe(true);
      expect(await mx.memories.delete(b.id)).toBe(false);
      expect(await mx.memories.get(b.id)).toBeUndefined();
      expect((await mx.memories.search({ text: 'bicycle owner', includeInvalid: true })).map((h) => h.id)).not.toContain(b.id);
      const h = await mx.memories.history(b.id);
      expect(h.map((v) => [v.op, v.text])).toEqual([
        ['added', null],
        ['deleted', null],
      ]);
      await expect(mx.memories.update(b.id, 'again')).rejects.toMatchObject({ field: 'id' });
    });

    it('asOf answers what was believed then, validAt what was true then (a hand-computed timeline)', async () => {
      const clock = new ManualClock(1_000_000);
      const mx = await open({ clock: clock.now });
      const T = (n: number) => 1_000_000 + n * 1000;
      const a = await mx.memories.add({ text: 'The user lives in Paris', validFrom: 500_000 }); // believed from T(0)
      clock.advance(1000);
      await mx.memories.update(a.id, 'The user lives in Paris, Montmartre'); // T(1)
      clock.advance(1000);
      await mx.memories.invalidate(a.id, { at: T(1.5) }); // believed invalid from T(2); true until T(1.5)
      clock.advance(1000);
      const b = await mx.memories.add({ text: 'The user lives in Berlin', validFrom: T(1.5) }); // T(3)
      const q = (o: { asOf?: number; validAt?: number }) =>
        mx.memories.search({ text: 'where does the user live', topK: 10, ...o }).then((hs) => hs.map((h) => h.text).sort());
      expect(await q({ asOf: T(0) - 1 })).toEqual([]);
      expect(await q({ asOf: T(0.5) })).toEqual(['The user lives in Paris']);
      expect(await q({ asOf: T(1.5) })).toEqual(['The user lives in Paris, Montmartre']);
      expect(await q({ asOf: T(2.5) })).toEqual([]);
      expect(await q({})).toEqual(['The user lives in Berlin']);
      expect(await q({ validAt: T(1) })).toEqual(['The user lives in Paris, Montmartre']);
      expect(await q({ validAt: T(2) })).toEqual(['The user lives in Berlin']);
      expect(await q({ validAt: 400_000 })).toEqual([]);
      expect(await q({ asOf: T(1.5), validAt: T(2) })).toEqual(['The user lives in Paris, Montmartre']);
      const f = (await mx.memories.get(a.id))!;
      expect([f.recordedAt, f.updatedAt, f.invalidatedAt, f.validFrom, f.validTo]).toEqual([T(0), T(2), T(2), 500_000, T(1.5)]);
      expect((await mx.memories.get(b.id))!.recordedAt).toBe(T(3));
    });

    it('lists page by cursor; search filters by metadata; scopes are isolated', async () => {
      const mx = await open();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++)
        ids.push((await mx.memories.add({ text: `Distinct fact number ${i} about topic ${'abcdefghijkl'[i]}`, metadata: { n: i } })).id);
      const seen: string[] = [];
      let page = await mx.memories.list({ limit: 5 });
      seen.push(...page.items.map((f) => f.id));
      while (page.cursor) {
        page = await mx.memories.list({ limit: 5, cursor: page.cursor });
        seen.push(...page.items.map((f) => f.id));
      }
      expect(seen).toEqual([...ids].sort());
      const hits = await mx.memories.search({ text: 'distinct fact', topK: 20, filter: { n: { $gte: 10 } } });
      expect(hits.map((h) => h.metadata.n).sort()).toEqual([10, 11]);
      expect(await mx.scope('other').memories.list()).toEqual({ items: [] });
      expect(await mx.scope('other').memories.get(ids[0]!)).toBeUndefined();
    });

    it('bad input is refused naming the field, and nothing is written', async () => {
      const mx = await open();
      const some = await mx.memories.add({ text: 'The user likes tea' });
      await expectInvalidFields([
        [() => mx.memories.add({ text: '' }), 'fact.text'],
        [() => mx.memories.add({ text: '   ' }), 'fact.text'],
        [() => mx.memories.add({ text: 'x', colour: 'red' } as never), 'fact.colour'],
        [() => mx.memories.add({ text: 'x', validFrom: 10, validTo: 5 }), 'fact.validTo'],
        [() => mx.memories.add([{ text: 'ok' }, { text: 'x', metadata: { f: () => 1 } }]), 'facts[1].metadata.f'],
        [() => mx.memories.add([]), 'facts'],
        [() => mx.memories.add({ text: 'ok' }, { idempotencyKey: '' }), 'options.idempotencyKey'],
        [() => mx.memories.add({ text: 'ok' }, { retries: 2 } as never), 'options.retries'],
        [() => mx.memories.search({ text: 'x', topK: 0 }), 'query.topK'],
        [() => mx.memories.search({ text: 'x', filter: { $bad: 1 } }), 'query.filter.$bad'],
        [() => mx.memories.search({ text: 'x', asOf: -1 }), 'query.asOf'],
        [() => mx.memories.update(some.id, ''), 'text'],
        [() => mx.memories.update(some.id, 'y', { ifversion: 1 } as never), 'options.ifversion'],
        [() => mx.memories.update('nope', 'y'), 'id'],
        [() => mx.memories.invalidate(some.id, { at: 'yesterday' } as never), 'options.at'],
        [() => mx.memories.list({ limit: 1001 }), 'options.limit'],
        [() => mx.memories.get(''), 'id'],
      ]);
      await expect(mx.memories.ingest(['I like tea'])).rejects.toMatchObject({ code: 'llm_failed', kind: 'not_configured' });
      expect((await mx.memories.list({ includeInvalid: true })).items.map((f) => f.id)).toEqual([some.id]);
      expect(await mx.memories.history(some.id)).toHaveLength(1);
      await expect(mx.memories.add({ text: 'x'.repeat(2001) })).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
