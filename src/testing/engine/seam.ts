/**
 * The seam's contract, exercised directly on an engine (the stores build on these primitives):
 * run it against any `Engine` implementation with {@link engineConformance}.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError } from '../../errors.js';
import type { Engine, ReadTx } from '../../engine/types.js';
import { parseFilter } from '../../stores/vectors/filter.js';
import { ManualClock } from '../clock.js';

/** How the seam suite reaches an engine: a fresh, empty one per call, on the given clock. */
export interface EngineTarget {
  readonly name: string;
  open(options: { clock: () => number; lockTimeoutMs: number; maxEvents: number }): Engine | Promise<Engine>;
  /** Removes what the engines left behind; runs after each test. */
  cleanup?(): void | Promise<void>;
}

/**
 * The seam suite: every primitive of `ReadTx` / `WriteTx` the stores rely on.
 * @example
 * ```ts
 * import { engineConformance } from 'memex/testing';
 * engineConformance({ name: 'my-engine', open: (o) => myEngine().open(o) });
 * ```
 */
export function engineConformance(target: EngineTarget): void {
  describe(`seam primitives: ${target.name}`, () => {
    const engines: Engine[] = [];
    afterEach(async () => {
      for (const e of engines.splice(0)) await e.close();
      await target.cleanup?.();
    });

    async function open(clock = new ManualClock()) {
      const e = await target.open({ clock: clock.now, lockTimeoutMs: 2000, maxEvents: 1000 });
      engines.push(e);
      return { e, clock };
    }

    const put = (e: Engine, key: string, opts: { expiresAt?: number | null; rank?: number | 'version' | null } = {}) =>
      e.write((tx) => tx.put('ns', 's', key, JSON.stringify(key), { expiresAt: opts.expiresAt ?? null, rank: opts.rank ?? null }));

    it('scan: prefix, after, before, reverse and limit combine exactly', async () => {
      const { e } = await open();
      for (const k of ['a', 'b/1', 'b/2', 'b/3', 'b/4', 'b0', 'c']) await put(e, k);
      const keys = (o: Parameters<ReadTx['scan']>[2]) => e.read((tx) => tx.scan('ns', 's', o).map((r) => r.key));
      expect(await keys({ prefix: 'b/', limit: 10 })).toEqual(['b/1', 'b/2', 'b/3', 'b/4']);
      expect(await keys({ prefix: 'b/', limit: 2, reverse: true })).toEqual(['b/4', 'b/3']);
      expect(await keys({ prefix: 'b/', before: 'b/3', limit: 10, reverse: true })).toEqual(['b/2', 'b/1']);
      expect(await keys({ prefix: 'b/', after: 'b/2', limit: 10 })).toEqual(['b/3', 'b/4']);
      expect(await keys({ after: 'b/4', limit: 10 })).toEqual(['b0', 'c']);
    });

    it('scanByRank pages with a (rank, key) cursor either way, ties broken by key', async () => {
      const { e } = await open();
      for (const [key, rank] of [
        ['b', 2],
        ['a', 2],
        ['c', 1],
        ['d', 3],
        ['e', 2],
      ] as const)
        await put(e, key, { rank });
      const walk = async (reverse: boolean) => {
        const pages: string[][] = [];
        let after: { rank: number; key: string } | undefined;
        for (;;) {
          const page = await e.read((tx) => tx.scanByRank('ns', 's', { limit: 2, reverse, ...(after ? { after } : {}) }));
          if (page.length === 0) return pages;
          pages.push(page.map((r) => r.key));
          const last = page[page.length - 1]!;
          after = { rank: last.rank!, key: last.key };
        }
      };
      expect(await walk(false)).toEqual([['c', 'a'], ['b', 'e'], ['d']]);
      expect(await walk(true)).toEqual([['d', 'e'], ['b', 'a'], ['c']]);
    });

    it('ranks order records; setRank changes neither version nor the event feed', async () => {
      const { e } = await open();
      await put(e, 'x', { rank: 3 });
      await put(e, 'y', { rank: 1 });
      const v = await put(e, 'z', { rank: 'version' });
      await put(e, 'no-rank');
      const seqBefore = await e.read((tx) => tx.lastSeq());
      expect(await e.read((tx) => tx.scanByRank('ns', 's', { limit: 10 }).map((r) => r.key))).toEqual(['y', 'x', 'z']);
      expect(await e.read((tx) => tx.get('ns', 's', 'z')?.rank)).toBe(v);
      expect(await e.write((tx) => tx.setRank('ns', 's', 'y', 1e15))).toBe(true);
      expect(await e.write((tx) => tx.setRank('ns', 's', 'absent', 1))).toBe(false);
      expect(await e.read((tx) => tx.scanByRank('ns', 's', { limit: 1, reverse: true })[0]?.key)).toBe('y');
      expect(await e.read((tx) => tx.lastSeq())).toBe(seqBefore);
      expect(await e.read((tx) => tx.get('ns', 's', 'y')?.version)).toBeLessThan(seqBefore);
    });

    it('deletePrefix removes exactly the prefixed keys with one event', async () => {
      const { e } = await open();
      for (const k of ['t\u00001', 't\u00002', 't\u0001', 'u']) await put(e, k);
      const before = await e.read((tx) => tx.lastSeq());
      expect(await e.write((tx) => tx.deletePrefix('ns', 's', 't\u0000'))).toBe(2);
      expect(await e.read((tx) => tx.scan('ns', 's', { limit: 10 }).map((r) => r.key))).toEqual(['t\u0001', 'u']);
      const events = await e.read((tx) => tx.eventsSince(before, { limit: 10 }));
      expect(events.map((ev) => [ev.op, ev.key])).toEqual([['deletePrefix', 't\u0000']]);
    });

    it('expired records are invisible but still found by expiredKeys, sizes and getIncludingExpired until purged', async () => {
      const { e, clock } = await open();
      await put(e, 'live');
      await put(e, 'old', { expiresAt: clock.nowMs + 10, rank: 1 });
      clock.advance(11);
      expect(await e.read((tx) => tx.get('ns', 's', 'old'))).toBeUndefined();
      expect(await e.read((tx) => tx.getIncludingExpired('ns', 's', 'old')?.key)).toBe('old');
      expect(await e.read((tx) => tx.expiredKeys('s', 10))).toEqual([{ ns: 'ns', key: 'old' }]);
      expect(await e.read((tx) => tx.scanByRank('ns', 's', { limit: 10 }))).toEqual([]);
      expect(await e.read((tx) => tx.scanByRank('ns', 's', { limit: 10, includeExpired: true }).map((r) => r.key))).toEqual(['old']);
      expect(await e.read((tx) => tx.sizes('s'))).toEqual([{ ns: 'ns', count: 2, bytes: '"live"'.length + '"old"'.length }]);
      expect(await e.write((tx) => tx.purgeExpired())).toBe(1);
      expect(await e.read((tx) => tx.sizes('s'))).toEqual([{ ns: 'ns', count: 1, bytes: '"live"'.length }]);
    });

    it('getValue reads the version, value and expiry of a visible record, in reads and inside a write', async () => {
      const { e, clock } = await open();
      // An engine may return more fields (the whole row); these three are the contract.
      const three = (r: ReturnType<ReadTx['getValue']>) => r && { version: r.version, value: r.value, expiresAt: r.expiresAt };
      const v = await put(e, 'k', { expiresAt: clock.nowMs + 100 });
      await put(e, 'forever');
      expect(await e.read((tx) => three(tx.getValue('ns', 's', 'k')))).toEqual({ version: v, value: '"k"', expiresAt: clock.nowMs + 100 });
      expect(await e.read((tx) => tx.getValue('ns', 's', 'forever')?.expiresAt)).toBeNull();
      const inWrite = await e.write((tx) => {
        const version = tx.put('ns', 's', 'k', '"again"', { expiresAt: clock.nowMs + 50 });
        return { version, row: three(tx.getValue('ns', 's', 'k')) };
      });
      expect(inWrite.row).toEqual({ version: inWrite.version, value: '"again"', expiresAt: clock.nowMs + 50 });
      clock.advance(51);
      expect(await e.read((tx) => tx.getValue('ns', 's', 'k'))).toBeUndefined();
      expect(await e.read((tx) => tx.getValue('ns', 's', 'absent'))).toBeUndefined();
    });

    it('versions are the event seqs: unique, increasing, one event per mutation in the same write', async () => {
      const { e } = await open();
      const v1 = await put(e, 'a');
      const v2 = await put(e, 'a');
      const [v3, v4] = await e.write((tx) => [tx.put('ns', 's', 'b', '1', { expiresAt: null }), tx.put('other', 's', 'b', '2', { expiresAt: null })]);
      expect([v1, v2, v3, v4]).toEqual([...[v1, v2, v3, v4]].sort((x, y) => x - y));
      expect(new Set([v1, v2, v3, v4]).size).toBe(4);
      expect(await e.read((tx) => tx.get('ns', 's', 'a')?.version)).toBe(v2);
      const events = await e.read((tx) => tx.eventsSince(0, { limit: 10 }));
      expect(events.map((ev) => [ev.seq, ev.ns, ev.key, ev.version])).toEqual([
        [v1, 'ns', 'a', v1],
        [v2, 'ns', 'a', v2],
        [v3, 'ns', 'b', v3],
        [v4, 'other', 'b', v4],
      ]);
      expect(await e.read((tx) => tx.eventsSince(0, { limit: 10, ns: 'other' }).map((ev) => ev.seq))).toEqual([v4]);
      expect(await e.read((tx) => tx.lastSeq())).toBe(v4);
    });

    it('a write whose callback throws leaves no record and no event', async () => {
      const { e } = await open();
      await put(e, 'kept');
      const before = await e.read((tx) => tx.lastSeq());
      await expect(
        e.write((tx) => {
          tx.put('ns', 's', 'lost', '1', { expiresAt: null });
          tx.delete('ns', 's', 'kept');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await e.read((tx) => tx.lastSeq())).toBe(before);
      expect(await e.read((tx) => tx.scan('ns', 's', { limit: 10 }).map((r) => r.key))).toEqual(['kept']);
      // The engine goes on serving writes after a failed one.
      await put(e, 'next');
      expect(await e.read((tx) => tx.count('ns', 's'))).toBe(2);
    });

    it('deleteAll and deleteWhere remove exactly their records; countWhere and scanWhere agree', async () => {
      const { e } = await open();
      await e.write((tx) => {
        for (let i = 0; i < 6; i++) tx.put('ns', 'docs', `d${i}`, JSON.stringify({ metadata: { even: i % 2 === 0, i } }), { expiresAt: null });
        tx.put('ns', 'kept', 'x', '1', { expiresAt: null });
      });
      const even = parseFilter({ even: true });
      expect(await e.read((tx) => tx.countWhere('ns', 'docs', even))).toBe(3);
      expect(await e.read((tx) => tx.scanWhere('ns', 'docs', even, { limit: 10 }).map((r) => r.key))).toEqual(['d0', 'd2', 'd4']);
      expect(await e.read((tx) => tx.scanWhere('ns', 'docs', even, { limit: 10, after: 'd0' }).map((r) => r.key))).toEqual(['d2', 'd4']);
      expect(await e.read((tx) => tx.countWhere('ns', 'docs', undefined))).toBe(6);
      const before = await e.read((tx) => tx.lastSeq());
      expect(await e.write((tx) => tx.deleteWhere('ns', 'docs', parseFilter({ i: { $gte: 4 } })))).toBe(2);
      expect(await e.read((tx) => tx.eventsSince(before, { limit: 10 }).map((ev) => [ev.op, ev.key]))).toEqual([
        ['delete', 'd4'],
        ['delete', 'd5'],
      ]);
      expect(await e.write((tx) => tx.deleteAll('ns', 'docs'))).toBe(4);
      expect(await e.read((tx) => tx.countByStore())).toEqual({ kept: 1 });
    });

    it('a snapshot sees one state while writes go on; after close every call is refused', async () => {
      const { e } = await open();
      await put(e, 'a');
      const pending = put(e, 'b');
      const seen = await e.snapshot((tx) => ({ records: tx.count('ns', 's'), last: tx.lastSeq(), events: tx.eventsSince(0, { limit: 10 }) }));
      // Records, feed and lastSeq of one snapshot agree, whether or not the pending write is in it.
      expect(seen.records).toBe(seen.events.length);
      expect(seen.last).toBe(seen.events.at(-1)?.seq);
      await pending;
      await e.close();
      await expect(Promise.resolve().then(() => e.read((tx) => tx.lastSeq()))).rejects.toBeInstanceOf(ClosedError);
      await expect(Promise.resolve().then(() => e.write((tx) => tx.lastSeq()))).rejects.toBeInstanceOf(ClosedError);
      engines.splice(engines.indexOf(e), 1);
    });
  });
}
