import { describe, expect } from 'vitest';
import type { SuiteEnv } from '../target.js';

/**
 * What each declared capability promises, checked where it is declared (and skipped where it is
 * not). `memexConformance` fails a target that declares a capability no test is gated on.
 */
export function capabilitiesSuite(env: SuiteEnv): void {
  const { open } = env.useStores();

  describe('multiProcess: a second handle is another process', () => {
    env.capable('multiProcess')(
      "a second handle's read-only transactions and getMany never see a transfer half done, and they see it progress",
      async () => {
        const location = env.location();
        const [writer, reader] = [await open({}, location), await open({}, location)];
        await writer.kv.setMany([
          { key: 'a', value: 100 },
          { key: 'b', value: 100 },
        ]);
        let done = false;
        const transfers = (async () => {
          try {
            for (let i = 0; i < 60; i++) {
              await Promise.all(
                [0, 1].map(() =>
                  writer.kv.transaction((tx) => {
                    tx.set('a', tx.get<number>('a')! - 1);
                    tx.set('b', tx.get<number>('b')! + 1);
                  }),
                ),
              );
            }
          } finally {
            done = true;
          }
        })();
        // The reader's own snapshots: a read-only transaction (its reads one snapshot, whatever
        // the transport) and a getMany, until the writer is done and once more after.
        const seen = new Set<number>();
        let reads = 0;
        for (let last = false; !last;) {
          last = done;
          const [a, b] = await reader.kv.transaction((tx) => [tx.get<number>('a')!, tx.get<number>('b')!] as const);
          const [a2, b2] = await reader.kv.getMany<number>(['a', 'b']);
          expect([a + b, a2! + b2!], `snapshot ${reads}: a ${a} b ${b}, then a ${a2} b ${b2}`).toEqual([200, 200]);
          seen.add(a);
          reads++;
        }
        await transfers;
        expect(await reader.kv.getMany(['a', 'b'])).toEqual([-20, 220]);
        // Overlap, observed: the reader's snapshots fell between the writer's commits.
        expect(seen.size, `the reader saw ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(3);
      },
    );
  });

  describe('multiHost: a second handle is another machine', () => {
    env.capable('multiHost')(
      'a holder whose host vanishes (no renewal, no release) loses the lock to another handle when its lease ends, not before',
      async () => {
        const location = env.location();
        const [gone, other] = [await open({}, location), await open({}, location)];
        const leaseMs = 600;
        let entered!: () => void;
        const inside = new Promise<void>((resolve) => (entered = resolve));
        // The holder never returns: its host stops answering with the lock held.
        void gone.locks.withLock('printer', () => (entered(), new Promise<never>(() => undefined)), { leaseMs }).catch(() => undefined);
        await inside;
        const [before] = (await other.locks.inspect('printer')).holders;
        expect(before, 'the vanishing holder holds the lock').toBeDefined();
        gone.locks.dispose(); // its renewals stop; nothing is released
        const grantedAfter = await other.locks.withLock(
          'printer',
          async () => {
            const [now] = (await other.locks.inspect('printer')).holders;
            return now!.expiresAt - 30_000; // the default lease: when this grant was made
          },
          { timeoutMs: 10_000 },
        );
        expect(grantedAfter, 'granted at or after the vanished lease ended').toBeGreaterThanOrEqual(before!.expiresAt);
      },
    );
  });

  describe('backup: a consistent copy', () => {
    env.capable('backup')('backup writes a copy that opens as a store of its own, with what was written before it and nothing after', async () => {
      const mx = await open();
      await mx.scope('t').kv.set('a', { n: 1 });
      await mx.scope('t').conversations.append('th', { role: 'user', content: 'hello' });
      await mx.scope('t').vectors.upsert({ id: 'v', vector: [1, 0, 0] });
      const copy = env.location();
      await mx.backup(copy);
      await mx.scope('t').kv.set('after', 1);
      const c = (await open({}, copy)).scope('t');
      expect(await c.kv.get('a')).toEqual({ n: 1 });
      expect(await c.kv.has('after')).toBe(false);
      expect((await c.conversations.recent('th')).map((m) => m.content)).toEqual(['hello']);
      expect((await c.vectors.search({ vector: [1, 0, 0], topK: 1 })).map((h) => h.id)).toEqual(['v']);
    });
  });

  describe('durableFull: commits survive power loss', () => {
    env.capable('durableFull')('the storage, asked itself, flushes every commit (health reports its durability settings as full)', async () => {
      const mx = await open();
      const check = (await mx.health()).checks.find((c) => c.name === 'durability');
      expect(check, 'a durability check').toBeDefined();
      expect(check!.detail).toMatch(/^full\b/);
      expect(check!.ok, check!.detail).toBe(true);
    });
  });
}
