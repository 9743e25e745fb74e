// The seam's primitives, exercised directly on the SQLite engine (the stores build on them).
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEngine } from '../../src/engine/sqlite/engine.js';
import { prefixEnd } from '../../src/engine/sqlite/tx.js';
import { ManualClock } from '../helpers/clock.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const engines: SqliteEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  cleanupTemp();
});

function open(clock = new ManualClock()) {
  const e = SqliteEngine.open({
    path: tempDbPath(),
    durability: 'normal',
    lockTimeoutMs: 2000,
    checkOnOpen: 'quick',
    clock: clock.now,
    maxEvents: 1000,
    maxBatch: 64,
    walWarnBytes: 1 << 30,
  });
  engines.push(e);
  return { e, clock };
}

const put = (e: SqliteEngine, key: string, opts: { expiresAt?: number | null; rank?: number | 'version' | null } = {}) =>
  e.write((tx) => tx.put('ns', 's', key, JSON.stringify(key), { expiresAt: opts.expiresAt ?? null, rank: opts.rank ?? null }));

describe('seam primitives (SQLite engine)', () => {
  it('prefixEnd is the least string above every extension of the prefix', () => {
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('t\u0000')).toBe('t\u0001');
    expect(prefixEnd('a\uD7FF')).toBe('a\uE000');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('\u{10FFFF}')).toBeUndefined();
    for (const ext of ['', 'a', '\u{10FFFF}\u{10FFFF}', '\uFFFF']) expect('ab' + ext < prefixEnd('ab')!).toBe(true);
  });

  it('scan: prefix, after, before, reverse and limit combine exactly', async () => {
    const { e } = open();
    for (const k of ['a', 'b/1', 'b/2', 'b/3', 'b/4', 'b0', 'c']) await put(e, k);
    const keys = (o: Parameters<import('../../src/engine/types.js').ReadTx['scan']>[2]) => e.read((tx) => tx.scan('ns', 's', o).map((r) => r.key));
    expect(await keys({ prefix: 'b/', limit: 10 })).toEqual(['b/1', 'b/2', 'b/3', 'b/4']);
    expect(await keys({ prefix: 'b/', limit: 2, reverse: true })).toEqual(['b/4', 'b/3']);
    expect(await keys({ prefix: 'b/', before: 'b/3', limit: 10, reverse: true })).toEqual(['b/2', 'b/1']);
    expect(await keys({ prefix: 'b/', after: 'b/2', limit: 10 })).toEqual(['b/3', 'b/4']);
    expect(await keys({ after: 'b/4', limit: 10 })).toEqual(['b0', 'c']);
  });

  it('ranks order records; setRank changes neither version nor the event feed', async () => {
    const { e } = open();
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
    const { e } = open();
    for (const k of ['t\u00001', 't\u00002', 't\u0001', 'u']) await put(e, k);
    const before = await e.read((tx) => tx.lastSeq());
    expect(await e.write((tx) => tx.deletePrefix('ns', 's', 't\u0000'))).toBe(2);
    expect(await e.read((tx) => tx.scan('ns', 's', { limit: 10 }).map((r) => r.key))).toEqual(['t\u0001', 'u']);
    const events = await e.read((tx) => tx.eventsSince(before, { limit: 10 }));
    expect(events.map((ev) => [ev.op, ev.key])).toEqual([['deletePrefix', 't\u0000']]);
  });

  it('expired records are invisible but still found by expiredKeys, sizes and getIncludingExpired until purged', async () => {
    const { e, clock } = open();
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
});
