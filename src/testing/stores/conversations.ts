import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { expectInvalidFields } from '../expect-invalid.js';
import type { SuiteEnv } from '../target.js';

export function conversationsSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('conversations', () => {
    it('append returns the stored message with a per-thread monotonic seq; recent is oldest first', async () => {
      const mx = await open();
      const c = mx.conversations;
      const a = await c.append('t1', { role: 'user', content: 'hi', metadata: { lang: 'en' } });
      const b = await c.append('t1', { role: 'assistant', content: { parts: ['hello'] } });
      await c.append('t2', { role: 'user', content: 'other thread' });
      expect(a).toMatchObject({ threadId: 't1', seq: 1, role: 'user', content: 'hi', metadata: { lang: 'en' } });
      expect(b.seq).toBe(2);
      expect(Object.isFrozen(b.content)).toBe(true);
      const recent = await c.recent('t1');
      expect(recent.map((m) => [m.seq, m.role, m.content])).toEqual([
        [1, 'user', 'hi'],
        [2, 'assistant', { parts: ['hello'] }],
      ]);
      expect(recent[0]!.metadata).toEqual({ lang: 'en' });
      expect(await c.recent('t1', 1)).toHaveLength(1);
      expect((await c.recent('t1', 1))[0]!.seq).toBe(2);
      expect(await c.recent('nope')).toEqual([]);
    });

    it('order is by seq, never by timestamps: equal clock readings keep append order', async () => {
      const clock = new ManualClock();
      const mx = await open({ clock: clock.now });
      for (let i = 0; i < 30; i++) await mx.conversations.append('t', { role: 'user', content: `m${i}` });
      const all = await mx.conversations.recent('t', 100);
      expect(all.map((m) => m.content)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
      expect(new Set(all.map((m) => m.at)).size).toBe(1);
    });

    it('page walks history backwards without gaps or repeats', async () => {
      const mx = await open();
      for (let i = 1; i <= 95; i++) await mx.conversations.append('t', { role: 'user', content: i });
      const seen: number[] = [];
      let page = await mx.conversations.page('t', { limit: 20 });
      while (page.length > 0) {
        seen.unshift(...page.map((m) => m.seq));
        page = await mx.conversations.page('t', { beforeSeq: page[0]!.seq, limit: 20 });
      }
      expect(seen).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));
    });

    it('maxMessagesPerThread trims the oldest inside the append; get reports the counts', async () => {
      const mx = await open({ conversations: { maxMessagesPerThread: 5 } });
      for (let i = 1; i <= 12; i++) await mx.conversations.append('t', { role: 'user', content: i });
      expect((await mx.conversations.recent('t', 100)).map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
      expect(await mx.conversations.get('t')).toMatchObject({ threadId: 't', messageCount: 5, firstSeq: 8, lastSeq: 12 });
      const s = await mx.stats();
      expect(s.stores.messages?.records).toBe(5);
      expect(s.stores.conversations?.trimmed).toBe(7);
    });

    it('1,100 threads under maxThreads 1000 leave exactly the 1,000 most recently active', async () => {
      const mx = await open({ conversations: { maxThreads: 1000, maxMessagesPerThread: 3 } });
      for (let i = 0; i < 1100; i++) await mx.conversations.append(`t${i}`, { role: 'user', content: i });
      const s0 = await mx.stats();
      expect(s0.stores.conversations?.records).toBe(1000);
      expect(s0.stores.conversations?.evictions).toBe(100);
      const kept = new Set((await mx.conversations.list({ limit: 1000 })).map((t) => t.threadId));
      expect(kept.size).toBe(1000);
      for (let i = 100; i < 1100; i++) expect(kept.has(`t${i}`)).toBe(true);
      expect(await mx.conversations.recent('t0')).toEqual([]);
      expect(s0.stores.messages?.records).toBe(1000);
    });

    it('listPage walks every thread past the 1,000 of one list, most recent first, each once; one active again meanwhile moves ahead of the walk', async () => {
      const mx = await open();
      const c = mx.conversations;
      // One transaction-free append each; threads named by creation order.
      for (let i = 0; i < 1150; i++) await c.append(`t${i}`, { role: 'user', content: i });
      const seen: string[] = [];
      let page = await c.listPage({ limit: 400 });
      for (let n = 1; ; n++) {
        seen.push(...page.items.map((t) => t.threadId));
        if (n === 1) await c.append('t5', { role: 'user', content: 'back' }); // moves to the front
        if (!page.cursor) break;
        page = await c.listPage({ limit: 400, cursor: page.cursor });
      }
      // t5 moved ahead of the first page when it was active again: later pages no longer hold it.
      const expected = Array.from({ length: 1150 }, (_, i) => `t${1149 - i}`).filter((t) => t !== 't5');
      expect(seen).toEqual(expected);
      expect((await c.listPage({ limit: 1 })).items.map((t) => t.threadId)).toEqual(['t5']);
      const recent = await c.listPage({ limit: 1000, activeSince: (await c.get('t1000'))!.lastActiveAt });
      expect(recent.cursor).toBeUndefined();
      expect(recent.items.length).toBeGreaterThanOrEqual(150);
      await expect(c.listPage({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_input', field: 'options.cursor' });
      await expect(c.list({ cursor: 'x' } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('activity, not creation, decides eviction', async () => {
      const mx = await open({ conversations: { maxThreads: 3 } });
      for (const t of ['a', 'b', 'c']) await mx.conversations.append(t, { role: 'user', content: t });
      await mx.conversations.append('a', { role: 'user', content: 'a again' });
      await mx.conversations.append('d', { role: 'user', content: 'd' });
      expect((await mx.conversations.list()).map((t) => t.threadId)).toEqual(['d', 'a', 'c']);
      expect(await mx.conversations.get('b')).toBeUndefined();
    });

    it('ttlMs: an idle thread is invisible at once and purged by sweep with its messages', async () => {
      const clock = new ManualClock();
      const mx = await open({ clock: clock.now, conversations: { ttlMs: 1000 } });
      await mx.conversations.append('old', { role: 'user', content: 1 });
      await mx.conversations.append('old', { role: 'user', content: 2 });
      clock.advance(600);
      await mx.conversations.append('fresh', { role: 'user', content: 1 });
      clock.advance(500);
      expect(await mx.conversations.get('old')).toBeUndefined();
      expect(await mx.conversations.recent('old')).toEqual([]);
      expect((await mx.conversations.list()).map((t) => t.threadId)).toEqual(['fresh']);
      const { threads } = await mx.sweep();
      expect(threads).toBe(1);
      const s = await mx.stats();
      expect(s.stores.messages?.records).toBe(1);
      expect(s.stores.conversations?.expirations).toBe(1);
      // A new append to an expired id starts a new thread; nothing of the old one comes back.
      clock.advance(10);
      const m = await mx.conversations.append('fresh', { role: 'user', content: 2 });
      expect(m.seq).toBe(2);
    });

    it('an append to an expired, unswept thread starts it afresh', async () => {
      const clock = new ManualClock();
      const mx = await open({ clock: clock.now, conversations: { ttlMs: 100 } });
      await mx.conversations.append('t', { role: 'user', content: 'stale' });
      clock.advance(101);
      const m = await mx.conversations.append('t', { role: 'user', content: 'new' });
      expect(m.seq).toBe(1);
      expect((await mx.conversations.recent('t')).map((x) => x.content)).toEqual(['new']);
    });

    it('delete removes the thread and its messages; namespaces are isolated', async () => {
      const mx = await open();
      await mx.conversations.append('t', { role: 'user', content: 'root' });
      await mx.scope('a').conversations.append('t', { role: 'user', content: 'scoped' });
      expect((await mx.scope('a').conversations.recent('t'))[0]!.content).toBe('scoped');
      expect(await mx.conversations.delete('t')).toBe(true);
      expect(await mx.conversations.delete('t')).toBe(false);
      expect(await mx.conversations.recent('t')).toEqual([]);
      expect((await mx.scope('a').conversations.recent('t'))[0]!.content).toBe('scoped');
      expect((await mx.stats()).stores.messages?.records).toBe(1);
    });

    it('every append and delete appends events in the same transaction', async () => {
      const mx = await open();
      const before = await mx.events.lastSeq();
      await mx.conversations.append('t', { role: 'user', content: 'x' });
      await mx.conversations.delete('t');
      const ev = await mx.events.since(before);
      expect(ev.map((e) => [e.store, e.op])).toEqual([
        ['messages', 'set'],
        ['conversations', 'set'],
        ['messages', 'deletePrefix'],
        ['conversations', 'delete'],
      ]);
    });

    it('bad input is a ValidationError naming the field and writes nothing', async () => {
      const mx = await open();
      const c = mx.conversations;
      const before = await mx.events.lastSeq();
      const cases: [() => Promise<unknown>, string][] = [
        [() => c.append('', { role: 'user', content: 'x' }), 'threadId'],
        [() => c.append('a\0b', { role: 'user', content: 'x' }), 'threadId'],
        [() => c.append(42 as unknown as string, { role: 'user', content: 'x' }), 'threadId'],
        [() => c.append('t', null as unknown as { role: string; content: string }), 'message'],
        [() => c.append('t', { role: 'User!', content: 'x' }), 'message.role'],
        [() => c.append('t', { role: '', content: 'x' }), 'message.role'],
        [() => c.append('t', { role: 'user' } as unknown as { role: string; content: string }), 'message.content'],
        [() => c.append('t', { role: 'user', content: () => 1 }), 'message.content'],
        [() => c.append('t', { role: 'user', content: 'x', metadata: [] as unknown as Record<string, unknown> }), 'message.metadata'],
        [
          () => c.append('t', { role: 'user', content: 'x', metadata: JSON.parse('{"__proto__":{"p":1}}') as Record<string, unknown> }),
          'message.metadata.__proto__',
        ],
        [() => c.append('t', { role: 'user', content: 'x', extra: 1 } as unknown as { role: string; content: string }), 'message.extra'],
        [() => c.recent('t', 0), 'limit'],
        [() => c.recent('t', 1001), 'limit'],
        [() => c.page('t', { limit: 1.5 }), 'options.limit'],
        [() => c.page('t', { limit: 10, beforeSeq: -1 }), 'options.beforeSeq'],
        [() => c.page('t', { limit: 10, after: 1 } as unknown as { limit: number }), 'options.after'],
        [() => c.list({ activeSince: 'yesterday' as unknown as number }), 'options.activeSince'],
        [() => c.get(''), 'threadId'],
        [() => c.delete(''), 'threadId'],
      ];
      await expectInvalidFields(cases);
      expect(await mx.events.lastSeq()).toBe(before);
      expect(({} as Record<string, unknown>).p).toBeUndefined();
    });
  });
}
