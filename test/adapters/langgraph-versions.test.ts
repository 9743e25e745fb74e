// The channel versions MemexSaver mints (src/adapters/langgraph/versions.ts), judged by the
// comparisons LangGraph itself makes: `>` (its loop's "was this channel updated") and
// compareChannelVersions / maxChannelVersion (@langchain/langgraph-checkpoint). Each minted version
// is greater than the one it follows, past every change in the counter's number of digits; versions
// minted from one current version are all different; the integer versions of older records keep
// their order and name their stored values; a thread long enough for three-digit counters runs
// as it does on MemorySaver.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '@langchain/langgraph';
import { compareChannelVersions, maxChannelVersion } from '@langchain/langgraph-checkpoint';
import { openMemex } from '../../src/index.js';
import { MemexSaver } from '../../src/adapters/langgraph/index.js';
import { blobVersion, nextVersion, withStringVersions } from '../../src/adapters/langgraph/versions.js';
import { ValidationError } from '../../src/errors.js';
import { counterGraph } from '../helpers/langgraph-graphs.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

/** Greater by every comparison LangGraph makes. */
function expectGreater(a: string | number, b: string | number): void {
  expect(a > b, `${a} > ${b}`).toBe(true);
  expect(compareChannelVersions(a, b)).toBe(1);
  expect(maxChannelVersion(b, a)).toBe(a);
}

describe('MemexSaver channel versions', () => {
  it('each version is greater than the one it follows, across 1,200 steps (1 to 4 digits)', () => {
    let v = nextVersion(undefined);
    expect(v).toMatch(/^0{31}1\.[0-9a-f]{16}$/);
    for (let i = 0; i < 1200; i++) {
      const next = nextVersion(v);
      expectGreater(next, v);
      v = next;
    }
    expect(String(v).slice(0, 32)).toBe('1201'.padStart(32, '0'));
  });

  it('any counter: the next is greater, and versions minted from one current version all differ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 }), (n) => {
        const legacy = String(n).padStart(32, '0');
        const minted = Array.from({ length: 20 }, () => nextVersion(legacy));
        expect(new Set(minted).size).toBe(20);
        for (const m of minted) expectGreater(m, legacy);
        for (const m of minted) expectGreater(nextVersion(m), m);
      }),
      { numRuns: 300 },
    );
  });

  it('integer versions: an integer stays an integer; older records’ integers become strings that keep their order and their values’ keys', () => {
    expect(nextVersion(7)).toBe(8);
    const checkpoint = {
      v: 4,
      id: 'x',
      ts: '',
      channel_values: {},
      channel_versions: { a: 3, b: 12, c: 'kept' },
      versions_seen: { node: { a: 2, b: 12 }, ['__proto__']: { a: 1 } },
    };
    withStringVersions(checkpoint);
    expect(checkpoint.channel_versions).toEqual({ a: '3'.padStart(32, '0'), b: '12'.padStart(32, '0'), c: 'kept' });
    expect(Object.getPrototypeOf(checkpoint.versions_seen)).toBe(Object.prototype);
    expect(Object.keys(checkpoint.versions_seen)).toEqual(['node', '__proto__']);
    expectGreater(checkpoint.channel_versions.b, checkpoint.channel_versions.a);
    expectGreater(nextVersion(checkpoint.channel_versions.b), checkpoint.channel_versions.b);
    expect(blobVersion(checkpoint.channel_versions.b)).toBe('12');
    expect(blobVersion(12)).toBe('12');
    const minted = String(nextVersion(undefined));
    expect(blobVersion(minted)).toBe(minted);
  });

  it('a version that does not start with a counter is refused, naming channel_versions', () => {
    expect(String(nextVersion(''))).toMatch(/^0{31}1\./); // LangGraph's "no version yet" for strings
    for (const bad of ['abc', 'a.3', '-1.x', ' 3.x', '.x', '1e3.x', `${'9'.repeat(20)}.x`])
      expect(() => nextVersion(bad)).toThrow(expect.objectContaining({ constructor: ValidationError, field: 'channel_versions' }));
  });

  it('30 invocations of one thread (versions past 100) end as they do on MemorySaver', async () => {
    const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    try {
      const run = async (graph: ReturnType<typeof counterGraph>) => {
        const config = { configurable: { thread_id: 'long' } };
        for (let i = 0; i < 30; i++) await graph.invoke({ log: [`in ${i}`] }, config);
        return (await graph.getState(config)).values as { count: number; log: string[] };
      };
      const memex = await run(counterGraph(new MemexSaver(mx.scope('graphs'))));
      expect(memex).toEqual(await run(counterGraph(new MemorySaver())));
      expect(memex.count).toBe(30);
    } finally {
      await mx.close();
      cleanupTemp();
    }
  });
});
